import { Op, UniqueConstraintError, type WhereOptions } from 'sequelize';
import type {
  PageResult,
  TAdminUser,
  TCreateAdminUser,
  TCreateOrganisation,
  TOrganisation,
  TPageQuery,
  TUpdateAdminUser,
  TUpdateOrganisation,
  TAdminRole,
  TOrgType,
} from '@xyd/shared';
import { ORG_TYPE_LABELS, ROLE_LABELS, ROLE_ORG_TYPES } from '@xyd/shared';
import { REGION_BOUND_ROLES } from '../../lib/scope';
import type { AppContext } from '../../context';
import { newId } from '../../lib/ids';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { AdminUser, Organisation } from '../identity/models';
import { hashPassword } from '../identity/passwords';
import { revokeAllSessions } from '../identity/sessions';
import { findRegion, regionName, regionNames } from '../regions/service';

function assertRegion(code: string, field: string): void {
  if (!findRegion(code)) throw new ValidationError(`${field}: 行政区划代码 ${code} 不存在`, [{ field, message: `行政区划代码 ${code} 不存在` }]);
}

/**
 * Names are unique by index: insert and let the database refuse a duplicate, so that concurrent requests
 * get one success and conflicts rather than a race between a check and the insert.
 */
async function uniqueOr<T>(write: () => Promise<T>, conflict: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new ConflictError(conflict);
    throw error;
  }
}

