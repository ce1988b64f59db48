import type { TDataSourceWithSecret } from '@xyd/shared';
import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { formatDateTime } from '@/utils/format';

export interface IssuedSourceSecret {
  /** 'create' for a new source, 'rotate' for a replaced key. */
  reason: 'create' | 'rotate';
  issued: TDataSourceWithSecret;
}

/**
 * The one moment a data source's signing secret is visible (the pattern of api-clients/SecretModal): the server never
 * answers it again, so the modal asks to copy it now and cannot be dismissed by a stray click outside it.
 */
export default function SourceSecretModal({ issued, onClose }: { issued: IssuedSourceSecret | null; onClose: () => void }) {
  const source = issued?.issued.source;
  const secret = issued?.issued.secret ?? '';
  const previousUntil = source?.previousKeyValidUntil ?? null;
  return (
    <Modal
      open={!!issued}
      title={issued?.reason === 'rotate' ? '新密钥已生成' : '数据源已创建'}
      width={640}
      maskClosable={false}
      keyboard={false}
      destroyOnHidden
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose} data-testid="secret-close">
          我已复制并保存
        </Button>
      }
    >
      {source && (
        <div data-testid="secret-modal">
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="secret-warning"
            message="请立即复制并妥善保存，关闭后将无法再次查看"
            description="平台不会再次显示该密钥；遗失后只能轮换密钥。请通过安全渠道交给数据报送方，勿用聊天工具或邮件明文传递。"
          />
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="数据源">{source.name}</Descriptions.Item>
            <Descriptions.Item label="Key ID">
              <Typography.Text code copyable={{ text: source.keyId, tooltips: ['复制', '已复制'] }} data-testid="secret-key-id">
                {source.keyId}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="密钥（Secret）">
              <Typography.Text
                code
                copyable={{ text: secret, tooltips: ['复制密钥', '已复制'] }}
                style={{ wordBreak: 'break-all' }}
                data-testid="secret-value"
              >
                {secret}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }} data-testid="secret-usage">
            报送方以该密钥对请求做 HMAC 签名（请求头 X-Key-Id、X-Timestamp、X-Nonce、X-Signature），推送至{' '}
            <Typography.Text code>POST /api/v1/ingest/数据类别?batchId=批次号</Typography.Text>。
          </Typography.Paragraph>
          {issued?.reason === 'rotate' && (
            <Alert
              type="info"
              showIcon
              style={{ marginTop: 16 }}
              data-testid="secret-previous"
              message={
                previousUntil
                  ? `旧密钥在 ${formatDateTime(previousUntil)} 前仍可使用，请在此之前把报送系统切换到新密钥。`
                  : '旧密钥已立即失效。'
              }
            />
          )}
        </div>
      )}
    </Modal>
  );
}
