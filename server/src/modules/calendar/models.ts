import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { TCalendarDayKind, TCalendarSource } from '@xyd/shared';
import { bigintColumn, dateColumn, stringColumn } from '../../db/columns';

/** One year of the statutory holiday schedule: present once seeded from the package or entered by an admin. */
export class HolidayYear extends Model<InferAttributes<HolidayYear>, InferCreationAttributes<HolidayYear>> {
  declare year: number;
  /** False: a draft an admin is still entering; the year is then counted on weekends only. */
  declare confirmed: boolean;
  declare source: TCalendarSource;
  /** The admin who last saved it; null when seeded from the package. */
  declare updatedBy: string | null;
  declare updatedAt: Date;
}

/** A day off (holiday) or a weekend day worked (workday, 调休) of one year. */
export class HolidayDay extends Model<InferAttributes<HolidayDay>, InferCreationAttributes<HolidayDay>> {
  /** YYYY-MM-DD, Asia/Shanghai calendar day. */
  declare day: string;
  declare year: number;
  declare kind: TCalendarDayKind;
  declare name: string;
}

export function initCalendarModels(sequelize: Sequelize): void {
  HolidayYear.init(
    {
      year: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      confirmed: { type: DataTypes.BOOLEAN, allowNull: false },
      source: stringColumn(12) as never,
      updatedBy: bigintColumn('updatedBy', true),
      updatedAt: dateColumn(false),
    },
    { sequelize, tableName: 'holiday_years', timestamps: false },
  );
  HolidayDay.init(
    {
      day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
      year: { type: DataTypes.INTEGER, allowNull: false },
      kind: stringColumn(8) as never,
      name: stringColumn(40),
    },
    { sequelize, tableName: 'holiday_days', timestamps: false },
  );
}
