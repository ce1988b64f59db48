import { z } from 'zod';
import { ADMIN_ROLES, MEMBER_ROLES, ORG_TYPES } from './roles';
import { checkPasswordPolicy } from './password';

const ZRegionCode = z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字');

export const ZNewPassword = z.string({ error: '请输入密码' }).superRefine((value, ctx) => {
  const problem = checkPasswordPolicy(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const ZAdminLoginRequest = z.object({
  username: z.string({ error: '请输入用户名' }).trim().min(1, '请输入用户名').max(64, '用户名过长'),
  password: z.string({ error: '请输入密码' }).min(1, '请输入密码').max(128, '密码过长'),
  totp: z.string().regex(/^\d{6}$/, '动态验证码应为 6 位数字').optional(),
}).meta({ example: { username: 'bank_officer', password: 'Xyd-Demo-2026!', totp: '123456' } });
export type TAdminLoginRequest = z.infer<typeof ZAdminLoginRequest>;

export const ZWechatLoginRequest = z.object({
  code: z.string({ error: '缺少登录凭证 code' }).trim().min(1, '缺少登录凭证 code').max(128, '登录凭证 code 过长'),
}).meta({ example: { code: '0a3Bc9ll2Kq5nd4Xr61Sll2Kq5nd4Xrj' } });
export type TWechatLoginRequest = z.infer<typeof ZWechatLoginRequest>;

export const ZOrganisationRef = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ORG_TYPES),
  regionCode: z.string().nullable(),
});
export type TOrganisationRef = z.infer<typeof ZOrganisationRef>;

export const ZMemberEnterprise = z.object({
  id: z.string(),
  name: z.string(),
  uscc: z.string(),
  memberRole: z.enum(MEMBER_ROLES),
});
export type TMemberEnterprise = z.infer<typeof ZMemberEnterprise>;

export const ZCurrentUser = z.object({
  kind: z.enum(['admin', 'wechat']),
  id: z.string(),
  displayName: z.string(),
  role: z.enum([...ADMIN_ROLES, 'ent_user']),
  username: z.string().optional(),
  organisation: ZOrganisationRef.optional(),
  regionCode: z.string().nullable().optional(),
  totpEnabled: z.boolean().optional(),
  /** Signed in where TOTP is required but not yet enrolled: only TOTP enrolment is allowed. */
  mustEnrolTotp: z.boolean().optional(),
  enterprises: z.array(ZMemberEnterprise).optional(),
});
export type TCurrentUser = z.infer<typeof ZCurrentUser>;

export const ZWechatLoginResult = z.object({ token: z.string(), expiresAt: z.string(), user: ZCurrentUser });
export type TWechatLoginResult = z.infer<typeof ZWechatLoginResult>;

export const ZSession = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type TSession = z.infer<typeof ZSession>;

export const ZChangePasswordRequest = z.object({
  oldPassword: z.string({ error: '请输入原密码' }).min(1, '请输入原密码'),
  newPassword: ZNewPassword,
});
export type TChangePasswordRequest = z.infer<typeof ZChangePasswordRequest>;

export const ZTotpEnrolment = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type TTotpEnrolment = z.infer<typeof ZTotpEnrolment>;

export const ZTotpConfirmRequest = z
  .object({ code: z.string().regex(/^\d{6}$/, '动态验证码应为 6 位数字') })
  .meta({ example: { code: '123456' } });
export type TTotpConfirmRequest = z.infer<typeof ZTotpConfirmRequest>;

/** Re-binding while TOTP is on needs a current code from the bound authenticator, so a password alone cannot replace it. */
export const ZTotpEnrolRequest = z.object({ code: z.string().regex(/^\d{6}$/, '动态验证码应为 6 位数字').optional() });
export type TTotpEnrolRequest = z.infer<typeof ZTotpEnrolRequest>;

export const ZOrganisation = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ORG_TYPES),
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  disabled: z.boolean(),
  userCount: z.number().int(),
  createdAt: z.string(),
});
export type TOrganisation = z.infer<typeof ZOrganisation>;

export const ZOrganisationQuery = z.object({
  type: z.enum(ORG_TYPES).optional(),
  keyword: z.string().trim().max(64).optional(),
});

export const ZCreateOrganisation = z.object({
  name: z.string({ error: '请输入机构名称' }).trim().min(2, '机构名称至少 2 个字').max(100, '机构名称不能超过 100 字'),
  type: z.enum(ORG_TYPES, { error: '机构类型不正确' }),
  regionCode: ZRegionCode,
}).meta({ example: { name: '钱塘农村商业银行', type: 'bank', regionCode: '330100' } });
export type TCreateOrganisation = z.infer<typeof ZCreateOrganisation>;

export const ZUpdateOrganisation = z.object({
  name: z.string().trim().min(2, '机构名称至少 2 个字').max(100, '机构名称不能超过 100 字').optional(),
  regionCode: ZRegionCode.optional(),
  disabled: z.boolean().optional(),
});
export type TUpdateOrganisation = z.infer<typeof ZUpdateOrganisation>;

export const ZAdminUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ADMIN_ROLES),
  organisation: ZOrganisationRef,
  regionCode: z.string().nullable(),
  /** Name of the region the user answers for: their own, else their organisation's. */
  regionName: z.string().nullable(),
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TAdminUser = z.infer<typeof ZAdminUser>;

export const ZAdminUserQuery = z.object({
  role: z.enum(ADMIN_ROLES).optional(),
  organisationId: z.string().regex(/^\d+$/, '机构编号不正确').optional(),
  keyword: z.string().trim().max(64).optional(),
});

export const ZCreateAdminUser = z.object({
  username: z
    .string({ error: '请输入用户名' })
    .trim()
    .regex(/^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$/, '用户名为 3–32 位字母、数字、下划线、点或短横线，以字母开头'),
  displayName: z.string({ error: '请输入姓名' }).trim().min(1, '请输入姓名').max(50, '姓名不能超过 50 字'),
  role: z.enum(ADMIN_ROLES, { error: '角色不正确' }),
  organisationId: z.string({ error: '请选择所属机构' }).regex(/^\d+$/, '机构编号不正确'),
  regionCode: ZRegionCode.optional(),
  password: ZNewPassword,
}).meta({
  example: { username: 'bank_officer2', displayName: '钱塘农商行 客户经理 陈', role: 'fi_officer', organisationId: '1000001', password: 'Qiantang-2026!' },
});
export type TCreateAdminUser = z.infer<typeof ZCreateAdminUser>;

export const ZUpdateAdminUser = z.object({
  displayName: z.string().trim().min(1, '请输入姓名').max(50, '姓名不能超过 50 字').optional(),
  role: z.enum(ADMIN_ROLES, { error: '角色不正确' }).optional(),
  organisationId: z.string().regex(/^\d+$/, '机构编号不正确').optional(),
  regionCode: ZRegionCode.nullable().optional(),
  disabled: z.boolean().optional(),
});
export type TUpdateAdminUser = z.infer<typeof ZUpdateAdminUser>;

export const ZResetPasswordRequest = z.object({ newPassword: ZNewPassword });
export type TResetPasswordRequest = z.infer<typeof ZResetPasswordRequest>;

export const ZRegion = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(['province', 'city', 'district']),
  parentCode: z.string().nullable(),
});
export type TRegion = z.infer<typeof ZRegion>;

export const ZRegionQuery = z.object({ parent: ZRegionCode.optional() });
