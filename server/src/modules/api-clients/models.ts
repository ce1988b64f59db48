import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { bigintColumn, dateColumn, idColumn, stringColumn } from '../../db/columns';

/** An institution's machine credential: a key id, an encrypted secret (and the previous one during its grace period). */
export class ApiClient extends Model<InferAttributes<ApiClient>, InferCreationAttributes<ApiClient>> {
  declare id: string;
  declare organisationId: string;
  declare name: string;
  declare keyId: string;
  /** Comma-separated roles (each in API_CLIENT_ROLES). */
  declare roles: string;
  declare secretEnc: string;
  declare previousSecretEnc: CreationOptional<string | null>;
  declare previousValidUntil: CreationOptional<Date | null>;
  declare expiresAt: Date;
  /** JSON array of addresses and CIDR blocks; empty = any address. */
  declare ipAllowList: string;
  declare disabled: CreationOptional<boolean>;
  declare disabledAt: CreationOptional<Date | null>;
  declare rotatedAt: CreationOptional<Date | null>;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A nonce seen on an accepted signed request, kept while a replay could still pass the clock-skew check. */
export class ApiClientNonce extends Model<InferAttributes<ApiClientNonce>, InferCreationAttributes<ApiClientNonce>> {
  declare keyId: string;
  declare nonce: string;
  declare seenAt: Date;
}

export function initApiClientModels(sequelize: Sequelize): void {
  ApiClient.init(
    {
      id: idColumn(),
      organisationId: bigintColumn('organisationId'),
      name: stringColumn(64),
      keyId: stringColumn(40),
      roles: stringColumn(100),
      secretEnc: stringColumn(255),
      previousSecretEnc: stringColumn(255, true),
      previousValidUntil: dateColumn(),
      expiresAt: dateColumn(false),
      ipAllowList: { type: DataTypes.TEXT, allowNull: false },
      disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      disabledAt: dateColumn(),
      rotatedAt: dateColumn(),
      createdBy: bigintColumn('createdBy'),
      createdAt: dateColumn(false),
      updatedAt: dateColumn(false),
    },
    { sequelize, tableName: 'api_clients' },
  );
  ApiClientNonce.init(
    {
      keyId: { ...stringColumn(40), primaryKey: true },
      nonce: { ...stringColumn(64), primaryKey: true },
      seenAt: dateColumn(false),
    },
    { sequelize, tableName: 'api_client_nonces', timestamps: false },
  );
}
