import type { TDataSourceWithSecret } from '@xyd/shared';
import { Typography } from 'antd';
import SharedSecretModal from '@/components/SecretModal';

export interface IssuedSourceSecret {
  /** 'create' for a new source, 'rotate' for a replaced key. */
  reason: 'create' | 'rotate';
  issued: TDataSourceWithSecret;
}

/** A data source's signing secret, shown once (components/SecretModal), with how the source signs its pushes. */
export default function SourceSecretModal({ issued, onClose }: { issued: IssuedSourceSecret | null; onClose: () => void }) {
  const s = issued?.issued;
  return (
    <SharedSecretModal
      issued={issued && s ? { reason: issued.reason, holderName: s.source.name, keyId: s.source.keyId, secret: s.secret, previousValidUntil: s.source.previousKeyValidUntil } : null}
      holderLabel="数据源"
      systemLabel="报送系统"
      handover="请通过安全渠道交给数据报送方，勿用聊天工具或邮件明文传递。"
      onClose={onClose}
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }} data-testid="secret-usage">
        报送方以该密钥对请求做 HMAC 签名（请求头 X-Key-Id、X-Timestamp、X-Nonce、X-Signature），推送至{' '}
        <Typography.Text code>POST /api/v1/ingest/数据类别?batchId=批次号</Typography.Text>。
      </Typography.Paragraph>
    </SharedSecretModal>
  );
}
