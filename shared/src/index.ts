export * from './api/errors';
export * from './api/envelope';
export * from './api/api-error';
export * from './common/pagination';
export * from './common/calendar';
export * from './common/region';
export * from './common/working-days';
export * from './calendar/api';
export * from './common/text';
export * from './validators';
export * from './identity/roles';
export * from './identity/password';
export * from './identity/schema';
export * from './enterprise/schema';
export * from './messages/schema';
export * from './audit/schema';
export * from './jobs/schema';
export * from './api-clients/schema';
export * from './industry';
export * from './credit-data';
export * from './credit-engine';
export * from './matching';
export * from './applications';

// Default zod messages in Simplified Chinese for every app that validates with these schemas.
import { config, locales } from 'zod';
config(locales.zhCN());
