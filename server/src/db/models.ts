import type { Sequelize } from 'sequelize';
import { initIdentityModels } from '../modules/identity/models';
import { Region } from '../modules/regions/model';
import { initEnterpriseModels } from '../modules/enterprises/models';
import { initAuditModels } from '../modules/audit/model';
import { initNotificationModels } from '../modules/notifications/models';
import { initIdempotencyModel } from '../modules/idempotency/model';

export function initModels(sequelize: Sequelize): void {
  Region.initModel(sequelize);
  initIdentityModels(sequelize);
  initEnterpriseModels(sequelize);
  initAuditModels(sequelize);
  initNotificationModels(sequelize);
  initIdempotencyModel(sequelize);
}
