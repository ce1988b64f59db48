import { z } from 'zod';
import { MEMBER_ROLES } from '../identity/roles';
import { validateIdCard, validateUscc } from '../validators';

import { ENTERPRISE_SCALES, ENTERPRISE_STATUSES } from './labels';

export { ENTERPRISE_SCALES, ENTERPRISE_STATUSES, ENTERPRISE_STATUS_LABELS, SCALE_LABELS } from './labels';

export const ZUscc = z.string({ error: '请输入统一社会信用代码' }).transform((value, ctx) => {
  const result = validateUscc(value);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  }
  return result.value;
});

export const ZIdNumber = z.string({ error: '请输入身份证号码' }).transform((value, ctx) => {
  const result = validateIdCard(value);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  }
  return result.value;
});

export const ZEnterprise = z.object({
  id: z.string(),
  uscc: z.string(),
  name: z.string(),
  legalRepName: z.string(),
  registeredCapitalFen: z.string().describe('registered capital in fen, as a decimal string'),
  establishedOn: z.string(),
  industryCode: z.string(),
  industryName: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  scale: z.enum(ENTERPRISE_SCALES),
  status: z.enum(ENTERPRISE_STATUSES),
  memberCount: z.number().int(),
});
export type TEnterprise = z.infer<typeof ZEnterprise>;

export const ZEnterpriseMember = z.object({
  id: z.string(),
  displayName: z.string(),
  role: z.enum(MEMBER_ROLES),
  since: z.string(),
});
export type TEnterpriseMember = z.infer<typeof ZEnterpriseMember>;

export const ZEnterpriseDetail = ZEnterprise.extend({
  legalRepIdMasked: z.string(),
  address: z.string().nullable(),
  businessScope: z.string().nullable(),
  members: z.array(ZEnterpriseMember),
});
export type TEnterpriseDetail = z.infer<typeof ZEnterpriseDetail>;

export const ZEnterpriseQuery = z.object({
  keyword: z.string().trim().max(64, '关键字不能超过 64 字').optional(),
  regionCode: z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字').optional(),
});
export type TEnterpriseQuery = z.infer<typeof ZEnterpriseQuery>;

export const VERIFICATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type TVerificationStatus = (typeof VERIFICATION_STATUSES)[number];
export const VERIFICATION_STATUS_LABELS: Record<TVerificationStatus, string> = {
  pending: '审核中',
  approved: '已通过',
  rejected: '已驳回',
};

/** The text fields of a verification request; the licence image travels beside them as multipart `licence`. */
export const ZVerificationSubmit = z.object({
  uscc: ZUscc,
  enterpriseName: z.string({ error: '请输入企业名称' }).trim().min(2, '企业名称至少 2 个字').max(100, '企业名称不能超过 100 字'),
  legalRepName: z.string({ error: '请输入法定代表人姓名' }).trim().min(2, '法定代表人姓名至少 2 个字').max(50, '法定代表人姓名过长'),
  legalRepIdNumber: ZIdNumber,
  applicantRole: z.enum(['owner', 'agent'], { error: '申请人身份应为 owner（法定代表人）或 agent（经办人）' }),
}).meta({
  example: {
    uscc: '9133010631LDEE17LX',
    enterpriseName: '杭州云栖精密机械有限公司',
    legalRepName: '张建国',
    legalRepIdNumber: '330106196102021011',
    applicantRole: 'owner',
  },
});
export type TVerificationSubmit = z.infer<typeof ZVerificationSubmit>;

export const ZVerification = z.object({
  id: z.string(),
  uscc: z.string(),
  enterpriseName: z.string(),
  legalRepName: z.string(),
  legalRepIdMasked: z.string(),
  applicantRole: z.enum(['owner', 'agent']),
  applicantName: z.string(),
  regionCode: z.string().nullable(),
  status: z.enum(VERIFICATION_STATUSES),
  rejectReason: z.string().nullable(),
  reviewerName: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TVerification = z.infer<typeof ZVerification>;

export const ZRegistrationData = z.object({
  enterpriseId: z.string(),
  uscc: z.string(),
  name: z.string(),
  legalRepName: z.string(),
  legalRepIdMasked: z.string(),
  regionName: z.string(),
  status: z.enum(ENTERPRISE_STATUSES),
  /** Display names of the firm's current 法定代表人 members: approving another owner needs a warning. */
  existingOwners: z.array(z.string()),
});

export const ZVerificationDetail = ZVerification.extend({
  licenceMime: z.string(),
  registration: ZRegistrationData.nullable(),
  checks: z.object({
    enterpriseRegistered: z.boolean(),
    nameMatches: z.boolean(),
    legalRepNameMatches: z.boolean(),
    legalRepIdMatches: z.boolean(),
  }),
});
export type TVerificationDetail = z.infer<typeof ZVerificationDetail>;

export const ZVerificationQuery = z.object({ status: z.enum(VERIFICATION_STATUSES).optional() });

/** A platform admin hands a request that no advisor covers to another region's advisors. */
export const ZReassignVerification = z.object({
  regionCode: z.string({ error: '请选择改派到的行政区划' }).regex(/^\d{6}$/, '行政区划代码应为 6 位数字'),
}).meta({ example: { regionCode: '330200' } });
export type TReassignVerification = z.infer<typeof ZReassignVerification>;

export const ZRejectVerification = z.object({
  reason: z.string({ error: '请填写驳回原因' }).trim().min(2, '驳回原因至少 2 个字').max(500, '驳回原因不能超过 500 字'),
}).meta({ example: { reason: '营业执照照片模糊，无法辨认统一社会信用代码，请重新拍摄上传' } });
export type TRejectVerification = z.infer<typeof ZRejectVerification>;

export const ZMyEnterprise = z.object({
  id: z.string(),
  name: z.string(),
  uscc: z.string(),
  memberRole: z.enum(MEMBER_ROLES),
  members: z.array(z.object({ displayName: z.string(), role: z.enum(MEMBER_ROLES) })),
});
export type TMyEnterprise = z.infer<typeof ZMyEnterprise>;
