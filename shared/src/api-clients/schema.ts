import { z } from 'zod';
import { ORG_TYPES } from '../identity/roles';

/**
 * Machine credentials of an institution's own systems (机构系统对接). A client acts as an officer of its
 * institution at most: never `fi_admin`, never a role of another kind of organisation.
 */
export const API_CLIENT_ROLES = ['fi_officer'] as const;
export const ZApiClientRole = z.enum(API_CLIENT_ROLES, { error: '接口客户端只能以机构业务员（fi_officer）身份调用' });
export type TApiClientRole = z.infer<typeof ZApiClientRole>;

/** Limits of a client's lifetime and of a rotation's grace period. */
export const API_CLIENT_MAX_LIFETIME_DAYS = 3 * 366;
export const API_CLIENT_MAX_GRACE_HOURS = 7 * 24;
export const API_CLIENT_DEFAULT_GRACE_HOURS = 24;

const ZAddress = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/** One allow-list entry: an exact IPv4/IPv6 address or a CIDR block. */
export const ZIpAllowEntry = z
  .string()
  .trim()
  .max(64, 'IP 地址过长')
  .refine((value) => ZAddress.safeParse(value).success, { message: '应为 IPv4/IPv6 地址或 CIDR 网段（如 10.0.0.0/8、2001:db8::/32）' });

const ZClientName = z.string({ error: '请输入客户端名称' }).trim().min(1, '请输入客户端名称').max(64, '客户端名称不能超过 64 个字符');
const ZRoles = z
  .array(ZApiClientRole, { error: '请选择客户端的角色' })
  .min(1, '至少选择一个角色')
  .max(API_CLIENT_ROLES.length, '角色重复')
  .refine((roles) => new Set(roles).size === roles.length, { message: '角色重复' });
const ZExpiresAt = z.iso.datetime({ offset: true, error: '有效期应为 ISO 8601 时间（如 2027-06-30T00:00:00+08:00）' });
const ZIpAllowList = z.array(ZIpAllowEntry).max(50, 'IP 白名单最多 50 项');

export const ZCreateApiClient = z.object({
  name: ZClientName,
  roles: ZRoles,
  expiresAt: ZExpiresAt,
  /** Empty or absent: any address. */
  ipAllowList: ZIpAllowList.default([]),
});
export type TCreateApiClient = z.infer<typeof ZCreateApiClient>;

export const ZUpdateApiClient = z
  .object({ name: ZClientName, roles: ZRoles, expiresAt: ZExpiresAt, ipAllowList: ZIpAllowList })
  .partial()
  .refine((value) => Object.keys(value).length > 0, { message: '请至少修改一项' });
export type TUpdateApiClient = z.infer<typeof ZUpdateApiClient>;

export const ZRotateApiClient = z.object({
  /** How long the old secret keeps working; 0 ends it at once. */
  graceHours: z.coerce
    .number()
    .int('宽限期应为整数小时')
    .min(0, '宽限期不能为负')
    .max(API_CLIENT_MAX_GRACE_HOURS, `宽限期不能超过 ${API_CLIENT_MAX_GRACE_HOURS} 小时`)
    .default(API_CLIENT_DEFAULT_GRACE_HOURS),
});
export type TRotateApiClient = z.infer<typeof ZRotateApiClient>;

export const ZApiClientQuery = z.object({
  disabled: z.enum(['true', 'false']).optional(),
});
export type TApiClientQuery = z.infer<typeof ZApiClientQuery>;

export const ZApiClient = z.object({
  id: z.string(),
  organisationId: z.string(),
  orgType: z.enum(ORG_TYPES),
  name: z.string(),
  keyId: z.string(),
  roles: z.array(ZApiClientRole),
  expiresAt: z.string(),
  ipAllowList: z.array(z.string()),
  disabled: z.boolean(),
  disabledAt: z.string().nullable(),
  /** Until when the secret replaced by the last rotation still works; null when none does. */
  previousSecretValidUntil: z.string().nullable(),
  rotatedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TApiClient = z.infer<typeof ZApiClient>;

/** The answer of create and rotate: the secret is shown this once and never again. */
export const ZApiClientCredentials = z.object({
  client: ZApiClient,
  keyId: z.string(),
  secret: z.string(),
});
export type TApiClientCredentials = z.infer<typeof ZApiClientCredentials>;

/** Request signing (docs/integration.md): header names and limits shared by every signed caller. */
export const SIGNATURE_HEADERS = {
  keyId: 'X-Key-Id',
  timestamp: 'X-Timestamp',
  nonce: 'X-Nonce',
  signature: 'X-Signature',
} as const;
export const SIGNATURE_MAX_SKEW_SECONDS = 300;
export const SIGNATURE_NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
