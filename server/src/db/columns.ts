import { DataTypes, type ModelAttributeColumnOptions, type Model } from 'sequelize';

/** BIGINT key that always reads as a string (mysql2 gives strings, SQLite numbers). */
export function bigintColumn(name: string, allowNull = false, primaryKey = false): ModelAttributeColumnOptions<Model> {
  return {
    type: DataTypes.BIGINT,
    allowNull,
    primaryKey,
    get(this: Model) {
      const value = this.getDataValue(name as never) as unknown;
      return value === null || value === undefined ? value : String(value);
    },
  };
}

export const idColumn = () => bigintColumn('id', false, true);

export const stringColumn = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
/** Millisecond precision on MySQL (plain DATETIME drops it). */
export const dateColumn = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });
