import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { TJobStatus } from '@xyd/shared';
import { dateColumn, idColumn, stringColumn } from '../../db/columns';

export class Job extends Model<InferAttributes<Job>, InferCreationAttributes<Job>> {
  declare id: string;
  declare type: string;
  /** JSON text of the handler's input (and of its checkpoints). */
  declare payload: string | null;
  declare status: TJobStatus;
  declare runAt: Date;
  declare attempts: CreationOptional<number>;
  declare maxAttempts: number;
  declare lastError: CreationOptional<string | null>;
  declare leaseOwner: CreationOptional<string | null>;
  declare leaseUntil: CreationOptional<Date | null>;
  /** Fencing token: every claim increments it, every later write of the claimant matches it. */
  declare token: CreationOptional<number>;
  declare dedupeKey: CreationOptional<string | null>;
  declare startedAt: CreationOptional<Date | null>;
  declare finishedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initJobModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  Job.init(
    {
      id: idColumn(),
      type: str(64),
      payload: { type: DataTypes.TEXT, allowNull: true },
      status: str(16) as never,
      runAt: date(false),
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      maxAttempts: { type: DataTypes.INTEGER, allowNull: false },
      lastError: str(1000, true),
      leaseOwner: str(96, true),
      leaseUntil: date(),
      token: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      dedupeKey: str(191, true),
      startedAt: date(),
      finishedAt: date(),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'jobs' },
  );
}
