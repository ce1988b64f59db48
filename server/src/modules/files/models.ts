import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';

/** What is known about one stored file; its bytes are in the file store under `storageKey`. */
export class StoredFile extends Model<InferAttributes<StoredFile>, InferCreationAttributes<StoredFile>> {
  declare id: string;
  declare sha256: string;
  declare size: number;
  declare mime: string;
  declare storageKey: string;
  /** Who uploaded it: `wechat` or `admin` and that user's id. */
  declare createdByKind: string;
  declare createdById: string;
  declare createdAt: CreationOptional<Date>;
}

export function initFileModels(sequelize: Sequelize): void {
  StoredFile.init(
    {
      id: idColumn(),
      sha256: stringColumn(64),
      size: { type: DataTypes.INTEGER, allowNull: false },
      mime: stringColumn(128),
      storageKey: stringColumn(255),
      createdByKind: stringColumn(8),
      createdById: bigintColumn('createdById'),
      createdAt: dateColumn(false),
    },
    { sequelize, tableName: 'files', updatedAt: false },
  );
}
