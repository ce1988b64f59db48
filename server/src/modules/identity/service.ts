import { Op, UniqueConstraintError } from 'sequelize';
import { leanSelect } from '../../db';
import { shanghaiWallClock, type TAdminLoginRequest, type TCurrentUser, type TMemberEnterprise, type TTotpEnrolment } from '@xyd/shared';
import type { AppContext } from '../../context';
import { clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { ConflictError, RateLimitedError, UnauthenticatedError, UpstreamError, ValidationError } from '../../lib/errors';
import type { RequestMeta } from '../../http/route';
import { recordAudit, recordAuditAlone } from '../audit/service';
import { memberEnterprisesOf } from '../enterprises/repository';
import { WechatApiError } from '../../wechat';
import type { Actor, AdminActor, PersonActor, WechatActor } from './actor';
import { countFailure, ensureUnknownUsernameRow, lockedAt, notLockedAt, unknownUsernameKey, type FailureCounter } from './lockout';
import { AdminUser, Organisation, Session, SignInFailure, WechatUser } from './models';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords';
import { hashToken, liveSessionOf, openSession, type LiveSession, revokeAllSessions, revokeOtherSessions, revokeSession } from './sessions';
import { generateTotpSecret, matchTotpStep, totpUri } from './totp';
function lockedMessage(until: Date): string {
  const shanghai = shanghaiWallClock(until).slice(11, 16);
  return `连续登录失败次数过多，账号已锁定，请于 ${shanghai}（北京时间）后重试`;
}

const lockedError = (until: Date) => new RateLimitedError(lockedMessage(until), 'ACCOUNT_LOCKED');
const invalidCredentials = () => new UnauthenticatedError('用户名或密码错误', 'INVALID_CREDENTIALS');
const SIGN_IN = 'auth.admin.login';

type LoginUser = AdminUser & { organisation: Organisation | null };

/** Thrown inside the sign-in transaction to roll it back; answered outside it. */
class SignInRefusal extends Error {
  constructor(readonly reason: 'locked' | 'totp_replayed') {
    super(reason);
  }
}

/** Counts a failed attempt (with its audit row) and answers the error to give, the lock's once it is reached. */
async function signInFailure(
  app: AppContext,
  counter: FailureCounter,
  audit: { actorName: string; action: string; targetId: string | null; reason: string },
  error: Error,
  meta: RequestMeta,
  now: Date,
): Promise<Error> {
  const outcome = await app.db.transaction(async (t) => {
    const counted = await countFailure(t, counter, app.config.lockout, now);
    await recordAudit(t, {
      actor: null,
      actorName: audit.actorName,
      action: audit.action,
      targetType: audit.targetId ? 'admin_user' : null,
      targetId: audit.targetId,
      outcome: 'failure',
      detail: { reason: audit.reason, attempts: counted.attempts, locked: counted.lockedUntil !== null },
      meta,
    });
    return counted;
  });
  return outcome.lockedUntil ? lockedError(outcome.lockedUntil) : error;
}

async function refuseLocked(app: AppContext, actorName: string, targetId: string | null, until: Date, meta: RequestMeta): Promise<never> {
  await recordAuditAlone(app.db, {
    actor: null,
    actorName,
    action: SIGN_IN,
    targetType: targetId ? 'admin_user' : null,
    targetId,
    outcome: 'denied',
    detail: { reason: 'locked' },
    meta,
  });
  throw lockedError(until);
}

/** The password was right, but the account may not sign in: said plainly, audited, not counted toward the lock. */
async function refuseAccount(app: AppContext, user: LoginUser, reason: string, message: string, meta: RequestMeta): Promise<never> {
  await recordAuditAlone(app.db, {
    actor: null,
    actorName: user.username,
    action: SIGN_IN,
    targetType: 'admin_user',
    targetId: user.id,
    outcome: 'failure',
    detail: { reason },
    meta,
  });
  throw new UnauthenticatedError(message, 'INVALID_CREDENTIALS');
}

/**
 * An unknown username goes through the same steps as an account (lock check, a password hash check, a counted
 * failure that locks at the limit), so that neither the answer nor its timing says whether the account exists.
 */
async function refuseUnknownUser(app: AppContext, input: TAdminLoginRequest, meta: RequestMeta, now: Date): Promise<never> {
  const username = unknownUsernameKey(input.username);
  const row = await SignInFailure.findByPk(username, { attributes: ['lockedUntil'], raw: true });
  const locked = lockedAt(row?.lockedUntil, now);
  if (locked) return refuseLocked(app, input.username, null, locked, meta);
  await burnPasswordCheck(input.password);
  await ensureUnknownUsernameRow(username);
  throw await signInFailure(
    app,
    { model: SignInFailure, key: { username } },
    { actorName: input.username, action: SIGN_IN, targetId: null, reason: 'unknown_user' },
    invalidCredentials(),
    meta,
    now,
  );
}

/**
 * Console sign-in. Failures (wrong password or TOTP) count toward a 15-minute lock after five within a day; the
 * lock holds even for the right password, and unknown usernames lock the same way. TOTP is required when the
 * account has it, each code is accepted once, and without it (unless the demo setting allows it) the session may
 * only enrol TOTP.
 */
export async function adminLogin(
  app: AppContext,
  input: TAdminLoginRequest,
  meta: RequestMeta,
): Promise<{ token: string; user: TCurrentUser }> {
  const now = clock.now();
  const user = (await AdminUser.findOne({
    where: { username: input.username },
    include: [{ model: Organisation, as: 'organisation' }],
  })) as LoginUser | null;
  if (!user) return refuseUnknownUser(app, input, meta, now);
  const counter: FailureCounter = { model: AdminUser, key: { id: user.id } };
  const failure = (reason: string, error: Error) =>
    signInFailure(app, counter, { actorName: user.username, action: SIGN_IN, targetId: user.id, reason }, error, meta, now);

  const locked = lockedAt(user.lockedUntil, now);
  if (locked) return refuseLocked(app, user.username, user.id, locked, meta);
  if (!(await verifyPassword(user.passwordHash, input.password))) throw await failure('bad_password', invalidCredentials());
  if (user.disabled) return refuseAccount(app, user, 'disabled', '账号已停用，请联系平台管理员', meta);
  if (!user.organisation || user.organisation.disabled) {
    return refuseAccount(app, user, 'organisation_disabled', '账号所属机构已停用，无法登录，请联系平台管理员', meta);
  }
  let totpStep: number | null = null;
  if (user.totpSecret) {
    // Not a failure: the client asks for the code and sends again.
    if (!input.totp) throw new UnauthenticatedError('请输入动态验证码', 'TOTP_REQUIRED');
    totpStep = matchTotpStep(user.totpSecret, input.totp, now.getTime());
    if (totpStep === null) throw await failure('bad_totp', new UnauthenticatedError('动态验证码错误或已过期', 'TOTP_INVALID'));
  }
  const mustEnrolTotp = !user.totpSecret && !app.config.allowAdminWithoutTotp;

  let opened: { token: string; actor: AdminActor };
  try {
    opened = await app.db.transaction(async (t) => {
      // On the row, not the copy read above: a lock set while the password was being checked still holds.
      const [cleared] = await AdminUser.update(
        { failedAttempts: 0, lockedUntil: null, lastFailedAt: null, lastLoginAt: now },
        { where: { [Op.and]: [{ id: user.id }, notLockedAt(now)] }, transaction: t },
      );
      if (cleared === 0) throw new SignInRefusal('locked');
      if (totpStep !== null && !(await claimTotpStep(t, user.id, totpStep))) throw new SignInRefusal('totp_replayed');
      const limits = { idleMs: app.config.session.consoleIdleMs, absoluteMs: app.config.session.consoleAbsoluteMs };
      const { token, session } = await openSession(t, 'admin', user.id, limits, meta, mustEnrolTotp ? 'enrol_totp' : 'full');
      const actor = toAdminActor(user, session.id, mustEnrolTotp);
      if (!actor) throw new Error('sign-in actor missing after the account checks');
      await recordAudit(t, {
        actor,
        action: SIGN_IN,
        targetType: 'admin_user',
        targetId: user.id,
        outcome: 'success',
        detail: { sessionId: session.id, mustEnrolTotp },
        meta,
      });
      return { token, actor };
    });
  } catch (error) {
    if (!(error instanceof SignInRefusal)) throw error;
    if (error.reason === 'totp_replayed') {
      throw await failure('totp_replayed', new UnauthenticatedError('该动态验证码已使用过，请等待验证器显示下一个验证码', 'TOTP_INVALID'));
    }
    const fresh = await AdminUser.findByPk(user.id, { attributes: ['lockedUntil'], raw: true });
    return refuseLocked(app, user.username, user.id, lockedAt(fresh?.lockedUntil, now) ?? now, meta);
  }
  return { token: opened.token, user: await currentUser(opened.actor) };
}

/** Accepts a TOTP time step once: the stored step only moves forward, in one conditional UPDATE. */
async function claimTotpStep(t: import('sequelize').Transaction, userId: string, step: number): Promise<boolean> {
  const [claimed] = await AdminUser.update(
    { totpLastStep: step },
    { where: { id: userId, [Op.or]: [{ totpLastStep: null }, { totpLastStep: { [Op.lt]: step } }] }, transaction: t },
  );
  return claimed > 0;
}

/**
 * The user row of an openid, created on first sign-in. Insert-then-catch-unique outside any transaction: concurrent
 * first sign-ins then race on the unique index, and the losers read the winner's row, where locking a missing row
 * first (gap locks) deadlocked on MySQL.
 */
async function ensureWechatUser(openid: string, unionid: string | null): Promise<string> {
  const find = async () => ((await WechatUser.findOne({ where: { openid }, attributes: ['id'], raw: true })) as { id: string | number } | null)?.id;
  const existing = await find();
  if (existing !== undefined) return String(existing);
  const id = newId();
  try {
    await WechatUser.create({ id, openid, unionid, displayName: '微信用户', lastLoginAt: null });
    return id;
  } catch (error) {
    if (!(error instanceof UniqueConstraintError)) throw error;
    const winner = await find();
    if (winner === undefined) throw error;
    return String(winner);
  }
}

/** Miniapp sign-in: the code is exchanged with WeChat (or the development provider) for an openid. */
export async function wechatLogin(
  app: AppContext,
  code: string,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: string; user: TCurrentUser }> {
  let session;
  try {
    session = await app.wechatLogin.code2Session(code);
  } catch (error) {
    if (error instanceof WechatApiError) {
      await recordAuditAlone(app.db, {
        actor: null,
        actorName: 'wechat',
        action: 'auth.wechat.login',
        outcome: 'failure',
        detail: { errcode: error.errcode },
        meta,
      });
      if (error.errcode === 40029 || error.errcode === 40163) {
        throw new UnauthenticatedError('登录凭证无效或已使用，请重新进入小程序', 'INVALID_CREDENTIALS');
      }
      if (error.errcode === 45011) throw new RateLimitedError('登录过于频繁，请稍后再试');
      throw new UpstreamError('微信登录服务暂时不可用，请稍后再试');
    }
    throw error;
  }
  // session_key is not kept: nothing here decrypts user data with it (see the identity migration).
  const now = clock.now();
  const userId = await ensureWechatUser(session.openid, session.unionid ?? null);
  return app.db.transaction(async (t) => {
    await WechatUser.update(
      { lastLoginAt: now, ...(session.unionid ? { unionid: session.unionid } : {}) },
      { where: { id: userId }, transaction: t },
    );
    const user = (await WechatUser.findByPk(userId, { attributes: ['displayName'], transaction: t, raw: true })) as { displayName: string } | null;
    if (!user) throw new Error('wechat user row missing after sign-in');
    const limits = { idleMs: app.config.session.miniappIdleMs, absoluteMs: app.config.session.miniappAbsoluteMs };
    const opened = await openSession(t, 'wechat', userId, limits, meta);
    const actor: WechatActor = { kind: 'wechat', id: userId, displayName: user.displayName, sessionId: opened.session.id };
    await recordAudit(t, { actor, action: 'auth.wechat.login', targetType: 'wechat_user', targetId: userId, outcome: 'success', meta });
    return {
      token: opened.token,
      expiresAt: new Date(opened.session.expiresAt).toISOString(),
      user: await currentUser(actor, t),
    };
  });
}

interface ActorSource {
  id: string | number;
  username: string;
  displayName: string;
  role: AdminUser['role'];
  regionCode: string | null;
  disabled: boolean | number;
  organisation: { id: string | number | null; type: Organisation['type']; regionCode: string | null; disabled: boolean | number } | null;
}

/** Null when the account or its organisation may not act. */
function toAdminActor(user: ActorSource, sessionId: string, mustEnrolTotp: boolean): AdminActor | null {
  const org = user.organisation;
  if (!org || org.id === null || user.disabled || org.disabled) return null;
  return {
    kind: 'admin',
    id: String(user.id),
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    organisationId: String(org.id),
    orgType: org.type,
    regionCode: user.role === 'platform_admin' ? null : (user.regionCode ?? org.regionCode),
    sessionId,
    mustEnrolTotp,
  };
}

/** A session with its user and the user's organisation, as one lean query reads them (see `readSessionActor`). */
export interface SessionActorRow {
  sid: string | number;
  userKind: 'admin' | 'wechat';
  userId: string | number;
  scope: 'full' | 'enrol_totp';
  idleMs: number;
  expiresAt: Date | string;
  lastSeenAt: Date | string;
  revokedAt: unknown;
  uid: string | number | null;
  username: string;
  displayName: string;
  role: AdminUser['role'];
  regionCode: string | null;
  disabled: boolean | number;
  oid: string | number | null;
  orgType: Organisation['type'];
  orgRegionCode: string | null;
  orgDisabled: boolean | number;
  wid: string | number | null;
  wechatName: string | null;
}

/** The session row behind a token's hash, with its user and the user's organisation, in one lean query. */
export async function readSessionActor(tokenHash: string): Promise<SessionActorRow | null> {
  const [row] = await leanSelect<SessionActorRow>(
    AdminUser.sequelize!,
    `SELECT s.id AS sid, s.user_kind AS userKind, s.user_id AS userId, s.scope, s.idle_ms AS idleMs, s.expires_at AS expiresAt,
       s.last_seen_at AS lastSeenAt, s.revoked_at AS revokedAt,
       u.id AS uid, u.username, u.display_name AS displayName, u.role, u.region_code AS regionCode, u.disabled,
       o.id AS oid, o.type AS orgType, o.region_code AS orgRegionCode, o.disabled AS orgDisabled,
       w.id AS wid, w.display_name AS wechatName
     FROM sessions s
     LEFT JOIN admin_users u ON s.user_kind = 'admin' AND u.id = s.user_id
     LEFT JOIN organisations o ON o.id = u.organisation_id
     LEFT JOIN wechat_users w ON s.user_kind = 'wechat' AND w.id = s.user_id
     WHERE s.token_hash = ?`,
    [tokenHash],
  );
  return row ?? null;
}

/**
 * The actor a session row stands for, judged now: null when the session is revoked, past its absolute or idle
 * limit, or its user or organisation may not act. Pure, so that a row read a moment ago is judged afresh each time.
 */
export function actorOfSession(row: SessionActorRow): { actor: Actor; session: LiveSession } | null {
  if (row.revokedAt) return null;
  const session = liveSessionOf({ ...row, id: row.sid });
  if (!session) return null;
  let actor: Actor | null = null;
  if (row.userKind === 'admin' && row.uid !== null) {
    actor = toAdminActor(
      {
        ...row,
        id: row.uid,
        organisation: row.oid === null ? null : { id: row.oid, type: row.orgType, regionCode: row.orgRegionCode, disabled: row.orgDisabled },
      },
      session.id,
      session.scope === 'enrol_totp',
    );
  } else if (row.userKind === 'wechat' && row.wid !== null) {
    actor = { kind: 'wechat', id: String(row.wid), displayName: row.wechatName ?? '微信用户', sessionId: session.id };
  }
  return actor ? { actor, session } : null;
}

export async function memberEnterprises(wechatUserId: string, t?: import('sequelize').Transaction): Promise<TMemberEnterprise[]> {
  return memberEnterprisesOf(wechatUserId, t);
}

export async function currentUser(actor: PersonActor, t?: import('sequelize').Transaction): Promise<TCurrentUser> {
  if (actor.kind === 'wechat') {
    return { kind: 'wechat', id: actor.id, displayName: actor.displayName, role: 'ent_user', enterprises: await memberEnterprises(actor.id, t) };
  }
  const user = await AdminUser.findByPk(actor.id, { include: [{ model: Organisation, as: 'organisation' }] });
  const org = (user as AdminUser & { organisation: Organisation }).organisation;
  return {
    kind: 'admin',
    id: actor.id,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    organisation: { id: org.id, name: org.name, type: org.type, regionCode: org.regionCode },
    regionCode: actor.regionCode,
    totpEnabled: Boolean(user?.totpSecret),
    mustEnrolTotp: actor.mustEnrolTotp,
  };
}

export async function logout(app: AppContext, actor: PersonActor, meta: RequestMeta): Promise<void> {
  await app.db.transaction(async (t) => {
    await revokeSession(t, actor.sessionId, 'logout');
    await recordAudit(t, { actor, action: 'auth.logout', targetType: 'session', targetId: actor.sessionId, outcome: 'success', meta });
  });
}

export async function revokeOwnSession(app: AppContext, actor: Actor, session: Session, meta: RequestMeta): Promise<void> {
  await app.db.transaction(async (t) => {
    await revokeSession(t, session.id, 'revoked_by_user');
    await recordAudit(t, { actor, action: 'auth.session.revoke', targetType: 'session', targetId: session.id, outcome: 'success', meta });
  });
}

export async function changeOwnPassword(
  app: AppContext,
  actor: AdminActor,
  oldPassword: string,
  newPassword: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await AdminUser.findByPk(actor.id);
  if (!user || !(await verifyPassword(user.passwordHash, oldPassword))) {
    throw new ValidationError('原密码不正确', [{ field: 'oldPassword', message: '原密码不正确' }]);
  }
  if (oldPassword === newPassword) {
    throw new ValidationError('新密码不能与原密码相同', [{ field: 'newPassword', message: '新密码不能与原密码相同' }]);
  }
  const passwordHash = await hashPassword(newPassword);
  await app.db.transaction(async (t) => {
    await AdminUser.update({ passwordHash, passwordChangedAt: clock.now() }, { where: { id: actor.id }, transaction: t });
    // Other sessions may belong to whoever knew the old password.
    await revokeOtherSessions(t, 'admin', actor.id, actor.sessionId, 'password_changed');
    await recordAudit(t, { actor, action: 'auth.password.change', targetType: 'admin_user', targetId: actor.id, outcome: 'success', meta });
  });
}

const TOTP_CODE_WRONG = '动态验证码不正确，请核对验证器中的 6 位数字';

/**
 * Starts (re-)binding TOTP. While a secret is bound, the current code of that authenticator is required (and
 * counted toward the lock when wrong), so that whoever has only the password cannot replace the owner's secret.
 */
export async function beginTotpEnrolment(app: AppContext, actor: AdminActor, code: string | undefined, meta: RequestMeta): Promise<TTotpEnrolment> {
  const now = clock.now();
  const user = await AdminUser.findByPk(actor.id, { attributes: ['id', 'username', 'totpSecret', 'lockedUntil'] });
  if (!user) throw new UnauthenticatedError();
  let step: number | null = null;
  if (user.totpSecret) {
    const locked = lockedAt(user.lockedUntil, now);
    if (locked) throw lockedError(locked);
    if (!code) {
      throw new ValidationError('已绑定动态验证码：重新绑定前请输入验证器中的当前验证码', [{ field: 'code', message: '请输入当前的动态验证码' }]);
    }
    step = matchTotpStep(user.totpSecret, code, now.getTime());
    if (step === null) {
      throw await signInFailure(
        app,
        { model: AdminUser, key: { id: user.id } },
        { actorName: user.username, action: 'auth.totp.enrol', targetId: user.id, reason: 'bad_totp' },
        new ValidationError(TOTP_CODE_WRONG, [{ field: 'code', message: TOTP_CODE_WRONG }]),
        meta,
        now,
      );
    }
  }
  const secret = generateTotpSecret();
  await app.db.transaction(async (t) => {
    if (step !== null && !(await claimTotpStep(t, user.id, step))) {
      throw new ValidationError('该动态验证码已使用过，请等待下一个验证码', [{ field: 'code', message: '该动态验证码已使用过，请等待下一个验证码' }]);
    }
    // Without a code only an account that has no secret may start: one bound meanwhile (in another session) wins.
    const [updated] = await AdminUser.update(
      { totpPendingSecret: secret },
      { where: step === null ? { id: user.id, totpSecret: null } : { id: user.id }, transaction: t },
    );
    if (updated === 0) throw new ConflictError('动态验证码已在其他会话中绑定，请重新登录');
    await recordAudit(t, { actor, action: 'auth.totp.enrol', targetType: 'admin_user', targetId: actor.id, outcome: 'success', meta });
  });
  return { secret, otpauthUrl: totpUri(actor.username, secret) };
}

/** Binds the pending secret; this session becomes a full one and every other session of the user ends. */
export async function confirmTotpEnrolment(app: AppContext, actor: AdminActor, code: string, meta: RequestMeta): Promise<void> {
  const user = await AdminUser.findByPk(actor.id, { attributes: ['id', 'totpPendingSecret'] });
  const pending = user?.totpPendingSecret;
  if (!pending) throw new ConflictError('请先开始绑定动态验证码');
  const step = matchTotpStep(pending, code, clock.nowMs());
  if (step === null) throw new ValidationError('动态验证码不正确', [{ field: 'code', message: '动态验证码不正确，请核对手机上的 6 位数字' }]);
  await app.db.transaction(async (t) => {
    // Conditional on the pending secret still being the one checked: a restart elsewhere wins over this confirm.
    // The step is stored too, so the code just used cannot also sign in.
    const [bound] = await AdminUser.update(
      { totpSecret: pending, totpPendingSecret: null, totpLastStep: step },
      { where: { id: actor.id, totpPendingSecret: pending }, transaction: t },
    );
    if (bound === 0) throw new ConflictError('绑定已在其他会话中变更，请重新开始绑定');
    await Session.update({ scope: 'full' }, { where: { id: actor.sessionId }, transaction: t });
    // Sessions signed in with the password alone (enrol-only) may be someone else's.
    const ended = await revokeOtherSessions(t, 'admin', actor.id, actor.sessionId, 'totp_enrolled');
    await recordAudit(t, {
      actor,
      action: 'auth.totp.confirm',
      targetType: 'admin_user',
      targetId: actor.id,
      outcome: 'success',
      detail: { endedSessions: ended },
      meta,
    });
  });
}

export { revokeAllSessions };
