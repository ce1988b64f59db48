import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Region extends Model<InferAttributes<Region>, InferCreationAttributes<Region>> {
  declare code: string;
  declare name: string;
  declare level: 'province' | 'city' | 'district';
  declare parentCode: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    Region.init(
      {
        code: { type: DataTypes.STRING(6), primaryKey: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        level: { type: DataTypes.STRING(16), allowNull: false },
        parentCode: { type: DataTypes.STRING(6), allowNull: true },
      },
      { sequelize, tableName: 'regions', timestamps: false },
    );
  }
}
