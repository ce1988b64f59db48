import type { TApiClientCredentials } from '@xyd/shared';
import SharedSecretModal from '@/components/SecretModal';

export interface IssuedSecret {
  /** 'create' for a new client, 'rotate' for a replaced secret. */
  reason: 'create' | 'rotate';
  credentials: TApiClientCredentials;
}

/** An API client's secret, shown once (components/SecretModal). */
export default function SecretModal({ issued, onClose }: { issued: IssuedSecret | null; onClose: () => void }) {
  const c = issued?.credentials;
  return (
    <SharedSecretModal
      issued={issued && c ? { reason: issued.reason, holderName: c.client.name, keyId: c.keyId, secret: c.secret, previousValidUntil: c.client.previousSecretValidUntil } : null}
      holderLabel="客户端"
      systemLabel="对接系统"
      handover="请勿通过聊天工具或邮件明文传递。"
      onClose={onClose}
    />
  );
}