export async function listOrganisations(
  page: TPageQuery,
  query: { type?: TOrgType; keyword?: string },
): Promise<PageResult<TOrganisation>> {
  const where: WhereOptions<Organisation> = {};
  if (query.type) Object.assign(where, { type: query.type });
  if (query.keyword) Object.assign(where, { name: { [Op.like]: `%${query.keyword}%` } });
  const { rows, count } = await Organisation.findAndCountAll({
    where,
    order: [['type', 'ASC'], ['name', 'ASC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  const ids = rows.map((r) => r.id);
  const counts = ids.length
    ? ((await AdminUser.findAll({
        where: { organisationId: ids },
        attributes: ['organisationId', [AdminUser.sequelize!.fn('COUNT', AdminUser.sequelize!.col('id')), 'n']],
        group: ['organisationId'],
        raw: true,
      })) as unknown as Array<{ organisationId: string | number; n: string | number }>)
    : [];
  const countBy = new Map(counts.map((c) => [String(c.organisationId), Number(c.n)]));
  const regionName = regionNames(rows.map((r) => r.regionCode));
  return {
    list: rows.map((o) => ({
      id: o.id,
      name: o.name,
      type: o.type,
      regionCode: o.regionCode,
      regionName: o.regionCode ? (regionName.get(o.regionCode) ?? null) : null,
      disabled: o.disabled,
      userCount: countBy.get(o.id) ?? 0,
      createdAt: new Date(o.createdAt).toISOString(),
    })),
    total: count,
  };
}

async function findOrganisation(id: string): Promise<Organisation> {
  const org = await Organisation.findByPk(id);
  if (!org) throw new NotFoundError('机构不存在');
  return org;
}

/** One organisation by id, as the list shows it. */
async function organisationDto(id: string): Promise<TOrganisation> {
  const org = await findOrganisation(id);
  const userCount = await AdminUser.count({ where: { organisationId: id } });
  return {
    id: org.id,
    name: org.name,
    type: org.type,
    regionCode: org.regionCode,
    regionName: regionName(org.regionCode),
    disabled: org.disabled,
    userCount,
    createdAt: new Date(org.createdAt).toISOString(),
  };
}

export async function createOrganisation(app: AppContext, actor: AdminActor, input: TCreateOrganisation, meta: RequestMeta) {
  assertRegion(input.regionCode, 'regionCode');
  if (input.type === 'platform') throw new ValidationError('type: 平台运营方只能有一个', [{ field: 'type', message: '平台运营方只能有一个' }]);
  const id = await app.db.transaction(async (t) => {
    const org = await uniqueOr(
      () => Organisation.create({ id: newId(), name: input.name, type: input.type, regionCode: input.regionCode }, { transaction: t }),
      `机构“${input.name}”已存在`,
    );
    await recordAudit(t, { actor, action: 'organisation.create', targetType: 'organisation', targetId: org.id, outcome: 'success', detail: { ...input }, meta });
    return org.id;
  });
  return organisationDto(id);
}

export async function updateOrganisation(app: AppContext, actor: AdminActor, id: string, input: TUpdateOrganisation, meta: RequestMeta) {
  const org = await findOrganisation(id);
  if (input.regionCode) assertRegion(input.regionCode, 'regionCode');
  if (org.type === 'platform' && input.disabled) throw new ConflictError('不能停用平台运营方');
  await app.db.transaction(async (t) => {
    await uniqueOr(() => Organisation.update(input, { where: { id }, transaction: t }), `机构“${input.name}”已存在`);
    if (input.disabled) {
      const users = await AdminUser.findAll({ where: { organisationId: id }, attributes: ['id'], transaction: t });
      for (const u of users) await revokeAllSessions(t, 'admin', u.id, 'organisation_disabled');
    }
    await recordAudit(t, { actor, action: 'organisation.update', targetType: 'organisation', targetId: id, outcome: 'success', detail: { ...input }, meta });
  });
  return organisationDto(id);
}

const effectiveRegion = (u: AdminUser, org: Organisation): string | null => u.regionCode ?? org.regionCode;

function toUserDto(u: AdminUser, org: Organisation, names: Map<string, string>): TAdminUser {
  const region = effectiveRegion(u, org);
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    organisation: { id: org.id, name: org.name, type: org.type, regionCode: org.regionCode },
    regionCode: u.regionCode,
    regionName: region ? (names.get(region) ?? null) : null,
    disabled: u.disabled,
    totpEnabled: Boolean(u.totpSecret),
    lockedUntil: u.lockedUntil ? new Date(u.lockedUntil).toISOString() : null,
    lastLoginAt: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

export async function listAdminUsers(
  page: TPageQuery,
  query: { role?: TAdminRole; organisationId?: string; keyword?: string },
): Promise<PageResult<TAdminUser>> {
  const where: WhereOptions<AdminUser> = {};
  if (query.role) Object.assign(where, { role: query.role });
  if (query.organisationId) Object.assign(where, { organisationId: query.organisationId });
  if (query.keyword) Object.assign(where, { [Op.or]: [{ username: { [Op.like]: `%${query.keyword}%` } }, { displayName: { [Op.like]: `%${query.keyword}%` } }] });
  const { rows, count } = await AdminUser.findAndCountAll({
    where,
    include: [{ model: Organisation, as: 'organisation' }],
    order: [['username', 'ASC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  const withOrg = rows.map((u) => ({ u, org: (u as AdminUser & { organisation: Organisation }).organisation }));
  const names = regionNames(withOrg.map(({ u, org }) => effectiveRegion(u, org)));
  return { list: withOrg.map(({ u, org }) => toUserDto(u, org, names)), total: count };
}

async function assertRoleFitsOrganisation(role: TAdminRole, org: Organisation): Promise<void> {
  if (!ROLE_ORG_TYPES[role].includes(org.type)) {
    const message = `${ROLE_LABELS[role]}不能属于${ORG_TYPE_LABELS[org.type]}（${org.name}）`;
    throw new ValidationError(`role: ${message}`, [{ field: 'role', message }]);
  }
}

/** Advisors and government users see only their region (DESIGN §5): without one they could see nothing. */
function assertRegionForRole(role: TAdminRole, regionCode: string | null, org: Organisation): void {
  if (!REGION_BOUND_ROLES.includes(role) || regionCode || org.regionCode) return;
  const message = `${ROLE_LABELS[role]}必须指定负责的行政区划`;
  throw new ValidationError(`regionCode: ${message}`, [{ field: 'regionCode', message }]);
}

async function userDto(id: string): Promise<TAdminUser> {
  const u = await AdminUser.findByPk(id, { include: [{ model: Organisation, as: 'organisation' }] });
  if (!u) throw new NotFoundError('用户不存在');
  const org = (u as AdminUser & { organisation: Organisation }).organisation;
  return toUserDto(u, org, regionNames([effectiveRegion(u, org)]));
}

export async function createAdminUser(app: AppContext, actor: AdminActor, input: TCreateAdminUser, meta: RequestMeta) {
  const org = await findOrganisation(input.organisationId).catch(() => {
    throw new ValidationError('organisationId: 所属机构不存在', [{ field: 'organisationId', message: '所属机构不存在' }]);
  });
  await assertRoleFitsOrganisation(input.role, org);
  if (input.regionCode) assertRegion(input.regionCode, 'regionCode');
  assertRegionForRole(input.role, input.regionCode ?? null, org);
  const passwordHash = await hashPassword(input.password);
  const id = await app.db.transaction(async (t) => {
    const user = await uniqueOr(
      () =>
        AdminUser.create(
          {
            id: newId(),
            username: input.username,
            displayName: input.displayName,
            passwordHash,
            role: input.role,
            organisationId: org.id,
            regionCode: input.regionCode ?? null,
          },
          { transaction: t },
        ),
      `用户名“${input.username}”已被使用`,
    );
    await recordAudit(t, {
      actor,
      action: 'admin_user.create',
      targetType: 'admin_user',
      targetId: user.id,
      outcome: 'success',
      detail: { username: input.username, role: input.role, organisationId: org.id },
      meta,
    });
    return user.id;
  });
  return userDto(id);
}

export async function updateAdminUser(app: AppContext, actor: AdminActor, id: string, input: TUpdateAdminUser, meta: RequestMeta) {
  const user = await AdminUser.findByPk(id);
  if (!user) throw new NotFoundError('用户不存在');
  if (id === actor.id && (input.disabled || (input.role && input.role !== actor.role))) {
    throw new ConflictError('不能停用自己或修改自己的角色');
  }
  const org = await findOrganisation(input.organisationId ?? user.organisationId);
  await assertRoleFitsOrganisation(input.role ?? user.role, org);
  if (input.regionCode) assertRegion(input.regionCode, 'regionCode');
  assertRegionForRole(input.role ?? user.role, input.regionCode === undefined ? user.regionCode : input.regionCode, org);
  await app.db.transaction(async (t) => {
    await AdminUser.update(input, { where: { id }, transaction: t });
    // Disabling, or moving someone to other powers, ends what they hold now.
    if (input.disabled || (input.role && input.role !== user.role) || (input.organisationId && input.organisationId !== user.organisationId)) {
      await revokeAllSessions(t, 'admin', id, input.disabled ? 'user_disabled' : 'role_changed');
    }
    await recordAudit(t, { actor, action: 'admin_user.update', targetType: 'admin_user', targetId: id, outcome: 'success', detail: { ...input }, meta });
  });
  return userDto(id);
}

export async function resetAdminPassword(app: AppContext, actor: AdminActor, id: string, newPassword: string, meta: RequestMeta) {
  const user = await AdminUser.findByPk(id);
  if (!user) throw new NotFoundError('用户不存在');
  const passwordHash = await hashPassword(newPassword);
  await app.db.transaction(async (t) => {
    await AdminUser.update({ passwordHash, failedAttempts: 0, lockedUntil: null, passwordChangedAt: null }, { where: { id }, transaction: t });
    await revokeAllSessions(t, 'admin', id, 'password_reset');
    await recordAudit(t, { actor, action: 'admin_user.reset_password', targetType: 'admin_user', targetId: id, outcome: 'success', meta });
  });
}
