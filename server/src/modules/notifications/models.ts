import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';
import type { UserKind } from '../identity/models';

export type OutboxStatus = 'pending' | 'delivering' | 'done' | 'failed';
/** none: no WeChat delivery wanted or possible; pending: still to send; sent; failed (final). */
export type WechatState = 'none' | 'pending' | 'sent' | 'failed';

export class OutboxItem extends Model<InferAttributes<OutboxItem>, InferCreationAttributes<OutboxItem>> {
  declare id: string;
  declare recipientKind: UserKind;
  declare recipientId: string;
  declare templateKey: string;
  declare title: string;
  declare body: string;
  declare link: string | null;
  declare wechatData: string | null;
  declare status: OutboxStatus;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: Date;
  declare claimedUntil: CreationOptional<Date | null>;
  declare claimedBy: CreationOptional<string | null>;
  /** Fencing token: each claim increments it, and the claimant's writes match it. */
  declare claimToken: CreationOptional<number>;
  declare messageId: CreationOptional<string | null>;
  declare wechatState: WechatState;
  declare lastError: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Message extends Model<InferAttributes<Message>, InferCreationAttributes<Message>> {
  declare id: string;
  declare recipientKind: UserKind;
  declare recipientId: string;
  declare outboxId: string | null;
  declare title: string;
  declare body: string;
  declare link: string | null;
  declare readAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export class SubscriptionGrant extends Model<InferAttributes<SubscriptionGrant>, InferCreationAttributes<SubscriptionGrant>> {
  declare id: string;
  declare wechatUserId: string;
  declare templateId: string;
  declare remaining: CreationOptional<number>;
  declare banned: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initNotificationModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  OutboxItem.init(
    {
      id: idColumn(),
      recipientKind: str(8) as never,
      recipientId: bigintColumn('recipientId'),
      templateKey: str(48),
      title: str(100),
      body: str(500),
      link: str(255, true),
      wechatData: { type: DataTypes.TEXT, allowNull: true },
      status: str(16) as never,
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: date(false),
      claimedUntil: date(),
      claimedBy: str(64, true),
      claimToken: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      messageId: bigintColumn('messageId', true),
      wechatState: str(16) as never,
      lastError: str(500, true),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'notification_outbox' },
  );
  Message.init(
    {
      id: idColumn(),
      recipientKind: str(8) as never,
      recipientId: bigintColumn('recipientId'),
      outboxId: bigintColumn('outboxId', true),
      title: str(100),
      body: str(500),
      link: str(255, true),
      readAt: date(),
      createdAt: date(false),
    },
    { sequelize, tableName: 'messages', updatedAt: false },
  );
  SubscriptionGrant.init(
    {
      id: idColumn(),
      wechatUserId: bigintColumn('wechatUserId'),
      templateId: str(128),
      remaining: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      banned: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'wechat_subscription_grants' },
  );
}
