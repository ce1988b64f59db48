import {
  APPLICATION_ACTIONS,
  APPLICATION_ACTORS,
  APPLICATION_STATUSES,
  APPLICATION_STATUS_LABELS,
  REJECTION_REASON_CODES,
  REJECTION_REASON_LABELS,
  TERMINAL_APPLICATION_STATUSES,
  applicationMoveRequires,
  availableApplicationMoves,
  checkApplicationMove,
  type TApplicationAction,
  type TApplicationActor,
  type TApplicationStatus,
} from '@xyd/shared';

/**
 * The application state machine against a table written out by hand from the rules: every (status, offer
 * accepted, action, actor) is checked, allowed and forbidden alike.
 */
type Row = [TApplicationStatus, TApplicationAction, TApplicationActor, TApplicationStatus];
const ALLOWED: Row[] = [
  ['submitted', 'accept', 'institution', 'accepted'],
  ['accepted', 'investigate', 'institution', 'investigating'],
  ['investigating', 'approve', 'institution', 'approved'],
  ['submitted', 'reject', 'institution', 'rejected'],
  ['accepted', 'reject', 'institution', 'rejected'],
  ['investigating', 'reject', 'institution', 'rejected'],
  ['submitted', 'withdraw', 'enterprise', 'withdrawn'],
  ['accepted', 'withdraw', 'enterprise', 'withdrawn'],
  ['investigating', 'withdraw', 'enterprise', 'withdrawn'],
  ['approved', 'accept_offer', 'enterprise', 'approved'],
  ['approved', 'decline_offer', 'enterprise', 'offer_declined'],
  ['approved', 'disburse', 'institution', 'disbursed'],
  ['disbursed', 'mark_overdue', 'institution', 'overdue'],
  ['disbursed', 'mark_overdue', 'system', 'overdue'],
  ['overdue', 'cure', 'institution', 'disbursed'],
  ['overdue', 'cure', 'system', 'disbursed'],
  ['disbursed', 'settle', 'institution', 'settled'],
  ['overdue', 'settle', 'institution', 'settled'],
];

/** The offer flag matters only on an approved application: accept once, no decline after it, no disbursement before it. */
function expected(status: TApplicationStatus, offerAccepted: boolean, action: TApplicationAction, actor: TApplicationActor): TApplicationStatus | null {
  const row = ALLOWED.find(([s, a, who]) => s === status && a === action && who === actor);
  if (!row) return null;
  if (status === 'approved' && action === 'accept_offer' && offerAccepted) return null;
  if (status === 'approved' && action === 'decline_offer' && offerAccepted) return null;
  if (status === 'approved' && action === 'disburse' && !offerAccepted) return null;
  return row[3];
}

describe('application state machine', () => {
  it('allows exactly the moves of the table, to the statuses it names, and refuses every other with a reason', () => {
    let allowed = 0;
    for (const status of APPLICATION_STATUSES) {
      for (const offerAccepted of [false, true]) {
        for (const action of APPLICATION_ACTIONS) {
          for (const actor of APPLICATION_ACTORS) {
            const want = expected(status, offerAccepted, action, actor);
            const got = checkApplicationMove({ status, offerAccepted }, action, actor);
            if (want === null) {
              expect({ status, offerAccepted, action, actor, ok: got.ok }).toEqual({ status, offerAccepted, action, actor, ok: false });
              if (!got.ok) expect(got.message.length).toBeGreaterThan(0);
            } else {
              allowed += 1;
              expect({ status, offerAccepted, action, actor, got }).toEqual({ status, offerAccepted, action, actor, got: { ok: true, to: want } });
            }
          }
        }
      }
    }
    expect(allowed).toBeGreaterThan(ALLOWED.length);
  });

  it('leaves nothing to do in a terminal status', () => {
    for (const status of TERMINAL_APPLICATION_STATUSES) {
      for (const actor of APPLICATION_ACTORS) {
        expect(availableApplicationMoves({ status, offerAccepted: true }, actor)).toEqual([]);
        expect(availableApplicationMoves({ status, offerAccepted: false }, actor)).toEqual([]);
      }
    }
  });

  it('shows each side its own buttons', () => {
    expect(availableApplicationMoves({ status: 'submitted', offerAccepted: false }, 'institution')).toEqual(['accept', 'reject']);
    expect(availableApplicationMoves({ status: 'submitted', offerAccepted: false }, 'enterprise')).toEqual(['withdraw']);
    expect(availableApplicationMoves({ status: 'approved', offerAccepted: false }, 'enterprise')).toEqual(['accept_offer', 'decline_offer']);
    expect(availableApplicationMoves({ status: 'approved', offerAccepted: false }, 'institution')).toEqual([]);
    expect(availableApplicationMoves({ status: 'approved', offerAccepted: true }, 'institution')).toEqual(['disburse']);
    expect(availableApplicationMoves({ status: 'approved', offerAccepted: true }, 'enterprise')).toEqual([]);
    expect(availableApplicationMoves({ status: 'disbursed', offerAccepted: true }, 'system')).toEqual(['mark_overdue']);
  });

  it('says why a move is refused, in Chinese', () => {
    expect(checkApplicationMove({ status: 'approved', offerAccepted: false }, 'disburse', 'institution')).toEqual({ ok: false, message: '企业尚未接受批复，不能登记放款' });
    expect(checkApplicationMove({ status: 'approved', offerAccepted: false }, 'withdraw', 'enterprise')).toEqual({ ok: false, message: '申请当前为“已批准（待放款）”，不能撤回申请' });
    expect(checkApplicationMove({ status: 'submitted', offerAccepted: false }, 'accept', 'enterprise')).toEqual({ ok: false, message: '无权执行“受理”' });
  });

  it('names what approve and reject must carry, and labels every status and reason', () => {
    expect(applicationMoveRequires('approve')).toBe('offer');
    expect(applicationMoveRequires('reject')).toBe('reason');
    expect(APPLICATION_ACTIONS.filter((a) => applicationMoveRequires(a) !== null)).toEqual(['approve', 'reject']);
    for (const status of APPLICATION_STATUSES) expect(APPLICATION_STATUS_LABELS[status]).toMatch(/\p{Script=Han}/u);
    for (const code of REJECTION_REASON_CODES) expect(REJECTION_REASON_LABELS[code]).toMatch(/\p{Script=Han}/u);
  });
});
