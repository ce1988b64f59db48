import { z } from 'zod';
import type { TCreditCategory } from './categories';
import { PAYLOAD_FIELDS, type CreditFieldDef } from './fields';

/**
 * The payload of each category in normalised form, as `normaliseCreditRow` produces it and records store it:
 * money in integer fen, dates `YYYY-MM-DD`, months `YYYY-MM`, enums by value, absent optional fields null,
 * booleans always present. Cross-field rules (信用修复日期 when corrected, end dates after start dates, …) are the
 * normaliser's; these schemas check each value's shape.
 */

type PayloadShape<D extends Record<string, CreditFieldDef>> = { -readonly [K in keyof D]: D[K]['schema'] };

function payloadSchema<D extends Record<string, CreditFieldDef>>(defs: D) {
  const shape = {} as PayloadShape<D>;
  for (const key of Object.keys(defs) as Array<keyof D>) shape[key] = defs[key].schema;
  return z.object(shape);
}

export const ZRegistrationPayload = payloadSchema(PAYLOAD_FIELDS.registration);
export type TRegistrationPayload = z.infer<typeof ZRegistrationPayload>;
export const ZLicencePayload = payloadSchema(PAYLOAD_FIELDS.licence);
export type TLicencePayload = z.infer<typeof ZLicencePayload>;
export const ZPenaltyPayload = payloadSchema(PAYLOAD_FIELDS.penalty);
export type TPenaltyPayload = z.infer<typeof ZPenaltyPayload>;
export const ZBlacklistPayload = payloadSchema(PAYLOAD_FIELDS.blacklist);
export type TBlacklistPayload = z.infer<typeof ZBlacklistPayload>;
export const ZHonourPayload = payloadSchema(PAYLOAD_FIELDS.honour);
export type THonourPayload = z.infer<typeof ZHonourPayload>;
export const ZTaxPayload = payloadSchema(PAYLOAD_FIELDS.tax);
export type TTaxPayload = z.infer<typeof ZTaxPayload>;
export const ZSocialSecurityPayload = payloadSchema(PAYLOAD_FIELDS.social_security);
export type TSocialSecurityPayload = z.infer<typeof ZSocialSecurityPayload>;
export const ZUtilityPayload = payloadSchema(PAYLOAD_FIELDS.utility);
export type TUtilityPayload = z.infer<typeof ZUtilityPayload>;
export const ZCourtCasePayload = payloadSchema(PAYLOAD_FIELDS.court_case);
export type TCourtCasePayload = z.infer<typeof ZCourtCasePayload>;
export const ZLogisticsPayload = payloadSchema(PAYLOAD_FIELDS.logistics);
export type TLogisticsPayload = z.infer<typeof ZLogisticsPayload>;

export const ZLoanRepaymentPayload = payloadSchema(PAYLOAD_FIELDS.loan_repayment);
export type TLoanRepaymentPayload = z.infer<typeof ZLoanRepaymentPayload>;

export const CREDIT_PAYLOAD_SCHEMAS = {
  registration: ZRegistrationPayload,
  licence: ZLicencePayload,
  penalty: ZPenaltyPayload,
  blacklist: ZBlacklistPayload,
  honour: ZHonourPayload,
  tax: ZTaxPayload,
  social_security: ZSocialSecurityPayload,
  utility: ZUtilityPayload,
  court_case: ZCourtCasePayload,
  logistics: ZLogisticsPayload,
} satisfies Record<TCreditCategory, z.ZodType>;

/** Each category's payload type, for code that narrows a record by its category. */
export type TCreditPayloadMap = { [C in TCreditCategory]: z.infer<(typeof CREDIT_PAYLOAD_SCHEMAS)[C]> };
/** The same for every category the ingestion pipeline carries. */
export type TIngestPayloadMap = TCreditPayloadMap & { loan_repayment: TLoanRepaymentPayload };
