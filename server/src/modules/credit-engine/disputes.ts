import { readFile } from 'node:fs/promises';
import { Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import {
  DISPUTE_DEADLINE_DAYS,
  DISPUTE_STATUS_LABELS,
  DISPUTE_TRANSITIONS,
  RECORD_SCOPES,
  categoriesOfScope,
  describeCreditPayload,
  addDays,
  daysBetween,
  shanghaiDate,
  type PageResult,
  type TCreditDispute,
  type TCreditDisputeQuery,
  type TDataScope,
  type TDisputeResolve,
  type TDisputeStatus,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import type { RequestMeta, UploadedPart } from '../../http/route';
import { recordAudit } from '../audit/service';
import { enterpriseLabels, findScopedEnterprise, grantedRecordsSql, membersOf } from '../enterprises/repository';
import type { AdminActor, WechatActor } from '../identity/actor';
import { regionResponders } from '../identity/advisors';
import { AdminUser } from '../identity/models';
import { checkImage } from '../files/image';
import { readStoredFile, stageFile, transactionWithFile } from '../files/service';
import { enqueueNotification, type Notification } from '../notifications/service';
import { markChanged } from '../credit-data/ingest';
import { CreditRecord, DataSource } from '../credit-data/models';
import { CreditDispute } from './models';
import { notifyMembers } from '../enterprises/notify';

/**
 * 异议 (征信业管理条例 art. 25): a firm disputes one of its records, with a reason and optional evidence. While the
 * dispute is open the record shows as disputed and, if the scorecard version says so, is left out of the score
 * (the change feed rescores the firm). The record's source (its organisation's users, in the console) or an
 * advisor of the region resolves it within 20 days:
 * - upheld: the record is withdrawn (kept as history, no longer current) and the firm rescored;
 * - rejected: the record stands and counts again.
 * The firm is told at each step; the resolvers are told when a dispute arrives.
 */

export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

function evidenceMime(bytes: Buffer): string {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  const image = checkImage(bytes);
  if (image.ok) return image.mime;
  const message = '证明材料只能是 PDF 文件或 JPEG、PNG 图片';
  throw new ValidationError(`evidence: ${message}`, [{ field: 'evidence', message }]);
}

function daysLeft(dispute: CreditDispute, today: string): number | null {
  return dispute.status === 'open' ? daysBetween(today, dispute.dueOn) : null;
}

async function toDtos(disputes: CreditDispute[]): Promise<TCreditDispute[]> {
  const [labels, records, sources] = await Promise.all([
    enterpriseLabels(disputes.map((d) => d.enterpriseId)),
    CreditRecord.findAll({ where: { id: disputes.map((d) => d.recordId) }, attributes: ['id', 'category', 'payload'] }),
    DataSource.findAll({ where: { id: [...new Set(disputes.map((d) => d.sourceId))] }, attributes: ['id', 'name'] }),
  ]);
  const recordById = new Map(records.map((r) => [String(r.id), r]));
  const sourceById = new Map(sources.map((s) => [String(s.id), s.name]));
  const today = shanghaiDate(clock.now());
  return disputes.map((d) => {
    const record = recordById.get(d.recordId);
    const fields = record ? describeCreditPayload(record.category, JSON.parse(record.payload) as Record<string, unknown>) : [];
    return {
      id: d.id,
      enterpriseId: d.enterpriseId,
      enterpriseName: labels.get(d.enterpriseId)?.name ?? '',
      recordId: d.recordId,
      category: d.category,
      recordSummary: fields.slice(0, 4).map((f) => `${f.label}：${f.value}`).join('；'),
      sourceId: d.sourceId,
      sourceName: sourceById.get(d.sourceId) ?? '',
      reason: d.reason,
      evidenceFileId: d.evidenceFileId,
      status: d.status,
      raisedAt: new Date(d.raisedAt).toISOString(),
      dueOn: d.dueOn,
      daysLeft: daysLeft(d, today),
      resolvedAt: d.resolvedAt ? new Date(d.resolvedAt).toISOString() : null,
      resolvedByName: d.resolvedByName,
      resolutionNote: d.resolutionNote,
    };
  });
}

/** Every member of the firm hears of each step of its dispute. */
/** The source's organisation users and the region's advisors (or the platform admins where no advisor covers it). */
async function resolverIds(t: Transaction, sourceOrganisationId: string, regionCode: string): Promise<string[]> {
  const sourceUsers = await AdminUser.findAll({ where: { organisationId: sourceOrganisationId, disabled: false }, attributes: ['id'], raw: true, transaction: t });
  return [...new Set([...sourceUsers.map((u) => String(u.id)), ...(await regionResponders(t, regionCode))])];
}

export async function raiseDispute(
  app: AppContext,
  actor: WechatActor,
  enterpriseId: string,
  input: { recordId: string; reason: string },
  evidence: UploadedPart | undefined,
  meta: RequestMeta,
): Promise<TCreditDispute> {
  const enterprise = await findScopedEnterprise(actor, enterpriseId, RECORD_SCOPES);
  if (!enterprise) throw new NotFoundError('企业不存在或无权访问');
  const record = await CreditRecord.findOne({ where: { id: input.recordId, enterpriseId: enterprise.id, isCurrent: 1, expiredAt: null } });
  if (!record) throw new NotFoundError('记录不存在或已不再有效');
  let bytes: Buffer | null = null;
  if (evidence) {
    if (evidence.size > MAX_EVIDENCE_BYTES) throw new ValidationError('evidence: 证明材料不能超过 5 MB', [{ field: 'evidence', message: '证明材料不能超过 5 MB' }]);
    bytes = await readFile(evidence.filepath);
  }
  const write = async (t: Transaction, evidenceFileId: string | null): Promise<CreditDispute> => {
    const source = await DataSource.findByPk(record.sourceId, { attributes: ['id', 'organisationId', 'name'], transaction: t });
    const now = clock.now();
    const today = shanghaiDate(now);
    let dispute: CreditDispute;
    try {
      dispute = await CreditDispute.create(
        {
          id: newId(),
          enterpriseId: enterprise.id,
          recordId: record.id,
          openRecordId: record.id,
          sourceId: record.sourceId,
          category: record.category,
          regionCode: enterprise.regionCode,
          reason: input.reason,
          evidenceFileId,
          status: 'open',
          raisedBy: actor.id,
          raisedAt: now,
          dueOn: addDays(today, DISPUTE_DEADLINE_DAYS),
        },
        { transaction: t },
      );
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw new ConflictError('该记录已有处理中的异议，请等待处理结果');
      throw error;
    }
    const [marked] = await CreditRecord.update({ disputed: true }, { where: { id: record.id, isCurrent: 1 }, transaction: t });
    if (marked !== 1) throw new ConflictError('记录已被更正或撤回，请刷新后重试');
    await markChanged(app, [enterprise.id], record.category, t);
    await recordAudit(t, {
      actor,
      action: 'credit.dispute.raise',
      targetType: 'credit_dispute',
      targetId: dispute.id,
      outcome: 'success',
      detail: { enterpriseId: enterprise.id, recordId: record.id, category: record.category },
      meta,
    });
    await notifyMembers(t, enterprise.id, {
      templateKey: 'credit_dispute',
      title: '异议已提交',
      body: `${enterprise.name} 对一条${record.category === 'penalty' ? '行政处罚' : '信用'}记录提出的异议已提交，将在 ${dispute.dueOn} 前处理完毕。处理期间该记录标注为“异议中”。`,
      link: '/subpackages/credit/profile/index',
    });
    for (const id of await resolverIds(t, source?.organisationId ?? '0', enterprise.regionCode)) {
      await enqueueNotification(t, {
        recipientKind: 'admin',
        recipientId: id,
        templateKey: 'credit_dispute',
        title: `新的信用记录异议：${enterprise.name}`,
        body: `${enterprise.name} 对数据源“${source?.name ?? ''}”报送的一条记录提出异议，请在 ${dispute.dueOn} 前处理。理由：${input.reason}`,
        link: `/credit/disputes?id=${dispute.id}`,
      });
    }
    return dispute;
  };
  const created = bytes
    ? await transactionWithFile(app, await stageFile(app, bytes, evidenceMime(bytes), { kind: 'wechat', id: actor.id }), (t, file) => write(t, file.id))
    : await app.db.transaction((t) => write(t, null));
  return (await toDtos([created]))[0];
}

export async function myDisputes(actor: WechatActor, enterpriseId: string): Promise<TCreditDispute[]> {
  const enterprise = await findScopedEnterprise(actor, enterpriseId, RECORD_SCOPES);
  if (!enterprise) throw new NotFoundError('企业不存在或无权访问');
  const rows = await CreditDispute.findAll({ where: { enterpriseId: enterprise.id }, order: [['raisedAt', 'DESC']], limit: 200 });
  return toDtos(rows);
}

/**
 * Who sees a dispute in the console: the enterprises in the caller's scope (platform admins, advisors and government
 * of the region); an institution or agency, the disputes of records it may read, those of the categories whose scope
 * the firm granted it (a dispute quotes its record, and carries the record's enterprise and category); and, for the
 * users of an organisation that runs a data source, the disputes of that source's records.
 */
async function disputeScope(actor: AdminActor): Promise<WhereOptions<CreditDispute>> {
  const sources = await DataSource.findAll({ where: { organisationId: actor.organisationId }, attributes: ['id'], raw: true });
  const ownSources = sources.map((s) => String(s.id));
  const readable = CreditDispute.sequelize!.literal(`(SELECT d.id FROM credit_disputes d WHERE ${grantedRecordsSql(actor, 'd')})`);
  const inScope = { id: { [Op.in]: readable } };
  return ownSources.length > 0 ? { [Op.or]: [inScope, { sourceId: ownSources }] } : inScope;
}

/** `scopes` narrows the list to the disputes of records those scopes admit (the credit report of one application). */
export async function listDisputes(actor: AdminActor, query: TCreditDisputeQuery, scopes?: readonly TDataScope[]): Promise<PageResult<TCreditDispute>> {
  const conditions: WhereOptions<CreditDispute>[] = [await disputeScope(actor)];
  if (scopes) conditions.push({ category: scopes.flatMap(categoriesOfScope) });
  if (query.status) conditions.push({ status: query.status });
  if (query.enterpriseId) conditions.push({ enterpriseId: query.enterpriseId });
  const { rows, count } = await CreditDispute.findAndCountAll({
    where: { [Op.and]: conditions },
    order: [['raisedAt', 'DESC'], ['id', 'DESC']],
    offset: (query.current - 1) * query.pageSize,
    limit: query.pageSize,
  });
  return { list: await toDtos(rows), total: count };
}

async function findForResolver(actor: AdminActor, id: string, t?: Transaction): Promise<CreditDispute> {
  const dispute = await CreditDispute.findOne({ where: { [Op.and]: [{ id }, await disputeScope(actor)] }, transaction: t });
  if (!dispute) throw new NotFoundError('异议不存在或无权访问');
  return dispute;
}

export async function disputeEvidence(app: AppContext, actor: AdminActor, id: string): Promise<{ mime: string; data: Buffer }> {
  const dispute = await findForResolver(actor, id);
  if (!dispute.evidenceFileId) throw new NotFoundError('该异议没有上传证明材料');
  return readStoredFile(app, dispute.evidenceFileId);
}

/** Moves an open dispute once: the conditional update on `status = 'open'` lets one of two resolvers win, the other 409. */
export async function resolveDispute(app: AppContext, actor: AdminActor, id: string, input: TDisputeResolve, meta: RequestMeta): Promise<TCreditDispute> {
  if (!['platform_admin', 'advisor'].includes(actor.role)) {
    const sources = await DataSource.count({ where: { organisationId: actor.organisationId } });
    if (sources === 0) throw new NotFoundError('异议不存在或无权访问');
  }
  const resolved = await app.db.transaction(async (t) => {
    const dispute = await findForResolver(actor, id, t);
    const to: TDisputeStatus = input.outcome;
    if (!DISPUTE_TRANSITIONS[dispute.status].includes(to)) throw new ConflictError(`异议已处理（${DISPUTE_STATUS_LABELS[dispute.status]}）`);
    // A government user reads disputes of the region but does not decide them.
    if (actor.role === 'gov') throw new NotFoundError('异议不存在或无权访问');
    const now = clock.now();
    const [moved] = await CreditDispute.update(
      { status: to, openRecordId: null, resolvedBy: actor.id, resolvedByName: actor.displayName, resolvedAt: now, resolutionNote: input.note },
      { where: { id: dispute.id, status: 'open' }, transaction: t },
    );
    if (moved !== 1) throw new ConflictError('异议已被他人处理，请刷新');
    // Upheld: the record is withdrawn (no longer current, kept as history); rejected: it stands and counts again.
    await CreditRecord.update(
      to === 'upheld' ? { disputed: false, isCurrent: null, withdrawnAt: now } : { disputed: false },
      { where: { id: dispute.recordId }, transaction: t },
    );
    await markChanged(app, [dispute.enterpriseId], dispute.category, t);
    await recordAudit(t, {
      actor,
      action: 'credit.dispute.resolve',
      targetType: 'credit_dispute',
      targetId: dispute.id,
      outcome: 'success',
      detail: { outcome: to, recordId: dispute.recordId, enterpriseId: dispute.enterpriseId, note: input.note },
      meta,
    });
    await notifyMembers(t, dispute.enterpriseId, {
      templateKey: 'credit_dispute',
      title: to === 'upheld' ? '异议成立，记录已撤回' : '异议不成立，记录维持',
      body:
        to === 'upheld'
          ? `您提出的异议经核实成立，相关记录已撤回，信用评分将重新计算。处理说明：${input.note}`
          : `您提出的异议经核实不成立，相关记录维持不变。处理说明：${input.note}`,
      link: '/subpackages/credit/profile/index',
    });
    return (await CreditDispute.findByPk(dispute.id, { transaction: t }))!;
  });
  return (await toDtos([resolved]))[0];
}
