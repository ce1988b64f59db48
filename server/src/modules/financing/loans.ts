import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import {
  buildRepaymentSchedule,
  formatFen,
  loanFigures,
  shanghaiDate,
  shiftDate,
  type PageResult,
  type TInstalment,
  type TLoan,
  type TLoanDisbursement,
  type TLoanQuery,
  type TRepayment,
  type TRepaymentChannel,
  type TRepaymentInput,
  type TRepaymentLine,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import { insertRows } from '../../db';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { recordAudit } from '../audit/service';
import { enqueueJob } from '../../jobs/queue';
import { enterpriseLabels, registeredEnterprisesByUscc, scopedEnterpriseIdsSql } from '../enterprises/repository';
import type { AdminActor } from '../identity/actor';
import { institutionNames } from '../matching/products';
import { applyMove } from './applications';
import { recordEvent, selectApplications, type ApplicationRow } from './store';

/**
 * Loans and repayments (贷款与还款): the loan the institution records on disbursement with its schedule, the
 * repayments it reports (console or signed API, idempotent by its own reference), and the figures derived from them
 * (balance, days overdue, five-category class), which also move the application to overdue and back and label
 * defaults for the scorecard trainer.
 */

/** Past this many days overdue a loan has defaulted (次级 and worse): the trainer's label. */
const DEFAULT_DAYS = 90;

interface LoanRow {
  id: string;
  applicationId: string;
  enterpriseId: string;
  institutionId: string;
  amountFen: number;
  rateBp: number;
  termMonths: number;
  disbursedOn: string;
  maturityOn: string;
  repaymentMethod: TLoan['repaymentMethod'];
  guaranteeMethod: TLoan['guaranteeMethod'];
  creditLoan: boolean;
  firstLoan: boolean;
  contractNo: string;
  schedule: TInstalment[];
  defaultedOn: string | null;
  version: number;
}

const LOAN_COLUMNS = `l.id, l.application_id AS applicationId, l.enterprise_id AS enterpriseId, l.institution_id AS institutionId,
  l.amount_fen AS amountFen, l.rate_bp AS rateBp, l.term_months AS termMonths, l.disbursed_on AS disbursedOn, l.maturity_on AS maturityOn,
  l.repayment_method AS repaymentMethod, l.guarantee_method AS guaranteeMethod, l.credit_loan AS creditLoan, l.first_loan AS firstLoan,
  l.contract_no AS contractNo, l.schedule, l.defaulted_on AS defaultedOn, l.version`;

function normaliseLoan(raw: Record<string, unknown>): LoanRow {
  return {
    ...(raw as unknown as LoanRow),
    id: String(raw.id),
    applicationId: String(raw.applicationId),
    enterpriseId: String(raw.enterpriseId),
    institutionId: String(raw.institutionId),
    amountFen: Number(raw.amountFen),
    rateBp: Number(raw.rateBp),
    termMonths: Number(raw.termMonths),
    creditLoan: Boolean(Number(raw.creditLoan)),
    firstLoan: Boolean(Number(raw.firstLoan)),
    schedule: JSON.parse(String(raw.schedule)) as TInstalment[],
    defaultedOn: raw.defaultedOn === null || raw.defaultedOn === undefined ? null : String(raw.defaultedOn),
    version: Number(raw.version),
  };
}

async function selectLoans(app: AppContext, where: string, replacements: Record<string, unknown>, t?: Transaction, tail = ''): Promise<LoanRow[]> {
  const rows = await app.db.sequelize.query<Record<string, unknown>>(`SELECT ${LOAN_COLUMNS} FROM loans l WHERE ${where} ${tail}`, {
    replacements,
    type: QueryTypes.SELECT,
    transaction: t,
  });
  return rows.map(normaliseLoan);
}

async function repaymentsOf(app: AppContext, loanIds: readonly string[], t?: Transaction): Promise<Map<string, TRepayment[]>> {
  const out = new Map<string, TRepayment[]>();
  if (loanIds.length === 0) return out;
  const rows = await app.db.sequelize.query<{
    id: unknown;
    loanId: unknown;
    paidOn: string;
    principalFen: unknown;
    interestFen: unknown;
    reference: string;
    channel: TRepaymentChannel;
    reportedByName: string;
    reportedAt: Date | string;
  }>(
    `SELECT id, loan_id AS loanId, paid_on AS paidOn, principal_fen AS principalFen, interest_fen AS interestFen, reference, channel,
       reported_by_name AS reportedByName, reported_at AS reportedAt
     FROM loan_repayments WHERE loan_id IN (:ids) ORDER BY paid_on ASC, reported_at ASC, id ASC`,
    { replacements: { ids: [...loanIds] }, type: QueryTypes.SELECT, transaction: t },
  );
  for (const r of rows) {
    const loanId = String(r.loanId);
    out.set(loanId, [
      ...(out.get(loanId) ?? []),
      {
        id: String(r.id),
        paidOn: r.paidOn,
        principalFen: Number(r.principalFen),
        interestFen: Number(r.interestFen),
        reference: r.reference,
        channel: r.channel,
        reportedByName: r.reportedByName,
        reportedAt: new Date(r.reportedAt).toISOString(),
      },
    ]);
  }
  return out;
}

async function toDtos(app: AppContext, loans: readonly LoanRow[]): Promise<TLoan[]> {
  const asOf = shanghaiDate(clock.now());
  const [repayments, enterprises, institutions] = await Promise.all([
    repaymentsOf(app, loans.map((l) => l.id)),
    enterpriseLabels(loans.map((l) => l.enterpriseId)),
    institutionNames(loans.map((l) => l.institutionId)),
  ]);
  return loans.map((loan) => {
    const paid = repayments.get(loan.id) ?? [];
    return {
      id: loan.id,
      applicationId: loan.applicationId,
      enterpriseId: loan.enterpriseId,
      enterpriseName: enterprises.get(loan.enterpriseId)?.name ?? '',
      institutionId: loan.institutionId,
      institutionName: institutions.get(loan.institutionId) ?? '',
      amountFen: loan.amountFen,
      rateBp: loan.rateBp,
      termMonths: loan.termMonths,
      disbursedOn: loan.disbursedOn,
      maturityOn: loan.maturityOn,
      repaymentMethod: loan.repaymentMethod,
      guaranteeMethod: loan.guaranteeMethod,
      creditLoan: loan.creditLoan,
      firstLoan: loan.firstLoan,
      contractNo: loan.contractNo,
      schedule: loan.schedule,
      repayments: paid,
      figures: loanFigures(loan.amountFen, loan.schedule, paid, asOf),
      asOf,
    };
  });
}

/**
 * Records the loan on disbursement, inside the move's transaction. It is the firm's first loan (首贷户) when no
 * earlier loan exists; the unique `first_loan_of` settles a race between two disbursements for one firm: the
 * second insert meets the first's key (on MySQL it waits for that transaction to end) and is written as not first.
 */
export async function createLoan(app: AppContext, t: Transaction, application: ApplicationRow, input: TLoanDisbursement): Promise<void> {
  const earlier = await app.db.sequelize.query('SELECT l.id FROM loans l WHERE l.enterprise_id = :id LIMIT 1', {
    replacements: { id: application.enterpriseId },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  const schedule = buildRepaymentSchedule(input.amountFen, input.rateBp, input.termMonths, input.repaymentMethod, input.disbursedOn);
  const today = shanghaiDate(clock.now());
  const figures = loanFigures(input.amountFen, schedule, [], today);
  const now = clock.now();
  const insert = (first: boolean) =>
    insertRows(
      app.db.sequelize,
      'loans',
      [
        'id', 'application_id', 'enterprise_id', 'institution_id', 'amount_fen', 'rate_bp', 'term_months', 'disbursed_on', 'maturity_on',
        'repayment_method', 'guarantee_method', 'credit_loan', 'first_loan', 'first_loan_of', 'contract_no', 'schedule', 'balance_fen', 'overdue_fen',
        'days_overdue', 'loan_class', 'status', 'figures_on', 'defaulted_on', 'version', 'created_at', 'updated_at',
      ],
      [[
        newId(), application.id, application.enterpriseId, application.institutionId, input.amountFen, input.rateBp, input.termMonths,
        input.disbursedOn, shiftDate(input.disbursedOn, input.termMonths), input.repaymentMethod, input.guaranteeMethod, input.creditLoan,
        first, first ? application.enterpriseId : null, input.contractNo, JSON.stringify(schedule), figures.balanceFen, figures.overdueFen,
        figures.daysOverdue, figures.loanClass, figures.status, today, null, 1, now, now,
      ]],
      t,
    );
  if (earlier.length > 0) return insert(false);
  try {
    await insert(true);
  } catch (error) {
    // Only the first-loan key can collide here (the application's own loan is guarded by the move's version).
    if (!(error instanceof UniqueConstraintError)) throw error;
    await insert(false);
  }
}

export async function loanOfApplication(app: AppContext, applicationId: string): Promise<TLoan | null> {
  const loans = await selectLoans(app, 'l.application_id = :id', { id: applicationId });
  return loans.length ? (await toDtos(app, loans))[0] : null;
}

/** Why the application cannot be settled or cured now, or null. */
export async function loanSettlementProblem(app: AppContext, applicationId: string, action: 'settle' | 'cure', t: Transaction): Promise<string | null> {
  const [loan] = await selectLoans(app, 'l.application_id = :id', { id: applicationId }, t);
  if (!loan) return '没有放款记录';
  const paid = (await repaymentsOf(app, [loan.id], t)).get(loan.id) ?? [];
  const figures = loanFigures(loan.amountFen, loan.schedule, paid, shanghaiDate(clock.now()));
  if (action === 'settle' && figures.balanceFen > 0) return `贷款尚有未还本金 ${formatFen(figures.balanceFen)}，请先报送还款再结清`;
  if (action === 'cure' && figures.daysOverdue > 0) return `仍有逾期未还款项 ${formatFen(figures.overdueFen)}`;
  return null;
}

function loanScope(actor: AdminActor): { where: string; replacements: Record<string, unknown> } {
  switch (actor.role) {
    case 'fi_admin':
    case 'fi_officer':
      return { where: 'l.institution_id = :org', replacements: { org: actor.organisationId } };
    case 'platform_admin':
    case 'advisor':
    case 'gov':
      return { where: `l.enterprise_id IN ${scopedEnterpriseIdsSql(actor, 'registration')}`, replacements: {} };
    default:
      return { where: '1=0', replacements: {} };
  }
}

export async function listLoans(app: AppContext, actor: AdminActor, query: TLoanQuery): Promise<PageResult<TLoan>> {
  const scope = loanScope(actor);
  const conditions = [scope.where];
  const replacements: Record<string, unknown> = { ...scope.replacements };
  if (query.loanClass) (conditions.push('l.loan_class = :loanClass'), (replacements.loanClass = query.loanClass));
  if (query.status) (conditions.push('l.status = :status'), (replacements.status = query.status));
  const where = conditions.join(' AND ');
  const [counted, loans] = await Promise.all([
    app.db.sequelize.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM loans l WHERE ${where}`, { replacements, type: QueryTypes.SELECT }),
    selectLoans(app, where, { ...replacements, limit: query.pageSize, offset: (query.current - 1) * query.pageSize }, undefined, 'ORDER BY l.disbursed_on DESC, l.id DESC LIMIT :limit OFFSET :offset'),
  ]);
  return { list: await toDtos(app, loans), total: Number(counted[0]?.n ?? 0) };
}

async function scopedLoan(app: AppContext, actor: AdminActor, id: string, t?: Transaction): Promise<LoanRow> {
  const scope = loanScope(actor);
  const [loan] = await selectLoans(app, `l.id = :id AND ${scope.where}`, { ...scope.replacements, id }, t);
  if (!loan) throw new NotFoundError('贷款不存在或无权访问');
  return loan;
}

export async function loanDetail(app: AppContext, actor: AdminActor, id: string): Promise<TLoan> {
  return (await toDtos(app, [await scopedLoan(app, actor, id)]))[0];
}


/**
 * A repayment from the institution. The same reference again with the same amounts is the same repayment (an
 * answer, not a second booking); with other amounts it is a 409. Figures are recomputed in the same transaction
 * under the loan's version, so two repayments reported at once are both counted or one is retried.
 */
export async function reportRepayment(app: AppContext, actor: AdminActor, loanId: string, input: TRepaymentInput, meta: RequestMeta): Promise<TLoan> {
  const loan = await scopedLoan(app, actor, loanId);
  const today = shanghaiDate(clock.now());
  const early = repaymentProblem(loan, null, input, today);
  if (early) throw ValidationError.of(early.field, early.reason);
  const [application] = await selectApplications(app.db.sequelize, 'a.id = :id', { id: loan.applicationId });
  try {
    await app.db.transaction(async (t) => {
      const [fresh] = await selectLoans(app, 'l.id = :id', { id: loan.id }, t);
      const paid = (await repaymentsOf(app, [loan.id], t)).get(loan.id) ?? [];
      const same = paid.find((p) => p.reference === input.reference);
      if (same) {
        if (sameRepayment(same, input)) return;
        throw new ConflictError(`流水号 ${input.reference} 已用于另一笔还款`);
      }
      if (application.status === 'settled') throw new ConflictError('贷款已结清，不能再报送还款');
      const problem = repaymentProblem(fresh, loanFigures(fresh.amountFen, fresh.schedule, paid, today).balanceFen, input, today);
      if (problem) throw ValidationError.of(problem.field, problem.reason);
      await insertRows(app.db.sequelize, 'loan_repayments', REPAYMENT_COLUMNS, [repaymentValues(loan.id, input, { id: actor.id, name: actor.displayName, channel: actor.client ? 'api' : 'console' })], t);
      const line = { paidOn: input.paidOn, principalFen: input.principalFen, interestFen: input.interestFen };
      await saveFigures(app, t, fresh, [...paid, line], today);
      await recordEvent(t, loan.applicationId, {
        kind: 'repayment',
        actorKind: 'institution',
        actorId: actor.id,
        actorName: actor.displayName,
        note: `${input.paidOn} 归还本金 ${formatFen(input.principalFen)}、利息 ${formatFen(input.interestFen)}（流水号 ${input.reference}）`,
      });
      await recordAudit(t, { actor, action: 'loan.repayment', targetType: 'loan', targetId: loan.id, outcome: 'success', detail: { ...line, reference: input.reference }, meta });
    });
  } catch (error) {
    // Two reports of one reference at once: the loser meets the unique index and answers as a repeat would.
    if (error instanceof UniqueConstraintError) {
      const paid = (await repaymentsOf(app, [loan.id])).get(loan.id) ?? [];
      const same = paid.find((p) => p.reference === input.reference);
      if (!same || !sameRepayment(same, input)) throw new ConflictError(`流水号 ${input.reference} 已用于另一笔还款`);
    } else throw error;
  }
  await followLoanStatus(app, loan.applicationId);
  return loanDetail(app, actor, loanId);
}

const REPAYMENT_COLUMNS = ['id', 'loan_id', 'paid_on', 'principal_fen', 'interest_fen', 'reference', 'channel', 'reported_by', 'reported_by_name', 'reported_at'];

/** Who reported repayments: a console user or API client, or a data source's push or a file import of the pipeline. */
export interface RepaymentReporter {
  id: string;
  name: string;
  channel: TRepaymentChannel;
}

function repaymentValues(loanId: string, input: TRepaymentInput, by: RepaymentReporter): unknown[] {
  return [newId(), loanId, input.paidOn, input.principalFen, input.interestFen, input.reference, by.channel, by.id, by.name.slice(0, 64), clock.now()];
}

const sameRepayment = (a: TRepaymentLine & { reference: string }, b: TRepaymentInput): boolean =>
  a.reference === b.reference && a.paidOn === b.paidOn && a.principalFen === b.principalFen && a.interestFen === b.interestFen;

/**
 * Why a repayment cannot be booked on the loan today, by field; null when it can. `balanceFen` null skips the
 * balance check (before the loan's repayments are read).
 */
function repaymentProblem(loan: LoanRow, balanceFen: number | null, input: TRepaymentLine, today: string): { field: 'paidOn' | 'principalFen'; reason: string } | null {
  if (input.principalFen + input.interestFen <= 0) return { field: 'principalFen', reason: '还款本金与利息不能都为 0' };
  if (input.paidOn > today) return { field: 'paidOn', reason: '还款日期不能晚于今天' };
  if (input.paidOn < loan.disbursedOn) return { field: 'paidOn', reason: `还款日期不能早于放款日期 ${loan.disbursedOn}` };
  if (balanceFen !== null && input.principalFen > balanceFen) return { field: 'principalFen', reason: `归还本金超过贷款余额 ${formatFen(balanceFen)}` };
  return null;
}

/** One repayment row of the ingestion pipeline (category loan_repayment), as the normaliser read it. */
export interface RepaymentRow extends TRepaymentInput {
  rowNumber: number;
  uscc: string;
  loanId: string | null;
  contractNo: string | null;
}

export interface RepaymentBooking {
  accepted: number;
  duplicate: number;
  errors: Array<{ rowNumber: number; field: string; value: string; reason: string }>;
  /** Applications whose loans moved: their overdue status is followed by a job after the commit. */
  applicationIds: string[];
}

/**
 * Books a chunk of pipeline repayment rows inside the caller's transaction: each row names a loan of the reporting
 * institution (by platform loan id or contract number) and its borrower's USCC. A reference already booked with
 * the same content is a duplicate; with other content, or a row that fails a check, it is that row's error and the
 * others go on. Figures move under each loan's version (a concurrent change makes the chunk run again), one
 * timeline entry per loan sums the chunk up, and the overdue status is followed on the worker.
 */
export async function bookRepaymentRows(app: AppContext, t: Transaction, institutionId: string, by: RepaymentReporter, rows: readonly RepaymentRow[]): Promise<RepaymentBooking> {
  const booking: RepaymentBooking = { accepted: 0, duplicate: 0, errors: [], applicationIds: [] };
  if (rows.length === 0) return booking;
  const today = shanghaiDate(clock.now());
  const ids = [...new Set(rows.flatMap((r) => (r.loanId ? [r.loanId] : [])))];
  const numbers = [...new Set(rows.flatMap((r) => (r.contractNo ? [r.contractNo] : [])))];
  const named = [ids.length > 0 ? 'l.id IN (:ids)' : null, numbers.length > 0 ? 'l.contract_no IN (:numbers)' : null].filter(Boolean).join(' OR ');
  const loans = await selectLoans(app, `l.institution_id = :institutionId AND (${named})`, { institutionId, ids, numbers }, t);
  const byId = new Map(loans.map((l) => [l.id, l]));
  const byContract = new Map<string, LoanRow[]>();
  for (const loan of loans) if (loan.contractNo) byContract.set(loan.contractNo, [...(byContract.get(loan.contractNo) ?? []), loan]);
  const [borrowers, applications, paid] = await Promise.all([
    registeredEnterprisesByUscc(rows.map((r) => r.uscc)),
    loans.length > 0 ? selectApplications(app.db.sequelize, 'a.id IN (:ids)', { ids: loans.map((l) => l.applicationId) }, t) : Promise.resolve([]),
    repaymentsOf(app, loans.map((l) => l.id), t),
  ]);
  const settled = new Set(applications.filter((a) => a.status === 'settled').map((a) => a.id));

  const lines = new Map<string, Array<TRepaymentLine & { reference: string }>>();
  const linesOf = (loan: LoanRow) => {
    let list = lines.get(loan.id);
    if (!list) lines.set(loan.id, (list = [...(paid.get(loan.id) ?? [])]));
    return list;
  };
  const booked = new Map<string, RepaymentRow[]>();
  const inserts: unknown[][] = [];
  for (const row of rows) {
    const refuse = (field: string, value: string, reason: string) => booking.errors.push({ rowNumber: row.rowNumber, field, value, reason });
    const candidates = row.loanId ? [byId.get(row.loanId)].filter((l): l is LoanRow => Boolean(l)) : (byContract.get(row.contractNo ?? '') ?? []);
    if (candidates.length === 0) {
      refuse(row.loanId ? 'loanId' : 'contractNo', row.loanId ?? row.contractNo ?? '', '本机构没有这笔贷款：请核对平台贷款编号或合同编号');
      continue;
    }
    if (candidates.length > 1) {
      refuse('contractNo', row.contractNo ?? '', `合同编号对应 ${candidates.length} 笔贷款，请填写平台贷款编号`);
      continue;
    }
    const loan = candidates[0];
    if (row.loanId && row.contractNo && loan.contractNo !== row.contractNo) {
      refuse('contractNo', row.contractNo, `合同编号与平台贷款编号 ${loan.id} 登记的合同编号（${loan.contractNo || '未填写'}）不一致`);
      continue;
    }
    if (borrowers.get(row.uscc)?.id !== loan.enterpriseId) {
      refuse('uscc', row.uscc, '统一社会信用代码与该笔贷款的借款企业不一致');
      continue;
    }
    const list = linesOf(loan);
    const same = list.find((p) => p.reference === row.reference);
    if (same) {
      if (sameRepayment(same, row)) booking.duplicate += 1;
      else refuse('externalId', row.reference, `流水号 ${row.reference} 已用于该笔贷款的另一笔还款`);
      continue;
    }
    if (settled.has(loan.applicationId)) {
      refuse('externalId', row.reference, '贷款已结清，不能再报送还款');
      continue;
    }
    const problem = repaymentProblem(loan, loanFigures(loan.amountFen, loan.schedule, list, today).balanceFen, row, today);
    if (problem) {
      refuse(problem.field, problem.field === 'paidOn' ? row.paidOn : formatFen(row.principalFen), problem.reason);
      continue;
    }
    list.push({ paidOn: row.paidOn, principalFen: row.principalFen, interestFen: row.interestFen, reference: row.reference });
    booked.set(loan.id, [...(booked.get(loan.id) ?? []), row]);
    inserts.push(repaymentValues(loan.id, row, by));
    booking.accepted += 1;
  }
  if (inserts.length === 0) return booking;

  await insertRows(app.db.sequelize, 'loan_repayments', REPAYMENT_COLUMNS, inserts, t);
  const channel = by.channel === 'file' ? '文件导入' : '机构系统报送';
  for (const [loanId, list] of booked) {
    const loan = byId.get(loanId)!;
    await saveFigures(app, t, loan, lines.get(loanId)!, today);
    const principal = list.reduce((sum, r) => sum + r.principalFen, 0);
    const interest = list.reduce((sum, r) => sum + r.interestFen, 0);
    const references = list.slice(0, 5).map((r) => r.reference).join('、') + (list.length > 5 ? ` 等 ${list.length} 笔` : '');
    await recordEvent(t, loan.applicationId, {
      kind: 'repayment',
      actorKind: 'institution',
      actorId: by.id,
      actorName: by.name,
      note: `${channel}还款 ${list.length} 笔，归还本金 ${formatFen(principal)}、利息 ${formatFen(interest)}（流水号 ${references}）`,
    });
    booking.applicationIds.push(loan.applicationId);
  }
  await enqueueJob(t, 'financing.follow-loans', { applicationIds: booking.applicationIds });
  return booking;
}

/** Writes the derived figures under the loan's version, and labels a default for the trainer. */
async function saveFigures(app: AppContext, t: Transaction, loan: LoanRow, paid: ReadonlyArray<{ paidOn: string; principalFen: number; interestFen: number }>, today: string): Promise<void> {
  const figures = loanFigures(loan.amountFen, loan.schedule, paid, today);
  const defaulted = loan.defaultedOn ?? (figures.daysOverdue > DEFAULT_DAYS ? today : null);
  const [, affected] = (await app.db.sequelize.query(
    `UPDATE loans SET balance_fen = :balance, overdue_fen = :overdue, days_overdue = :days, loan_class = :loanClass, status = :status,
       figures_on = :today, defaulted_on = :defaulted, version = version + 1, updated_at = :now
     WHERE id = :id AND version = :version`,
    {
      replacements: {
        balance: figures.balanceFen,
        overdue: figures.overdueFen,
        days: figures.daysOverdue,
        loanClass: figures.loanClass,
        status: figures.status,
        today,
        defaulted,
        now: clock.now(),
        id: loan.id,
        version: loan.version,
      },
      type: QueryTypes.UPDATE,
      transaction: t,
    },
  )) as unknown as [unknown, number];
  // A concurrent change of the same loan: the transaction is retried from the start.
  if (Number(affected) !== 1) throw new UniqueConstraintError({ message: 'loan figures changed concurrently' });
  if (defaulted && !loan.defaultedOn) await labelOutcome(app, t, loan.enterpriseId, true, today);
  else if (figures.status === 'settled' && !loan.defaultedOn) await labelOutcome(app, t, loan.enterpriseId, false, today);
}

/**
 * The trainer's label (credit_outcomes, one row per firm): a default on a platform loan always wins; a loan repaid
 * without default labels the firm good unless a loan of it defaulted.
 */
async function labelOutcome(app: AppContext, t: Transaction, enterpriseId: string, defaulted: boolean, today: string): Promise<void> {
  const sequelize = app.db.sequelize;
  const [existing] = await sequelize.query<{ defaulted: unknown; origin: string }>('SELECT defaulted, origin FROM credit_outcomes WHERE enterprise_id = :id', {
    replacements: { id: enterpriseId },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  if (!existing) {
    await insertRows(sequelize, 'credit_outcomes', ['enterprise_id', 'observed_on', 'defaulted', 'origin'], [[enterpriseId, today, defaulted, 'loan']], t);
    return;
  }
  if (!defaulted && existing.origin === 'loan' && Boolean(Number(existing.defaulted))) return;
  await sequelize.query('UPDATE credit_outcomes SET observed_on = :today, defaulted = :defaulted, origin = :origin WHERE enterprise_id = :id', {
    replacements: { today, defaulted, origin: 'loan', id: enterpriseId },
    type: QueryTypes.UPDATE,
    transaction: t,
  });
}

/**
 * Moves the application to overdue when its loan has an unpaid instalment past due, and back when it is cleared
 * (the system's mark_overdue and cure moves). A concurrent move by a person wins; the next refresh tries again.
 */
export async function followLoanStatus(app: AppContext, applicationId: string): Promise<void> {
  const [application] = await selectApplications(app.db.sequelize, 'a.id = :id', { id: applicationId });
  const [loan] = await selectLoans(app, 'l.application_id = :id', { id: applicationId });
  if (!application || !loan) return;
  const paid = (await repaymentsOf(app, [loan.id])).get(loan.id) ?? [];
  const figures = loanFigures(loan.amountFen, loan.schedule, paid, shanghaiDate(clock.now()));
  const action = application.status === 'disbursed' && figures.daysOverdue > 0 ? 'mark_overdue' : application.status === 'overdue' && figures.daysOverdue === 0 ? 'cure' : null;
  if (!action) return;
  const note = action === 'mark_overdue' ? `自 ${figures.overdueSince} 起逾期，逾期金额 ${formatFen(figures.overdueFen)}` : '逾期款项已还清';
  try {
    await applyMove(app, applicationId, { action, version: application.version, note }, { kind: 'system', id: null, name: '系统', audit: null }, null);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

/** The worker's daily pass: figures of every live loan as of today (days overdue grow without any report). */
export async function refreshLoanFigures(app: AppContext, limit = 500): Promise<{ refreshed: number }> {
  const today = shanghaiDate(clock.now());
  let refreshed = 0;
  let after = '0';
  for (;;) {
    const loans = await selectLoans(app, "l.status <> 'settled' AND l.figures_on < :today AND l.id > :after", { today, after }, undefined, `ORDER BY l.id LIMIT ${Math.trunc(limit)}`);
    if (loans.length === 0) break;
    for (const loan of loans) {
      after = loan.id;
      try {
        await app.db.transaction(async (t) => {
          const [fresh] = await selectLoans(app, 'l.id = :id', { id: loan.id }, t);
          const paid = (await repaymentsOf(app, [loan.id], t)).get(loan.id) ?? [];
          await saveFigures(app, t, fresh, paid, today);
        });
      } catch (error) {
        if (!(error instanceof UniqueConstraintError)) throw error;
      }
      await followLoanStatus(app, loan.applicationId);
      refreshed += 1;
    }
  }
  return { refreshed };
}
