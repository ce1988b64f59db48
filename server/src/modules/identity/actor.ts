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
}

export interface WechatActor {
  kind: 'wechat';
  id: string;
  displayName: string;
  sessionId: string;
}

export type Actor = AdminActor | WechatActor;
