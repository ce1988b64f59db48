import type { TAdminRole, TOrgType } from '@xyd/shared';

export interface AdminActor {
  kind: 'admin';
  id: string;
  username: string;
  displayName: string;
  role: TAdminRole;
  organisationId: string;
  orgType: TOrgType;
  /** The region this user answers for (the user's own, else the organisation's); null = nationwide. */
  regionCode: string | null;
  sessionId: string;
  /** Signed in without TOTP where TOTP is required: only enrolment is allowed. */
  mustEnrolTotp: boolean;
  /**
   * Set when an institution's system calls with a signed request (modules/api-clients): the actor is then the
   * client acting as an officer of its organisation (`id` is the client's, `sessionId` empty), so the same role
   * checks and enterprise repository apply; routes about a person's own account refuse it (route.ts `callers`).
   */
  client?: { id: string; name: string; keyId: string };
}

export interface WechatActor {
  kind: 'wechat';
  id: string;
  displayName: string;
  sessionId: string;
}

/**
 * A data source's system pushing credit data with a signed request (modules/credit-data): not a person and not
 * an institution's officer; it may call the ingest routes only (route.ts `callers`), and reads nothing.
 */
export interface SourceActor {
  kind: 'source';
  /** The data source's id. */
  id: string;
  displayName: string;
  organisationId: string;
  keyId: string;
}

export type Actor = AdminActor | WechatActor | SourceActor;

/** A person with a session: what every route that does not take data sources gets (route.ts `callers`). */
export type PersonActor = AdminActor | WechatActor;

/** Which kind of caller an actor is, as route specs name it in `callers`. */
export function callerKindOf(actor: Actor): 'person' | 'api-client' | 'data-source' {
  if (actor.kind === 'source') return 'data-source';
  return actor.kind === 'admin' && actor.client ? 'api-client' : 'person';
}
