import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import type { TAdminRole, TOrgType } from '@xyd/shared';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';
import { currentTransaction } from '../../db/transaction-context';

export class Organisation extends Model<InferAttributes<Organisation>, InferCreationAttributes<Organisation>> {
  declare id: string;
  declare name: string;
  declare type: TOrgType;
  declare regionCode: string | null;
  declare disabled: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class AdminUser extends Model<InferAttributes<AdminUser>, InferCreationAttributes<AdminUser>> {
  declare id: string;
  declare username: string;
  declare displayName: string;
  declare passwordHash: string;
  declare role: TAdminRole;
  declare organisationId: string;
  declare regionCode: string | null;
  declare disabled: CreationOptional<boolean>;
  declare totpSecret: CreationOptional<string | null>;
  declare totpPendingSecret: CreationOptional<string | null>;
  /** The last TOTP time step accepted, so that a code works once (replay guard). */
  declare totpLastStep: CreationOptional<number | null>;
  declare failedAttempts: CreationOptional<number>;
  declare lockedUntil: CreationOptional<Date | null>;
  declare lastFailedAt: CreationOptional<Date | null>;
  declare lastLoginAt: CreationOptional<Date | null>;
  declare passwordChangedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class WechatUser extends Model<InferAttributes<WechatUser>, InferCreationAttributes<WechatUser>> {
  declare id: string;
  declare openid: string;
  declare unionid: string | null;
  declare displayName: string;
  declare lastLoginAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/**
 * Failed console sign-ins for usernames that have no account. Counted and locked exactly like an account's own
 * `failed_attempts`/`locked_until`, so that the answers do not tell an attacker which usernames exist.
 */
export class SignInFailure extends Model<InferAttributes<SignInFailure>, InferCreationAttributes<SignInFailure>> {
  declare username: string;
  declare failedAttempts: CreationOptional<number>;
  declare lockedUntil: CreationOptional<Date | null>;
  declare lastFailedAt: CreationOptional<Date | null>;
}

export type UserKind = 'admin' | 'wechat';

export class Session extends Model<InferAttributes<Session>, InferCreationAttributes<Session>> {
  declare id: string;
  declare tokenHash: string;
  declare userKind: UserKind;
  declare userId: string;
  declare idleMs: number;
  declare scope: 'full' | 'enrol_totp';
  declare expiresAt: Date;
  declare lastSeenAt: Date;
  declare revokedAt: CreationOptional<Date | null>;
  declare revokeReason: CreationOptional<string | null>;
  declare ip: string | null;
  declare userAgent: string | null;
  declare createdAt: CreationOptional<Date>;
}

export function initIdentityModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  Organisation.init(
    {
      id: idColumn(),
      name: str(100),
      type: str(24) as never,
      regionCode: str(6, true),
      disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'organisations' },
  );
  AdminUser.init(
    {
      id: idColumn(),
      username: str(32),
      displayName: str(50),
      passwordHash: str(255),
      role: str(24) as never,
      organisationId: bigintColumn('organisationId'),
      regionCode: str(6, true),
      disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      totpSecret: str(64, true),
      totpPendingSecret: str(64, true),
      totpLastStep: { type: DataTypes.INTEGER, allowNull: true },
      failedAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lockedUntil: date(),
      lastFailedAt: date(),
      lastLoginAt: date(),
      passwordChangedAt: date(),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'admin_users' },
  );
  WechatUser.init(
    {
      id: idColumn(),
      openid: str(64),
      unionid: str(64, true),
      displayName: str(50),
      lastLoginAt: date(),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'wechat_users' },
  );
  SignInFailure.init(
    {
      username: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      failedAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lockedUntil: date(),
      lastFailedAt: date(),
    },
    { sequelize, tableName: 'sign_in_failures', timestamps: false },
  );
  Session.init(
    {
      id: idColumn(),
      tokenHash: str(64),
      userKind: str(8) as never,
      userId: bigintColumn('userId'),
      idleMs: { type: DataTypes.INTEGER, allowNull: false },
      scope: str(16) as never,
      expiresAt: date(false),
      lastSeenAt: date(false),
      revokedAt: date(),
      revokeReason: str(32, true),
      ip: str(64, true),
      userAgent: str(255, true),
      createdAt: date(false),
    },
    { sequelize, tableName: 'sessions', updatedAt: false },
  );
  AdminUser.belongsTo(Organisation, { foreignKey: 'organisationId', as: 'organisation', constraints: false });
  for (const model of [Organisation, AdminUser, WechatUser, Session]) {
    for (const hook of ['afterUpdate', 'afterBulkUpdate', 'afterDestroy', 'afterBulkDestroy', 'afterUpsert'] as const) {
      // Each of these hooks gets the write's options last (after the instance, or the upsert's outcome).
      (model as unknown as { addHook(name: string, fn: (...args: unknown[]) => void): void }).addHook(hook, (...args: unknown[]) => {
        const options = args[args.length - 1] as { transaction?: Transaction | null } | undefined;
        sessionDataChanged();
        (options?.transaction ?? currentTransaction())?.afterCommit(() => sessionDataChanged());
      });
    }
  }
}

/**
 * Every change this process makes to a session, a user or an organisation moves the generation on (the hooks
 * above, after each write and again once its transaction commits, since a request reading between the two would
 * see the row as it was). The session cache (session-cache.ts) never uses a row read in an older generation.
 */
let generation = 0;

export function sessionDataChanged(): void {
  generation += 1;
}

export function sessionDataGeneration(): number {
  return generation;
}
