import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { TBatchOrigin, TBatchStatus, TCreditCategory, TIngestCategory, TUnknownUsccPolicy } from '@xyd/shared';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';

/** A system that sends credit data (数据源): a department, a utility, an institution. Signs with its own key. */
export class DataSource extends Model<InferAttributes<DataSource>, InferCreationAttributes<DataSource>> {
  declare id: string;
  declare organisationId: string;
  declare name: string;
  declare keyId: string;
  declare secretEnc: string;
  declare previousSecretEnc: CreationOptional<string | null>;
  declare previousValidUntil: CreationOptional<Date | null>;
  /** Comma-separated categories it may send. */
  declare categories: string;
  /** Comma-separated GB/T 2260 codes it covers (a province covers its cities and districts). */
  declare regionCodes: string;
  declare unknownUscc: TUnknownUsccPolicy;
  declare enabled: CreationOptional<boolean>;
  declare rotatedAt: CreationOptional<Date | null>;
  declare lastReceivedAt: CreationOptional<Date | null>;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** One pushed batch or one imported file, with its counts and (for files) the row offset committed so far. */
export class IngestBatch extends Model<InferAttributes<IngestBatch>, InferCreationAttributes<IngestBatch>> {
  declare id: string;
  declare sourceId: string;
  declare category: TIngestCategory;
  declare origin: TBatchOrigin;
  declare externalBatchId: string | null;
  declare fileId: string | null;
  declare fileName: string | null;
  declare fileFormat: string | null;
  declare status: TBatchStatus;
  declare received: CreationOptional<number>;
  declare accepted: CreationOptional<number>;
  declare duplicate: CreationOptional<number>;
  declare superseded: CreationOptional<number>;
  declare rejected: CreationOptional<number>;
  declare held: CreationOptional<number>;
  declare totalRows: CreationOptional<number | null>;
  declare rowsDone: CreationOptional<number>;
  declare failureReason: CreationOptional<string | null>;
  declare jobId: CreationOptional<string | null>;
  declare createdByKind: 'admin' | 'source';
  declare createdById: string;
  declare createdByName: string | null;
  declare startedAt: CreationOptional<Date | null>;
  declare finishedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class IngestRowError extends Model<InferAttributes<IngestRowError>, InferCreationAttributes<IngestRowError>> {
  declare id: string;
  declare batchId: string;
  declare rowNumber: number;
  declare field: string;
  declare label: string;
  declare value: string;
  declare reason: string;
}

export class CreditRecord extends Model<InferAttributes<CreditRecord>, InferCreationAttributes<CreditRecord>> {
  declare id: string;
  declare enterpriseId: string;
  declare uscc: string;
  declare category: TCreditCategory;
  declare sourceId: string;
  declare externalId: string;
  declare period: string | null;
  declare occurredOn: string | null;
  declare endsOn: string | null;
  declare adverse: boolean;
  declare corrected: boolean;
  /** JSON of the typed payload. */
  declare payload: string;
  declare contentHash: string;
  declare isCurrent: number | null;
  declare supersededBy: CreationOptional<string | null>;
  declare supersededAt: CreationOptional<Date | null>;
  declare expiredAt: CreationOptional<Date | null>;
  /** Under an open dispute (异议). */
  declare disputed: CreationOptional<boolean>;
  /** Withdrawn by an upheld dispute: no longer current, kept as history. */
  declare withdrawnAt: CreationOptional<Date | null>;
  declare batchId: string;
  declare rowNumber: number;
  declare createdAt: Date;
}

export class HeldCreditRow extends Model<InferAttributes<HeldCreditRow>, InferCreationAttributes<HeldCreditRow>> {
  declare id: string;
  declare sourceId: string;
  declare batchId: string;
  declare rowNumber: number;
  declare uscc: string;
  declare category: TCreditCategory;
  declare externalId: string;
  /** JSON of the normalised record (TCreditRecordInput). */
  declare record: string;
  declare contentHash: string;
  declare createdAt: Date;
}

export class CreditChange extends Model<InferAttributes<CreditChange>, InferCreationAttributes<CreditChange>> {
  declare enterpriseId: string;
  declare category: TCreditCategory;
  declare revision: number;
  declare changedAt: Date;
}

export function initCreditDataModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  const count = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  DataSource.init(
    {
      id: idColumn(),
      organisationId: bigintColumn('organisationId'),
      name: str(64),
      keyId: str(40),
      secretEnc: str(255),
      previousSecretEnc: str(255, true),
      previousValidUntil: date(),
      categories: str(255),
      regionCodes: str(400),
      unknownUscc: str(8) as never,
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      rotatedAt: date(),
      lastReceivedAt: date(),
      createdBy: bigintColumn('createdBy'),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'data_sources' },
  );
  IngestBatch.init(
    {
      id: idColumn(),
      sourceId: bigintColumn('sourceId'),
      category: str(20) as never,
      origin: str(8) as never,
      externalBatchId: str(64, true),
      fileId: bigintColumn('fileId', true),
      fileName: str(200, true),
      fileFormat: str(8, true),
      status: str(12) as never,
      received: count(),
      accepted: count(),
      duplicate: count(),
      superseded: count(),
      rejected: count(),
      held: count(),
      totalRows: { type: DataTypes.INTEGER, allowNull: true },
      rowsDone: count(),
      failureReason: str(500, true),
      jobId: bigintColumn('jobId', true),
      createdByKind: str(8) as never,
      createdById: bigintColumn('createdById'),
      createdByName: str(64, true),
      startedAt: date(),
      finishedAt: date(),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'ingest_batches' },
  );
  IngestRowError.init(
    {
      id: idColumn(),
      batchId: bigintColumn('batchId'),
      rowNumber: { type: DataTypes.INTEGER, allowNull: false, field: 'row_no' },
      field: str(64),
      label: str(64),
      value: str(200),
      reason: str(200),
    },
    { sequelize, tableName: 'ingest_row_errors', timestamps: false },
  );
  CreditRecord.init(
    {
      id: idColumn(),
      enterpriseId: bigintColumn('enterpriseId'),
      uscc: str(18),
      category: str(20) as never,
      sourceId: bigintColumn('sourceId'),
      externalId: str(64),
      period: str(7, true),
      occurredOn: { type: DataTypes.DATEONLY, allowNull: true },
      endsOn: { type: DataTypes.DATEONLY, allowNull: true },
      adverse: { type: DataTypes.BOOLEAN, allowNull: false },
      corrected: { type: DataTypes.BOOLEAN, allowNull: false },
      payload: { type: DataTypes.TEXT, allowNull: false },
      contentHash: { type: DataTypes.CHAR(64), allowNull: false },
      isCurrent: { type: DataTypes.TINYINT, allowNull: true },
      supersededBy: bigintColumn('supersededBy', true),
      supersededAt: date(),
      expiredAt: date(),
      disputed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      withdrawnAt: date(),
      batchId: bigintColumn('batchId'),
      rowNumber: { type: DataTypes.INTEGER, allowNull: false, field: 'row_no' },
      createdAt: date(false),
    },
    { sequelize, tableName: 'credit_records', timestamps: false },
  );
  HeldCreditRow.init(
    {
      id: idColumn(),
      sourceId: bigintColumn('sourceId'),
      batchId: bigintColumn('batchId'),
      rowNumber: { type: DataTypes.INTEGER, allowNull: false, field: 'row_no' },
      uscc: str(18),
      category: str(20) as never,
      externalId: str(64),
      record: { type: DataTypes.TEXT, allowNull: false },
      contentHash: { type: DataTypes.CHAR(64), allowNull: false },
      createdAt: date(false),
    },
    { sequelize, tableName: 'held_credit_rows', timestamps: false },
  );
  CreditChange.init(
    {
      enterpriseId: { ...bigintColumn('enterpriseId'), primaryKey: true },
      category: { ...str(20), primaryKey: true } as never,
      revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      changedAt: date(false),
    },
    { sequelize, tableName: 'credit_changes', timestamps: false },
  );
}
