import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type ModelAttributeColumnOptions,
  type Sequelize,
} from 'sequelize';
import type { TContactChannel, TMatchReviewState, TNeedPurpose, TNeedStatus, TNeedUrgency, TProductStatus, TProductType } from '@xyd/shared';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';

/** A BIGINT amount in fen read as a number: amounts stay below 2^53 (MAX_AMOUNT_FEN), unlike ids. */
function fenColumn(name: string): ModelAttributeColumnOptions<Model> {
  return {
    type: DataTypes.BIGINT,
    allowNull: false,
    get(this: Model) {
      const value = this.getDataValue(name as never) as unknown;
      return value === null || value === undefined ? value : Number(value);
    },
  };
}

export class Product extends Model<InferAttributes<Product>, InferCreationAttributes<Product>> {
  declare id: string;
  declare institutionId: string;
  declare status: TProductStatus;
  declare revision: number;
  declare revisionId: string;
  declare name: string;
  declare type: TProductType;
  declare amountMinFen: number;
  declare amountMaxFen: number;
  declare termMinMonths: number;
  declare termMaxMonths: number;
  declare rateMinBp: number;
  /** Comma-separated guarantee methods, for public filters. */
  declare guaranteeMethods: string;
  declare publishedAt: CreationOptional<Date | null>;
  declare createdBy: string;
  declare createdAt: Date;
  declare updatedAt: Date;
}

export class ProductRevision extends Model<InferAttributes<ProductRevision>, InferCreationAttributes<ProductRevision>> {
  declare id: string;
  declare productId: string;
  declare revision: number;
  /** ZProductTerms JSON. */
  declare terms: string;
  declare wasPublished: CreationOptional<boolean>;
  declare createdBy: string;
  declare createdByName: string;
  declare createdAt: Date;
}

export class FinancingNeed extends Model<InferAttributes<FinancingNeed>, InferCreationAttributes<FinancingNeed>> {
  declare id: string;
  declare enterpriseId: string;
  declare regionCode: string;
  declare submittedBy: string;
  declare amountFen: number;
  declare termMonths: number;
  declare purpose: TNeedPurpose;
  declare guaranteeMethods: string;
  declare maxRateBp: number | null;
  declare urgency: TNeedUrgency;
  declare note: string;
  declare status: TNeedStatus;
  declare advisorId: string | null;
  declare assignedAt: Date | null;
  declare submittedAt: Date;
  declare updatedAt: Date;
  declare clockFrom: string;
  declare dueOn: string;
  declare dueConfirmed: boolean;
  declare remindedAt: CreationOptional<Date | null>;
  declare escalatedAt: CreationOptional<Date | null>;
  declare releasedAt: CreationOptional<Date | null>;
  declare releasedBy: CreationOptional<string | null>;
  declare releaseMessage: CreationOptional<string | null>;
  declare matchedAt: CreationOptional<Date | null>;
  declare fitCount: CreationOptional<number>;
  declare version: number;
}

export class NeedMatch extends Model<InferAttributes<NeedMatch>, InferCreationAttributes<NeedMatch>> {
  declare id: string;
  declare needId: string;
  declare productId: string;
  declare revisionId: string;
  declare fits: boolean;
  declare nearMiss: boolean;
  declare score: number;
  /** ZMatchOutcome JSON. */
  declare outcome: string;
  declare advisorRank: CreationOptional<number | null>;
  declare review: TMatchReviewState;
  declare reviewReason: CreationOptional<string | null>;
  declare addedByAdvisor: CreationOptional<boolean>;
  declare isNew: CreationOptional<boolean>;
  declare matchedAt: Date;
}

export class NeedNote extends Model<InferAttributes<NeedNote>, InferCreationAttributes<NeedNote>> {
  declare id: string;
  declare needId: string;
  declare authorId: string;
  declare authorName: string;
  declare channel: TContactChannel;
  declare contactedAt: Date;
  declare outcome: string;
  declare note: string;
  declare createdAt: Date;
}

export function initMatchingModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  const int = (allowNull = false) => ({ type: DataTypes.INTEGER, allowNull });
  const bool = () => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  // A fresh object per column: Sequelize writes the column's name into the object it is given.
  const longText = () => ({ type: sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull: false });
  Product.init(
    {
      id: idColumn(),
      institutionId: bigintColumn('institutionId'),
      status: str(12) as never,
      revision: int(),
      revisionId: bigintColumn('revisionId'),
      name: str(60),
      type: str(16) as never,
      amountMinFen: fenColumn('amountMinFen'),
      amountMaxFen: fenColumn('amountMaxFen'),
      termMinMonths: int(),
      termMaxMonths: int(),
      rateMinBp: int(),
      guaranteeMethods: str(80),
      publishedAt: date(),
      createdBy: bigintColumn('createdBy'),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'products', timestamps: false },
  );
  ProductRevision.init(
    {
      id: idColumn(),
      productId: bigintColumn('productId'),
      revision: int(),
      terms: longText(),
      wasPublished: bool(),
      createdBy: bigintColumn('createdBy'),
      createdByName: str(64),
      createdAt: date(false),
    },
    { sequelize, tableName: 'product_revisions', timestamps: false },
  );
  FinancingNeed.init(
    {
      id: idColumn(),
      enterpriseId: bigintColumn('enterpriseId'),
      regionCode: str(6),
      submittedBy: bigintColumn('submittedBy'),
      amountFen: fenColumn('amountFen'),
      termMonths: int(),
      purpose: str(20) as never,
      guaranteeMethods: str(80),
      maxRateBp: int(true),
      urgency: str(12) as never,
      note: str(500),
      status: str(12) as never,
      advisorId: bigintColumn('advisorId', true),
      assignedAt: date(),
      submittedAt: date(false),
      updatedAt: date(false),
      clockFrom: str(10),
      dueOn: str(10),
      dueConfirmed: { type: DataTypes.BOOLEAN, allowNull: false },
      remindedAt: date(),
      escalatedAt: date(),
      releasedAt: date(),
      releasedBy: bigintColumn('releasedBy', true),
      releaseMessage: str(500, true),
      matchedAt: date(),
      fitCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      version: int(),
    },
    { sequelize, tableName: 'financing_needs', timestamps: false },
  );
  NeedMatch.init(
    {
      id: idColumn(),
      needId: bigintColumn('needId'),
      productId: bigintColumn('productId'),
      revisionId: bigintColumn('revisionId'),
      fits: { type: DataTypes.BOOLEAN, allowNull: false },
      nearMiss: { type: DataTypes.BOOLEAN, allowNull: false },
      score: int(),
      outcome: longText(),
      advisorRank: int(true),
      review: str(12) as never,
      reviewReason: str(200, true),
      addedByAdvisor: bool(),
      isNew: bool(),
      matchedAt: date(false),
    },
    { sequelize, tableName: 'need_matches', timestamps: false },
  );
  NeedNote.init(
    {
      id: idColumn(),
      needId: bigintColumn('needId'),
      authorId: bigintColumn('authorId'),
      authorName: str(64),
      channel: str(12) as never,
      contactedAt: date(false),
      outcome: str(200),
      note: str(1000),
      createdAt: date(false),
    },
    { sequelize, tableName: 'need_notes', timestamps: false },
  );
}
