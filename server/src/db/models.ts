import type { Sequelize } from 'sequelize';
import { initIdentityModels } from '../modules/identity/models';
import { Region } from '../modules/regions/model';
import { initEnterpriseModels } from '../modules/enterprises/models';
import { initFileModels } from '../modules/files/models';
import { initAuditModels } from '../modules/audit/model';
import { initNotificationModels } from '../modules/notifications/models';
import { initIdempotencyModel } from '../modules/idempotency/model';
import { initJobModels } from '../modules/jobs/models';
import { initIdWorkerModel } from './id-workers';
import { initApiClientModels } from '../modules/api-clients/models';
import { initCreditDataModels } from '../modules/credit-data/models';
import { initCreditEngineModels } from '../modules/credit-engine/models';
import { initMatchingModels } from '../modules/matching/models';
import { initCalendarModels } from '../modules/calendar/models';

export function initModels(sequelize: Sequelize): void {
  Region.initModel(sequelize);
  initIdentityModels(sequelize);
  initEnterpriseModels(sequelize);
  initFileModels(sequelize);
  initAuditModels(sequelize);
  initNotificationModels(sequelize);
  initIdempotencyModel(sequelize);
  initJobModels(sequelize);
  initIdWorkerModel(sequelize);
  initApiClientModels(sequelize);
  initCreditDataModels(sequelize);
  initCreditEngineModels(sequelize);
  initMatchingModels(sequelize);
  initCalendarModels(sequelize);
}
