import type { TApiClientCredentials } from '@xyd/shared';
import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { formatDateTime } from '@/utils/format';

export interface IssuedSecret {
  /** 'create' for a new client, 'rotate' for a replaced secret. */
  reason: 'create' | 'rotate';
  credentials: TApiClientCredentials;
}

/**
 * The one moment a secret is visible: the server keeps it encrypted and never answers it again, so the modal asks to
 * copy it now and cannot be dismissed by a stray click outside it.
 */
export default function SecretModal({ issued, onClose }: { issued: IssuedSecret | null; onClose: () => void }) {
  const credentials = issued?.credentials;
  const previousUntil = credentials?.client.previousSecretValidUntil ?? null;
  return (
    <Modal
      open={!!issued}
      title={issued?.reason === 'rotate' ? '新密钥已生成' : '客户端已创建'}
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
      {credentials && (
        <div data-testid="secret-modal">
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="secret-warning"
            message="请立即复制并妥善保存，关闭后将无法再次查看"
            description="平台不会再次显示该密钥；遗失后只能轮换密钥。请勿通过聊天工具或邮件明文传递。"
          />
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="客户端">{credentials.client.name}</Descriptions.Item>
            <Descriptions.Item label="Key ID">
              <Typography.Text code copyable={{ text: credentials.keyId, tooltips: ['复制', '已复制'] }} data-testid="secret-key-id">
                {credentials.keyId}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="密钥（Secret）">
              <Typography.Text
                code
                copyable={{ text: credentials.secret, tooltips: ['复制密钥', '已复制'] }}
                style={{ wordBreak: 'break-all' }}
                data-testid="secret-value"
              >
                {credentials.secret}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          {issued?.reason === 'rotate' && (
            <Alert
              type="info"
              showIcon
              style={{ marginTop: 16 }}
              data-testid="secret-previous"
              message={
                previousUntil
                  ? `旧密钥在 ${formatDateTime(previousUntil)} 前仍可使用，请在此之前把对接系统切换到新密钥。`
                  : '旧密钥已立即失效。'
              }
            />
          )}
        </div>
      )}
    </Modal>
  );
}
