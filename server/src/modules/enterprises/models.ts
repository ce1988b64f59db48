import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { TMemberRole, TVerificationStatus, ENTERPRISE_SCALES, ENTERPRISE_STATUSES } from '@xyd/shared';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';

export class Enterprise extends Model<InferAttributes<Enterprise>, InferCreationAttributes<Enterprise>> {
  declare id: string;
  declare uscc: string;
  declare name: string;
  declare legalRepName: string;
  /** Keyed hash of the legal representative's ID number: comparable, never readable. */
  declare legalRepIdHmac: string;
  declare legalRepIdMasked: string;
  declare registeredCapitalFen: string;
  declare establishedOn: string;
  declare industryCode: string;
  declare industryName: string;
  declare regionCode: string;
  declare scale: (typeof ENTERPRISE_SCALES)[number];
  declare status: (typeof ENTERPRISE_STATUSES)[number];
  declare address: string | null;
  declare businessScope: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class EnterpriseMember extends Model<InferAttributes<EnterpriseMember>, InferCreationAttributes<EnterpriseMember>> {
  declare id: string;
  declare enterpriseId: string;
  declare wechatUserId: string;
  declare role: TMemberRole;
  declare displayName: string;
  declare verificationId: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class VerificationRequest extends Model<
  InferAttributes<VerificationRequest>,
  InferCreationAttributes<VerificationRequest>
> {
  declare id: string;
  declare wechatUserId: string;
  declare uscc: string;
  declare enterpriseName: string;
  declare legalRepName: string;
  declare legalRepIdHmac: string;
  declare legalRepIdMasked: string;
  declare applicantRole: 'owner' | 'agent';
  declare applicantName: string;
  /** A row of `files` (modules/files); the image bytes are in the file store. */
  declare licenceFileId: string;
  declare regionCode: string | null;
  declare status: TVerificationStatus;
  declare rejectReason: CreationOptional<string | null>;
  declare reviewerId: CreationOptional<string | null>;
  declare reviewedAt: CreationOptional<Date | null>;
  declare enterpriseId: CreationOptional<string | null>;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initEnterpriseModels(sequelize: Sequelize): void {
  const str = stringColumn;
  const date = dateColumn;
  Enterprise.init(
    {
      id: idColumn(),
      uscc: str(18),
      name: str(100),
      legalRepName: str(50),
      legalRepIdHmac: str(64),
      legalRepIdMasked: str(18),
      registeredCapitalFen: bigintColumn('registeredCapitalFen') as never,
      establishedOn: { type: DataTypes.DATEONLY, allowNull: false },
      industryCode: str(8),
      industryName: str(64),
      regionCode: str(6),
      scale: str(8) as never,
      status: str(16) as never,
      address: str(200, true),
      businessScope: { type: DataTypes.TEXT, allowNull: true },
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'enterprises' },
  );
  EnterpriseMember.init(
    {
      id: idColumn(),
      enterpriseId: bigintColumn('enterpriseId'),
      wechatUserId: bigintColumn('wechatUserId'),
      role: str(16) as never,
      displayName: str(50),
      verificationId: bigintColumn('verificationId', true),
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'enterprise_members' },
  );
  VerificationRequest.init(
    {
      id: idColumn(),
      wechatUserId: bigintColumn('wechatUserId'),
      uscc: str(18),
      enterpriseName: str(100),
      legalRepName: str(50),
      legalRepIdHmac: str(64),
      legalRepIdMasked: str(18),
      applicantRole: str(8) as never,
      applicantName: str(50),
      licenceFileId: bigintColumn('licenceFileId'),
      regionCode: str(6, true),
      status: str(16) as never,
      rejectReason: str(500, true),
      reviewerId: bigintColumn('reviewerId', true),
      reviewedAt: date(),
      enterpriseId: bigintColumn('enterpriseId', true),
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      createdAt: date(false),
      updatedAt: date(false),
    },
    { sequelize, tableName: 'verification_requests' },
  );
}
