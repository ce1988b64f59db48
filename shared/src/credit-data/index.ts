export * from './categories';
export * from './enums';
export { CREDIT_FIELDS, creditHeaderMap, requiredCreditKeys, type CreditFieldSpec, type CreditFieldType } from './fields';
export * from './payloads';
export { formatFenAsYuan } from './money';
export {
  normaliseCreditRow,
  canonicalCreditContent,
  describeCreditPayload,
  type TCreditRecordInput,
  type TRowError,
  type TNormaliseResult,
} from './normalise';
export * from './api';
