import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { TCreditCategory, TDisputeStatus } from '@xyd/shared';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';

export type ScorecardStatus = 'candidate' | 'active' | 'retired';

export class ScorecardVersion extends Model<InferAttributes<ScorecardVersion>, InferCreationAttributes<ScorecardVersion>> {
  declare id: string;
  declare version: number;
  declare name: string;
  declare kind: 'expert' | 'trained';
  declare status: ScorecardStatus;
  declare isActive: number | null;
  /** The ZScorecard JSON, immutable once stored. */
  declare document: string;
  declare createdBy: string | null;
  declare createdAt: Date;
  declare activatedAt: CreationOptional<Date | null>;
  declare activatedBy: CreationOptional<string | null>;
  declare retiredAt: CreationOptional<Date | null>;
}

export class WarningRuleSet extends Model<InferAttributes<WarningRuleSet>, InferCreationAttributes<WarningRuleSet>> {
  declare id: string;
  declare version: number;
  declare isActive: number | null;
  declare document: string;
  declare createdBy: string | null;
  declare createdAt: Date;
}

export type WarningStatus = 'open' | 'acknowledged' | 'closed';

export class CreditWarning extends Model<InferAttributes<CreditWarning>, InferCreationAttributes<CreditWarning>> {
  declare id: string;
  declare enterpriseId: string;
  declare regionCode: string;
  declare rule: string;
  declare severity: 'low' | 'medium' | 'high';
  declare causeKey: string;
  declare title: string;
  declare detail: string;
  /** JSON array of record ids. */
  declare evidence: string;
  declare rulesVersion: number;
  declare status: WarningStatus;
  declare raisedAt: Date;
  declare acknowledgedAt: CreationOptional<Date | null>;
  declare acknowledgedBy: CreationOptional<string | null>;
  declare closedAt: CreationOptional<Date | null>;
  declare closedBy: CreationOptional<string | null>;
  declare closeNote: CreationOptional<string | null>;
}

export class CreditDispute extends Model<InferAttributes<CreditDispute>, InferCreationAttributes<CreditDispute>> {
  declare id: string;
  declare enterpriseId: string;
  declare recordId: string;
  declare openRecordId: string | null;
  declare sourceId: string;
  declare category: TCreditCategory;
  declare regionCode: string;
  declare reason: string;
  declare evidenceFileId: string | null;
  declare status: TDisputeStatus;
  declare raisedBy: string;
  declare raisedAt: Date;
  declare dueOn: string;
  declare resolvedBy: CreationOptional<string | null>;
  declare resolvedByName: CreationOptional<string | null>;
  declare resolvedAt: CreationOptional<Date | null>;
  declare resolutionNote: CreationOptional<string | null>;
}

export function initCreditEngineModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  const marker = { type: DataTypes.TINYINT, allowNull: true };
  const longText = { type: sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull: false };
  ScorecardVersion.init(
    {
      id: idColumn(),
      version: { type: DataTypes.INTEGER, allowNull: false },
      name: str(100),
      kind: str(8) as never,
      status: str(12) as never,
      isActive: marker,
      document: longText,
      createdBy: bigintColumn('createdBy', true),
      createdAt: date(false),
      activatedAt: date(),
      activatedBy: bigintColumn('activatedBy', true),
      retiredAt: date(),
    },
    { sequelize, tableName: 'scorecard_versions', timestamps: false },
  );
  WarningRuleSet.init(
    {
      id: idColumn(),
      version: { type: DataTypes.INTEGER, allowNull: false },
      isActive: marker,
      document: longText,
      createdBy: bigintColumn('createdBy', true),
      createdAt: date(false),
    },
    { sequelize, tableName: 'warning_rule_sets', timestamps: false },
  );
  CreditWarning.init(
    {
      id: idColumn(),
      enterpriseId: bigintColumn('enterpriseId'),
      regionCode: str(12),
      rule: str(24),
      severity: str(8) as never,
      causeKey: str(191),
      title: str(100),
      detail: str(1000),
      evidence: str(2000),
      rulesVersion: { type: DataTypes.INTEGER, allowNull: false },
      status: str(12) as never,
      raisedAt: date(false),
      acknowledgedAt: date(),
      acknowledgedBy: bigintColumn('acknowledgedBy', true),
      closedAt: date(),
      closedBy: bigintColumn('closedBy', true),
      closeNote: str(500, true),
    },
    { sequelize, tableName: 'credit_warnings', timestamps: false },
  );
  CreditDispute.init(
    {
      id: idColumn(),
      enterpriseId: bigintColumn('enterpriseId'),
      recordId: bigintColumn('recordId'),
      openRecordId: bigintColumn('openRecordId', true),
      sourceId: bigintColumn('sourceId'),
      category: str(20) as never,
      regionCode: str(12),
      reason: str(500),
      evidenceFileId: bigintColumn('evidenceFileId', true),
      status: str(12) as never,
      raisedBy: bigintColumn('raisedBy'),
      raisedAt: date(false),
      dueOn: str(10),
      resolvedBy: bigintColumn('resolvedBy', true),
      resolvedByName: str(64, true),
      resolvedAt: date(),
      resolutionNote: str(500, true),
    },
    { sequelize, tableName: 'credit_disputes', timestamps: false },
  );
}
