import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { bigintColumn, idColumn, stringColumn } from '../../db/columns';

export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
  declare id: string;
  declare seq: string;
  declare at: Date;
  declare actorType: 'admin' | 'wechat' | 'system' | 'anonymous';
  declare actorId: string | null;
  declare actorName: string | null;
  declare action: string;
  declare targetType: string | null;
  declare targetId: string | null;
  declare outcome: 'success' | 'failure' | 'denied';
  declare detail: string | null;
  declare ip: string | null;
  declare requestId: string | null;
  declare prevHash: string;
  declare hash: string;
}

export class AuditHead extends Model<InferAttributes<AuditHead>, InferCreationAttributes<AuditHead>> {
  declare id: number;
  declare seq: string;
  declare hash: string;
}

export function initAuditModels(sequelize: Sequelize): void {
  const str = stringColumn;
  AuditLog.init(
    {
      id: idColumn(),
      seq: bigintColumn('seq'),
      at: { type: DataTypes.DATE(3), allowNull: false },
      actorType: str(16) as never,
      actorId: bigintColumn('actorId', true),
      actorName: str(64, true),
      action: str(64),
      targetType: str(32, true),
      targetId: str(64, true),
      outcome: str(16) as never,
      detail: { type: DataTypes.TEXT, allowNull: true },
      ip: str(64, true),
      requestId: str(64, true),
      prevHash: str(64),
      hash: str(64),
    },
    { sequelize, tableName: 'audit_logs', timestamps: false },
  );
  AuditHead.init(
    { id: { type: DataTypes.INTEGER, primaryKey: true }, seq: bigintColumn('seq'), hash: str(64) },
    { sequelize, tableName: 'audit_head', timestamps: false },
  );
}
