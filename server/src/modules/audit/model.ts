import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { bigintColumn, idColumn, stringColumn } from '../../db/columns';

/**
 * One audited event. Writers append it unchained (`seq`, `prevHash`, `hash` null) in their own transaction;
 * the sealer later gives it its place in the chain and its keyed hash.
 */
export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
  declare id: string;
  declare seq: string | null;
  declare at: Date;
  declare actorType: 'admin' | 'wechat' | 'source' | 'system' | 'anonymous';
  declare actorId: string | null;
  declare actorName: string | null;
  declare action: string;
  declare targetType: string | null;
  declare targetId: string | null;
  declare outcome: 'success' | 'failure' | 'denied';
  declare detail: string | null;
  declare ip: string | null;
  declare requestId: string | null;
  declare prevHash: string | null;
  declare hash: string | null;
}

/** The one-row sealer state: who may seal now (owner, fencing token, lease) and the chain head. */
export class AuditSeal extends Model<InferAttributes<AuditSeal>, InferCreationAttributes<AuditSeal>> {
  declare id: number;
  declare owner: string | null;
  declare token: string;
  declare leaseUntil: Date | null;
  declare sealedSeq: string;
  declare headHash: string;
  declare sealedAt: Date | null;
}

/** One verification run and the checkpoint (last row of the intact prefix) the next run starts from. */
export class AuditVerifyRun extends Model<InferAttributes<AuditVerifyRun>, InferCreationAttributes<AuditVerifyRun>> {
  declare id: string;
  declare startedAt: Date;
  declare finishedAt: Date;
  declare fullRun: boolean;
  declare fromSeq: string;
  declare toSeq: string;
  declare checked: number;
  declare ok: boolean;
  declare brokenCount: number;
  /** JSON array of TAuditBrokenRow, capped (see jobs.ts). */
  declare broken: string;
  declare checkpointSeq: string;
  declare checkpointHash: string;
}

export class AuditAnchor extends Model<InferAttributes<AuditAnchor>, InferCreationAttributes<AuditAnchor>> {
  declare id: string;
  declare seq: string;
  declare hash: string;
  declare at: Date;
}

/** Column lengths of audit_logs: values are cut to fit so that an over-long attempted name is still audited. */
export const AUDIT_LIMITS = { actorName: 64, action: 64, targetType: 32, targetId: 64, ip: 64, requestId: 64 } as const;

/** LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite has one TEXT type. */
export const longText = (sequelize: Sequelize) => (sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('long') : DataTypes.TEXT);

export function initAuditModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = (allowNull: boolean) => ({ type: DataTypes.DATE(3), allowNull });
  AuditLog.init(
    {
      id: idColumn(),
      seq: bigintColumn('seq', true),
      at: date(false),
      actorType: str(16) as never,
      actorId: bigintColumn('actorId', true),
      actorName: str(AUDIT_LIMITS.actorName, true),
      action: str(AUDIT_LIMITS.action),
      targetType: str(AUDIT_LIMITS.targetType, true),
      targetId: str(AUDIT_LIMITS.targetId, true),
      outcome: str(16) as never,
      detail: { type: DataTypes.TEXT, allowNull: true },
      ip: str(AUDIT_LIMITS.ip, true),
      requestId: str(AUDIT_LIMITS.requestId, true),
      prevHash: str(64, true),
      hash: str(64, true),
    },
    { sequelize, tableName: 'audit_logs', timestamps: false },
  );
  AuditSeal.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true },
      owner: str(100, true),
      token: bigintColumn('token'),
      leaseUntil: date(true),
      sealedSeq: bigintColumn('sealedSeq'),
      headHash: str(64),
      sealedAt: date(true),
    },
    { sequelize, tableName: 'audit_seal', timestamps: false },
  );
  AuditVerifyRun.init(
    {
      id: idColumn(),
      startedAt: date(false),
      finishedAt: date(false),
      fullRun: { type: DataTypes.BOOLEAN, allowNull: false },
      fromSeq: bigintColumn('fromSeq'),
      toSeq: bigintColumn('toSeq'),
      checked: { type: DataTypes.INTEGER, allowNull: false },
      ok: { type: DataTypes.BOOLEAN, allowNull: false },
      brokenCount: { type: DataTypes.INTEGER, allowNull: false },
      broken: { type: longText(sequelize), allowNull: false },
      checkpointSeq: bigintColumn('checkpointSeq'),
      checkpointHash: str(64),
    },
    { sequelize, tableName: 'audit_verify_runs', timestamps: false },
  );
  AuditAnchor.init(
    { id: idColumn(), seq: bigintColumn('seq'), hash: str(64), at: date(false) },
    { sequelize, tableName: 'audit_anchors', timestamps: false },
  );
}
