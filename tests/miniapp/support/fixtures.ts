import type { TMessage, TVerification } from '@xyd/shared';

export function verification(overrides: Partial<TVerification> = {}): TVerification {
  return {
    id: '1',
    uscc: '91110108600040399G',
    enterpriseName: '北京示例科技有限公司',
    legalRepName: '张三',
    legalRepIdMasked: '110105********002X',
    applicantRole: 'owner',
    applicantName: '张三',
    regionCode: '110108',
    status: 'pending',
    rejectReason: null,
    reviewerName: null,
    reviewedAt: null,
    createdAt: '2025-11-20T02:00:00.000Z',
    ...overrides,
  };
}

export function message(overrides: Partial<TMessage> = {}): TMessage {
  return {
    id: '1',
    title: '企业认证结果',
    body: '您提交的企业认证已通过。',
    link: null,
    readAt: null,
    createdAt: '2025-11-20T02:00:00.000Z',
    ...overrides,
  };
}
