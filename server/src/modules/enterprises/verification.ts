import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Op } from 'sequelize';
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
import { regionContains, regionScope } from '../../lib/scope';
import type { RequestMeta, UploadedPart } from '../../http/route';
import { recordAudit } from '../audit/service';
import type { Actor, AdminActor, WechatActor } from '../identity/actor';
import { AdminUser, WechatUser } from '../identity/models';
import { enqueueNotification } from '../notifications/service';
import { Region } from '../regions/model';
import { Enterprise, EnterpriseMember, UploadedFile, VerificationRequest } from './models';
import { idNumberHmac, maskIdNumber } from './service';

export const MAX_LICENCE_BYTES = 5 * 1024 * 1024;

/** The type is read from the bytes, never from the file name or the declared content type. */
export function sniffImage(bytes: Buffer): 'image/jpeg' | 'image/png' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
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
async function reviewRegion(uscc: string, enterprise: Enterprise | null): Promise<string | null> {
  if (enterprise) return enterprise.regionCode;
  const code = uscc.slice(2, 8);
  const region = await Region.findByPk(code);
  return region ? region.code : null;
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
  const mime = sniffImage(bytes);
  if (!mime) {
    throw new ValidationError('licence: 营业执照照片只能是 JPEG 或 PNG 图片', [
      { field: 'licence', message: '营业执照照片只能是 JPEG 或 PNG 图片' },
    ]);
  }
  const enterprise = await Enterprise.findOne({ where: { uscc: input.uscc } });
  const regionCode = await reviewRegion(input.uscc, enterprise);

  const created = await app.db.transaction(async (t) => {
    const user = await WechatUser.findByPk(actor.id, { transaction: t, lock: t.LOCK.UPDATE });
    if (!user) throw new NotFoundError('用户不存在');
    const pending = await VerificationRequest.count({ where: { wechatUserId: actor.id, uscc: input.uscc, status: 'pending' }, transaction: t });
    if (pending > 0) throw new ConflictError('该企业已有一份待审核的认证申请，请等待审核结果');
    if (enterprise) {
      const member = await EnterpriseMember.count({ where: { wechatUserId: actor.id, enterpriseId: enterprise.id }, transaction: t });
      if (member > 0) throw new ConflictError('您已绑定该企业，无需重复认证');
    }
    const file = await UploadedFile.create(
      {
        id: newId(),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        mime,
        size: bytes.length,
        data: bytes,
        ownerKind: 'wechat',
        ownerId: actor.id,
      },
      { transaction: t },
    );
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
    const advisors = await AdminUser.findAll({ where: { role: 'advisor', disabled: false }, attributes: ['id', 'regionCode'], transaction: t });
    for (const advisor of advisors) {
      if (advisor.regionCode && regionCode && !regionContains(advisor.regionCode, regionCode)) continue;
      if (advisor.regionCode && !regionCode) continue;
      await enqueueNotification(t, {
        recipientKind: 'admin',
        recipientId: advisor.id,
        templateKey: 'verification_pending',
        title: '新的企业认证申请',
        body: `${input.enterpriseName}（${input.uscc}）提交了企业认证申请，请审核。`,
        link: `/verifications/${request.id}`,
      });
    }
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
    where: { [Op.and]: [regionScope(actor), status ? { status } : {}] },
    order: [['createdAt', status === 'pending' ? 'ASC' : 'DESC']],
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
  });
  const names = await reviewerNames(rows);
  return { list: rows.map((r) => toDto(r, r.reviewerId ? (names.get(r.reviewerId) ?? null) : null)), total: count };
}

async function findInScope(actor: AdminActor, id: string): Promise<VerificationRequest> {
  const row = await VerificationRequest.findOne({ where: { [Op.and]: [{ id }, regionScope(actor)] } });
  if (!row) throw new NotFoundError('认证申请不存在或无权访问');
  return row;
}

export async function verificationDetail(actor: AdminActor, id: string): Promise<TVerificationDetail> {
  const row = await findInScope(actor, id);
  const [enterprise, file, names] = await Promise.all([
    Enterprise.findOne({ where: { uscc: row.uscc } }),
    UploadedFile.findByPk(row.licenceFileId, { attributes: ['mime'] }),
    reviewerNames([row]),
  ]);
  const region = enterprise ? await Region.findByPk(enterprise.regionCode) : null;
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
          regionName: region?.name ?? enterprise.regionCode,
          status: enterprise.status,
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

export async function licenceImage(actor: Actor, id: string): Promise<{ mime: string; data: Buffer }> {
  const row =
    actor.kind === 'admin'
      ? await findInScope(actor, id)
      : await VerificationRequest.findOne({ where: { id, wechatUserId: actor.id } });
  if (!row) throw new NotFoundError('认证申请不存在或无权访问');
  const file = await UploadedFile.findByPk(row.licenceFileId);
  if (!file) throw new NotFoundError('营业执照照片不存在');
  return { mime: file.mime, data: Buffer.from(file.data) };
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

/** Moves a pending request exactly once: the version column stops two reviewers from both deciding it. */
async function decide(
  app: AppContext,
  actor: AdminActor,
  id: string,
  meta: RequestMeta,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<TVerification> {
  const request = await findInScope(actor, id);
  if (request.status !== 'pending') throw new ConflictError(`该申请已${VERIFICATION_STATUS_LABELS[request.status]}，不能重复审核`);
  const enterprise = await Enterprise.findOne({ where: { uscc: request.uscc } });
  if (decision.approve && !enterprise) {
    throw new ConflictError('登记数据中没有该统一社会信用代码的企业，无法通过认证；请核实后驳回');
  }
  await app.db.transaction(async (t) => {
    const now = clock.now();
    const [updated] = await VerificationRequest.update(
      {
        status: decision.approve ? 'approved' : 'rejected',
        rejectReason: decision.approve ? null : decision.reason,
        reviewerId: actor.id,
        reviewedAt: now,
        enterpriseId: enterprise?.id ?? null,
        version: request.version + 1,
      },
      { where: { id: request.id, version: request.version, status: 'pending' }, transaction: t },
    );
    if (updated === 0) throw new ConflictError('该申请已被其他人处理，请刷新后查看');
    if (decision.approve && enterprise) {
      const already = await EnterpriseMember.count({ where: { enterpriseId: enterprise.id, wechatUserId: request.wechatUserId }, transaction: t });
      if (already === 0) {
        await EnterpriseMember.create(
          {
            id: newId(),
            enterpriseId: enterprise.id,
            wechatUserId: request.wechatUserId,
            role: request.applicantRole === 'owner' ? 'ent_owner' : 'ent_agent',
            displayName: request.applicantName,
            verificationId: request.id,
          },
          { transaction: t },
        );
      }
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
  });
  const fresh = await VerificationRequest.findByPk(request.id);
  return toDto(fresh!, actor.displayName);
}

export const approveVerification = (app: AppContext, actor: AdminActor, id: string, meta: RequestMeta) =>
  decide(app, actor, id, meta, { approve: true });

export const rejectVerification = (app: AppContext, actor: AdminActor, id: string, reason: string, meta: RequestMeta) =>
  decide(app, actor, id, meta, { approve: false, reason });
