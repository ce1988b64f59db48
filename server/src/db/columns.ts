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
