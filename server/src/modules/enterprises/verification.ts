import { readFile } from 'node:fs/promises';
import { Op, type Transaction } from 'sequelize';
import type {
  PageResult,
  TPageQuery,
  TVerification,
  TVerificationDetail,
  TVerificationStatus,
  TVerificationSubmit,
} from '@xyd/shared';
import { VERIFICATION_STATUS_LABELS } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { RequestMeta, UploadedPart } from '../../http/route';
import { recordAudit } from '../audit/service';
import type { Actor, AdminActor, WechatActor } from '../identity/actor';
import { activeAdvisors, activePlatformAdmins, advisorsCovering } from '../identity/advisors';
import { AdminUser, WechatUser } from '../identity/models';
import { enqueueNotification } from '../notifications/service';
import { findRegion, regionName } from '../regions/service';
import { checkImage, MAX_IMAGE_SIDE, type ImageMime } from '../files/image';
import { StoredFile } from '../files/models';
import { readStoredFile, stageFile, transactionWithFile } from '../files/service';
import { EnterpriseMember, VerificationRequest } from './models';
import {
  bindMember,
  membersOf,
  registryEntryForRouting,
  registryEntryInScope,
  usccScopeWhere,
  type RegistryEntry,
} from './repository';
import { idNumberHmac, maskIdNumber } from './service';

export const MAX_LICENCE_BYTES = 5 * 1024 * 1024;

/** The licence must really be a JPEG or PNG photo: typed from its bytes and decoded in full. */
function checkLicenceImage(bytes: Buffer): ImageMime {
  const image = checkImage(bytes);
  if (image.ok) return image.mime;
  const message =
    image.reason === 'not-image'
      ? '营业执照照片只能是 JPEG 或 PNG 图片'
      : image.reason === 'too-large'
        ? `营业执照照片尺寸过大，每边不能超过 ${MAX_IMAGE_SIDE} 像素`
        : '营业执照照片无法识别，请上传清晰的 JPEG 或 PNG 图片';
  throw new ValidationError(`licence: ${message}`, [{ field: 'licence', message }]);
}

function toDto(v: VerificationRequest, reviewerName: string | null): TVerification {
  return {
    id: v.id,
    uscc: v.uscc,
    enterpriseName: v.enterpriseName,
    legalRepName: v.legalRepName,
    legalRepIdMasked: v.legalRepIdMasked,
    applicantRole: v.applicantRole,
    applicantName: v.applicantName,
    regionCode: v.regionCode,
    status: v.status,
    rejectReason: v.rejectReason ?? null,
    reviewerName,
    reviewedAt: v.reviewedAt ? new Date(v.reviewedAt).toISOString() : null,
    createdAt: new Date(v.createdAt).toISOString(),
  };
}

async function reviewerNames(rows: VerificationRequest[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.reviewerId).filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return new Map();
  const users = await AdminUser.findAll({ where: { id: ids }, attributes: ['id', 'displayName'] });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

/** The region that reviews a request: the registered enterprise's, else the region code inside the USCC. */
async function reviewRegion(uscc: string, enterprise: RegistryEntry | null): Promise<string | null> {
  if (enterprise) return enterprise.regionCode;
  return findRegion(uscc.slice(2, 8))?.code ?? null;
}

/**
 * Tells the advisors who answer for the region that a request is waiting. A request that no advisor covers
 * goes to the platform admins instead, who decide it or reassign it, so that the firm is not stranded.
 */
async function notifyReviewers(
  t: Transaction,
  request: { id: string; enterpriseName: string; uscc: string },
  regionCode: string | null,
): Promise<void> {
  const covering = advisorsCovering(await activeAdvisors(t), regionCode);
  const recipients =
    covering.length > 0
      ? covering.map((a) => a.id)
      : await activePlatformAdmins(t);
  const region = regionName(regionCode) ?? '未知区域';
  for (const recipientId of recipients) {
    await enqueueNotification(t, {
      recipientKind: 'admin',
      recipientId,
      templateKey: 'verification_pending',
      title: covering.length > 0 ? '新的企业认证申请' : '无人负责区域的企业认证申请',
      body:
        covering.length > 0
          ? `${request.enterpriseName}（${request.uscc}）提交了企业认证申请，请审核。`
          : `${request.enterpriseName}（${request.uscc}）提交了企业认证申请，所在区域（${region}）没有负责的融资顾问，请审核或改派。`,
      link: `/verifications/${request.id}`,
    });
  }
}

export async function submitVerification(
  app: AppContext,
  actor: WechatActor,
  input: TVerificationSubmit,
  licence: UploadedPart | undefined,
  meta: RequestMeta,
): Promise<TVerification> {
  if (!licence) throw new ValidationError('licence: 请上传营业执照照片', [{ field: 'licence', message: '请上传营业执照照片' }]);
  if (licence.size > MAX_LICENCE_BYTES) {
    throw new ValidationError('licence: 营业执照照片不能超过 5 MB', [{ field: 'licence', message: '营业执照照片不能超过 5 MB' }]);
  }
  const bytes = await readFile(licence.filepath);
  const mime = checkLicenceImage(bytes);
  const enterprise = await registryEntryForRouting(input.uscc);
  const regionCode = await reviewRegion(input.uscc, enterprise);

  // The bytes go to the file store before the transaction; a failed transaction removes them again.
  const staged = await stageFile(app, bytes, mime, { kind: 'wechat', id: actor.id });
  const created = await transactionWithFile(app, staged, async (t, file) => {
    const user = await WechatUser.findByPk(actor.id, { transaction: t, lock: t.LOCK.UPDATE });
    if (!user) throw new NotFoundError('用户不存在');
    const pending = await VerificationRequest.count({ where: { wechatUserId: actor.id, uscc: input.uscc, status: 'pending' }, transaction: t });
    if (pending > 0) throw new ConflictError('该企业已有一份待审核的认证申请，请等待审核结果');
    if (enterprise) {
      const member = await EnterpriseMember.count({ where: { wechatUserId: actor.id, enterpriseId: enterprise.id }, transaction: t });
      if (member > 0) throw new ConflictError('您已绑定该企业，无需重复认证');
    }
    const request = await VerificationRequest.create(
      {
        id: newId(),
        wechatUserId: actor.id,
        uscc: input.uscc,
        enterpriseName: input.enterpriseName,
        legalRepName: input.legalRepName,
        legalRepIdHmac: idNumberHmac(app.config.idHashKey, input.legalRepIdNumber),
        legalRepIdMasked: maskIdNumber(input.legalRepIdNumber),
        applicantRole: input.applicantRole,
        applicantName: input.applicantRole === 'owner' ? input.legalRepName : user.displayName,
        licenceFileId: file.id,
        regionCode,
        status: 'pending',
      },
      { transaction: t },
    );
    await recordAudit(t, {
      actor,
      action: 'verification.submit',
      targetType: 'verification',
      targetId: request.id,
      outcome: 'success',
      detail: { uscc: input.uscc, applicantRole: input.applicantRole },
      meta,
    });
    // Tell the advisors who answer for the region that a request is waiting.
    await notifyReviewers(t, { id: request.id, enterpriseName: input.enterpriseName, uscc: input.uscc }, regionCode);
    return request;
  });
  return toDto(created, null);
}

export async function myVerifications(actor: WechatActor): Promise<TVerification[]> {
  const rows = await VerificationRequest.findAll({ where: { wechatUserId: actor.id }, order: [['createdAt', 'DESC']] });
  const names = await reviewerNames(rows);
  return rows.map((r) => toDto(r, r.reviewerId ? (names.get(r.reviewerId) ?? null) : null));
}

export async function listVerifications(
  actor: AdminActor,
  page: TPageQuery,
  status?: TVerificationStatus,
): Promise<PageResult<TVerification>> {
  const { rows, count } = await VerificationRequest.findAndCountAll({
    where: { [Op.and]: [usccScopeWhere(actor), status ? { status } : {}] },
    order: [['createdAt', status === 'pending' ? 'ASC' : 'DESC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  const names = await reviewerNames(rows);
  return { list: rows.map((r) => toDto(r, r.reviewerId ? (names.get(r.reviewerId) ?? null) : null)), total: count };
}

/**
 * A request the actor may review: judged by the enterprise's current region when it is registered (the region
 * frozen at submission may be stale), else by the request's own region; platform admins see every request.
 */
async function findInScope(actor: AdminActor, id: string, t?: Transaction): Promise<VerificationRequest> {
  const row = await VerificationRequest.findOne({ where: { [Op.and]: [{ id }, usccScopeWhere(actor)] }, transaction: t });
  if (!row) throw new NotFoundError('认证申请不存在或无权访问');
  return row;
}

/** The registry row behind a request, read in the actor's scope; registered but out of scope is "not found". */
async function scopedRegistration(actor: AdminActor, uscc: string, t?: Transaction): Promise<RegistryEntry | null> {
  const entry = await registryEntryInScope(actor, uscc, t);
  if (entry) return entry;
  if (await registryEntryForRouting(uscc, t)) throw new NotFoundError('认证申请不存在或无权访问');
  return null;
}

export async function verificationDetail(actor: AdminActor, id: string): Promise<TVerificationDetail> {
  const row = await findInScope(actor, id);
  const [enterprise, file, names] = await Promise.all([
    scopedRegistration(actor, row.uscc),
    StoredFile.findByPk(row.licenceFileId, { attributes: ['mime'] }),
    reviewerNames([row]),
  ]);
  const owners = enterprise ? (await membersOf([enterprise.id])).filter((m) => m.role === 'ent_owner') : [];
  return {
    ...toDto(row, row.reviewerId ? (names.get(row.reviewerId) ?? null) : null),
    licenceMime: file?.mime ?? 'image/jpeg',
    registration: enterprise
      ? {
          enterpriseId: enterprise.id,
          uscc: enterprise.uscc,
          name: enterprise.name,
          legalRepName: enterprise.legalRepName,
          legalRepIdMasked: enterprise.legalRepIdMasked,
          regionName: regionName(enterprise.regionCode) ?? enterprise.regionCode,
          status: enterprise.status,
          existingOwners: owners.map((m) => m.displayName),
        }
      : null,
    checks: {
      enterpriseRegistered: Boolean(enterprise),
      nameMatches: enterprise?.name === row.enterpriseName,
      legalRepNameMatches: enterprise?.legalRepName === row.legalRepName,
      legalRepIdMatches: enterprise?.legalRepIdHmac === row.legalRepIdHmac,
    },
  };
}

export async function licenceImage(app: AppContext, actor: Actor, id: string): Promise<{ mime: string; data: Buffer }> {
  const row =
    actor.kind === 'admin'
      ? await findInScope(actor, id)
      : await VerificationRequest.findOne({ where: { id, wechatUserId: actor.id } });
  if (!row) throw new NotFoundError('认证申请不存在或无权访问');
  return readStoredFile(app, row.licenceFileId);
}

function resultNotice(request: VerificationRequest, approved: boolean, reason?: string) {
  const status = approved ? VERIFICATION_STATUS_LABELS.approved : VERIFICATION_STATUS_LABELS.rejected;
  return {
    recipientKind: 'wechat' as const,
    recipientId: request.wechatUserId,
    templateKey: 'verification_result',
    title: approved ? '企业认证已通过' : '企业认证未通过',
    body: approved
      ? `您提交的 ${request.enterpriseName} 企业认证已通过，现在可以使用企业服务。`
      : `您提交的 ${request.enterpriseName} 企业认证未通过：${reason}`,
    link: '/subpackages/enterprise/progress/index',
    wechatData: {
      thing1: { value: request.enterpriseName.slice(0, 20) },
      phrase2: { value: status },
      thing3: { value: (approved ? '可以使用企业服务' : (reason ?? '')).slice(0, 20) },
    },
  };
}

/**
 * Moves a pending request exactly once: the version column stops two reviewers from both deciding it. The
 * enterprise is read in the reviewer's scope inside the transaction, so a firm that is (or has since become)
 * another region's cannot be bound by this reviewer.
 */
async function decide(
  app: AppContext,
  actor: AdminActor,
  id: string,
  meta: RequestMeta,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<TVerification> {
  const decidedId = await app.db.transaction(async (t) => {
    const request = await findInScope(actor, id, t);
    if (request.status !== 'pending') throw new ConflictError(`该申请已${VERIFICATION_STATUS_LABELS[request.status]}，不能重复审核`);
    const enterprise = await scopedRegistration(actor, request.uscc, t);
    if (decision.approve && !enterprise) {
      throw new ConflictError('登记数据中没有该统一社会信用代码的企业，无法通过认证；请核实后驳回');
    }
    const [updated] = await VerificationRequest.update(
      {
        status: decision.approve ? 'approved' : 'rejected',
        rejectReason: decision.approve ? null : decision.reason,
        reviewerId: actor.id,
        reviewedAt: clock.now(),
        enterpriseId: enterprise?.id ?? null,
        // The region it was decided in, not the one frozen at submission.
        regionCode: enterprise?.regionCode ?? request.regionCode,
        version: request.version + 1,
      },
      { where: { id: request.id, version: request.version, status: 'pending' }, transaction: t },
    );
    if (updated === 0) throw new ConflictError('该申请已被其他人处理，请刷新后查看');
    if (decision.approve && enterprise) {
      await bindMember(t, {
        id: newId(),
        enterpriseId: enterprise.id,
        wechatUserId: request.wechatUserId,
        role: request.applicantRole === 'owner' ? 'ent_owner' : 'ent_agent',
        displayName: request.applicantName,
        verificationId: request.id,
      });
    }
    await recordAudit(t, {
      actor,
      action: decision.approve ? 'verification.approve' : 'verification.reject',
      targetType: 'verification',
      targetId: request.id,
      outcome: 'success',
      detail: decision.approve ? { enterpriseId: enterprise?.id } : { reason: decision.reason },
      meta,
    });
    await enqueueNotification(t, resultNotice(request, decision.approve, decision.approve ? undefined : decision.reason));
    return request.id;
  });
  const fresh = await VerificationRequest.findByPk(decidedId);
  return toDto(fresh!, actor.displayName);
}

export const approveVerification = (app: AppContext, actor: AdminActor, id: string, meta: RequestMeta) =>
  decide(app, actor, id, meta, { approve: true });

export const rejectVerification = (app: AppContext, actor: AdminActor, id: string, reason: string, meta: RequestMeta) =>
  decide(app, actor, id, meta, { approve: false, reason });

/**
 * Hands a pending request of an unregistered firm to the advisors of another region (a platform admin's call,
 * for requests that no advisor covers). A registered firm is always reviewed in its registered region: a
 * platform admin decides it directly when that region has no advisor. The firm is told where it went.
 */
export async function reassignVerification(
  app: AppContext,
  actor: AdminActor,
  id: string,
  regionCode: string,
  meta: RequestMeta,
): Promise<TVerification> {
  const region = findRegion(regionCode);
  if (!region) {
    throw new ValidationError(`regionCode: 行政区划代码 ${regionCode} 不存在`, [{ field: 'regionCode', message: `行政区划代码 ${regionCode} 不存在` }]);
  }
  const reassignedId = await app.db.transaction(async (t) => {
    const request = await findInScope(actor, id, t);
    if (request.status !== 'pending') throw new ConflictError(`该申请已${VERIFICATION_STATUS_LABELS[request.status]}，不能改派`);
    const registered = await registryEntryForRouting(request.uscc, t);
    if (registered) {
      const home = regionName(registered.regionCode) ?? registered.regionCode;
      throw new ConflictError(`该企业登记在${home}，只能由该区域的融资顾问或平台管理员审核，不能改派`);
    }
    if (advisorsCovering(await activeAdvisors(t), region.code).length === 0) {
      const message = `${region.name}没有负责的融资顾问，请选择其他区域`;
      throw new ValidationError(`regionCode: ${message}`, [{ field: 'regionCode', message }]);
    }
    const [updated] = await VerificationRequest.update(
      { regionCode: region.code, version: request.version + 1 },
      { where: { id: request.id, version: request.version, status: 'pending' }, transaction: t },
    );
    if (updated === 0) throw new ConflictError('该申请已被其他人处理，请刷新后查看');
    await recordAudit(t, {
      actor,
      action: 'verification.reassign',
      targetType: 'verification',
      targetId: request.id,
      outcome: 'success',
      detail: { from: request.regionCode, to: region.code },
      meta,
    });
    await notifyReviewers(t, { id: request.id, enterpriseName: request.enterpriseName, uscc: request.uscc }, region.code);
    await enqueueNotification(t, {
      recipientKind: 'wechat',
      recipientId: request.wechatUserId,
      templateKey: 'verification_reassigned',
      title: '企业认证申请已转交审核',
      body: `您提交的 ${request.enterpriseName} 企业认证申请已转交${region.name}的融资顾问审核，请耐心等待。`,
      link: '/subpackages/enterprise/progress/index',
    });
    return request.id;
  });
  const fresh = await VerificationRequest.findByPk(reassignedId);
  const names = await reviewerNames([fresh!]);
  return toDto(fresh!, fresh!.reviewerId ? (names.get(fresh!.reviewerId) ?? null) : null);
}
