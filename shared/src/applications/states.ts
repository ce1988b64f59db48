/**
 * The financing application's state machine (融资申请), declared once: the server guards every move with it, the
 * console and the mini-program ask it which buttons to show. Free of any schema library, so the mini-program imports
 * it as it is.
 *
 *   submitted → accepted → investigating → approved (an offer: amount, rate, term) → disbursed → settled
 *   rejected (reason code and text required) from submitted, accepted or investigating, by the institution;
 *   withdrawn by the enterprise before approval; offer_declined by the enterprise on an offer;
 *   overdue from disbursed (the institution, or the worker from repayment data), cured back to disbursed; settled
 *   from disbursed or overdue.
 *
 * "Approved" and "disbursed" are separate and truthful: money counts as arrived only when the institution records
 * the disbursement, and only after the enterprise accepted the offer (the accept_offer move, which keeps the status
 * and is allowed once).
 */

export const APPLICATION_STATUSES = [
  'submitted',
  'accepted',
  'investigating',
  'approved',
  'disbursed',
  'settled',
  'rejected',
  'withdrawn',
  'offer_declined',
  'overdue',
] as const;
export type TApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const APPLICATION_STATUS_LABELS: Record<TApplicationStatus, string> = {
  submitted: '已提交',
  accepted: '已受理',
  investigating: '调查审批中',
  approved: '已批准（待放款）',
  disbursed: '已放款',
  settled: '已结清',
  rejected: '未通过',
  withdrawn: '已撤回',
  offer_declined: '已放弃（未接受批复）',
  overdue: '已逾期',
};

/** Who makes a move: the institution's users (fi_admin, fi_officer), a member of the enterprise, or the worker. */
export const APPLICATION_ACTORS = ['institution', 'enterprise', 'system'] as const;
export type TApplicationActor = (typeof APPLICATION_ACTORS)[number];

export const APPLICATION_ACTIONS = [
  'accept',
  'investigate',
  'approve',
  'reject',
  'withdraw',
  'accept_offer',
  'decline_offer',
  'disburse',
  'mark_overdue',
  'cure',
  'settle',
] as const;
export type TApplicationAction = (typeof APPLICATION_ACTIONS)[number];
export const APPLICATION_ACTION_LABELS: Record<TApplicationAction, string> = {
  accept: '受理',
  investigate: '开始调查',
  approve: '批准',
  reject: '拒绝',
  withdraw: '撤回申请',
  accept_offer: '接受批复',
  decline_offer: '放弃',
  disburse: '登记放款',
  mark_overdue: '标记逾期',
  cure: '逾期已还清',
  settle: '结清',
};

export interface TApplicationMove {
  action: TApplicationAction;
  from: readonly TApplicationStatus[];
  to: TApplicationStatus | 'same';
  by: readonly TApplicationActor[];
  /** What the move must carry: an offer (amount, rate, term), or a reason code with its text. */
  requires?: 'offer' | 'reason';
}

export const APPLICATION_MOVES: readonly TApplicationMove[] = [
  { action: 'accept', from: ['submitted'], to: 'accepted', by: ['institution'] },
  { action: 'investigate', from: ['accepted'], to: 'investigating', by: ['institution'] },
  { action: 'approve', from: ['investigating'], to: 'approved', by: ['institution'], requires: 'offer' },
  { action: 'reject', from: ['submitted', 'accepted', 'investigating'], to: 'rejected', by: ['institution'], requires: 'reason' },
  { action: 'withdraw', from: ['submitted', 'accepted', 'investigating'], to: 'withdrawn', by: ['enterprise'] },
  { action: 'accept_offer', from: ['approved'], to: 'same', by: ['enterprise'] },
  { action: 'decline_offer', from: ['approved'], to: 'offer_declined', by: ['enterprise'] },
  { action: 'disburse', from: ['approved'], to: 'disbursed', by: ['institution'] },
  { action: 'mark_overdue', from: ['disbursed'], to: 'overdue', by: ['institution', 'system'] },
  { action: 'cure', from: ['overdue'], to: 'disbursed', by: ['institution', 'system'] },
  { action: 'settle', from: ['disbursed', 'overdue'], to: 'settled', by: ['institution'] },
];

export const TERMINAL_APPLICATION_STATUSES: readonly TApplicationStatus[] = ['settled', 'rejected', 'withdrawn', 'offer_declined'];

/** Reasons an institution gives for a rejection (the text beside it is required too). */
export const REJECTION_REASON_CODES = ['eligibility', 'credit', 'operations', 'collateral', 'documents', 'policy', 'other'] as const;
export type TRejectionReasonCode = (typeof REJECTION_REASON_CODES)[number];
export const REJECTION_REASON_LABELS: Record<TRejectionReasonCode, string> = {
  eligibility: '不符合准入条件',
  credit: '信用状况不满足要求',
  operations: '经营或财务状况不满足要求',
  collateral: '担保或抵质押不足',
  documents: '申请材料不全或不实',
  policy: '超出本行授信政策',
  other: '其他原因',
};

/** What the state machine needs to know of an application besides its status. */
export interface TApplicationFacts {
  status: TApplicationStatus;
  /** The enterprise accepted the offer (accept_offer was made). */
  offerAccepted: boolean;
}

export type TMoveCheck = { ok: true; to: TApplicationStatus } | { ok: false; message: string };

/** Whether `actor` may make `action` now, and the status it leads to; the message says why not, in Chinese. */
export function checkApplicationMove(facts: TApplicationFacts, action: TApplicationAction, actor: TApplicationActor): TMoveCheck {
  const move = APPLICATION_MOVES.find((m) => m.action === action);
  if (!move) return { ok: false, message: '未知的操作' };
  const label = APPLICATION_ACTION_LABELS[action];
  if (!move.by.includes(actor)) return { ok: false, message: `无权执行“${label}”` };
  if (!move.from.includes(facts.status)) {
    return { ok: false, message: `申请当前为“${APPLICATION_STATUS_LABELS[facts.status]}”，不能${label}` };
  }
  if (action === 'accept_offer' && facts.offerAccepted) return { ok: false, message: '已接受批复，无需重复操作' };
  if (action === 'decline_offer' && facts.offerAccepted) return { ok: false, message: '已接受批复，不能再放弃' };
  if (action === 'disburse' && !facts.offerAccepted) return { ok: false, message: '企业尚未接受批复，不能登记放款' };
  return { ok: true, to: move.to === 'same' ? facts.status : move.to };
}

/** The moves `actor` may make now, in declaration order: the buttons to show. */
export function availableApplicationMoves(facts: TApplicationFacts, actor: TApplicationActor): TApplicationAction[] {
  return APPLICATION_MOVES.filter((m) => checkApplicationMove(facts, m.action, actor).ok).map((m) => m.action);
}

/** What a move must carry, if anything. */
export function applicationMoveRequires(action: TApplicationAction): 'offer' | 'reason' | null {
  return APPLICATION_MOVES.find((m) => m.action === action)?.requires ?? null;
}
