import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { idColumn } from '../../db/columns';

export class IdempotencyKey extends Model<InferAttributes<IdempotencyKey>, InferCreationAttributes<IdempotencyKey>> {
  declare id: string;
  declare scope: string;
  declare idemKey: string;
  declare method: string;
  declare path: string;
  declare requestHash: string;
  declare statusCode: number | null;
  declare responseBody: string | null;
  declare createdAt: Date;
  declare expiresAt: Date | null;
}

export function initIdempotencyModel(sequelize: Sequelize): void {
  IdempotencyKey.init(
    {
      id: idColumn(),
      scope: { type: DataTypes.STRING(64), allowNull: false },
      idemKey: { type: DataTypes.STRING(128), allowNull: false },
      method: { type: DataTypes.STRING(8), allowNull: false },
      path: { type: DataTypes.STRING(255), allowNull: false },
      requestHash: { type: DataTypes.STRING(64), allowNull: false },
      statusCode: { type: DataTypes.INTEGER, allowNull: true },
      responseBody: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
      expiresAt: { type: DataTypes.DATE(3), allowNull: true },
    },
    { sequelize, tableName: 'idempotency_keys', updatedAt: false },
  );
}
