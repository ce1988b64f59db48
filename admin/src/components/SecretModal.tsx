import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import type { ReactNode } from 'react';
import { formatDateTime } from '@/utils/format';

/** A signing key just issued: its id and secret, and how long the key it replaced keeps working (after a rotation). */
export interface IssuedKey {
  /** 'create' for a new holder, 'rotate' for a replaced secret. */
  reason: 'create' | 'rotate';
  holderName: string;
  keyId: string;
  secret: string;
  previousValidUntil: string | null;
}

interface Props {
  issued: IssuedKey | null;
  /** What holds the key: 客户端 or 数据源. */
  holderLabel: string;
  /** The system that signs with it, in the roll-over advice: 对接系统, 报送系统. */
  systemLabel: string;
  /** How to hand the secret over safely. */
  handover: string;
  onClose: () => void;
  children?: ReactNode;
}

/**
 * The one moment a secret is visible: the server keeps it encrypted and never answers it again, so the modal asks to
 * copy it now and cannot be dismissed by a stray click outside it. Shared by API clients and data sources.
 */
export default function SecretModal({ issued, holderLabel, systemLabel, handover, onClose, children }: Props) {
  return (
    <Modal
      open={!!issued}
      title={issued?.reason === 'rotate' ? '新密钥已生成' : `${holderLabel}已创建`}
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
      {issued && (
        <div data-testid="secret-modal">
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="secret-warning"
            message="请立即复制并妥善保存，关闭后将无法再次查看"
            description={`平台不会再次显示该密钥；遗失后只能轮换密钥。${handover}`}
          />
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={holderLabel}>{issued.holderName}</Descriptions.Item>
            <Descriptions.Item label="Key ID">
              <Typography.Text code copyable={{ text: issued.keyId, tooltips: ['复制', '已复制'] }} data-testid="secret-key-id">
                {issued.keyId}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="密钥（Secret）">
              <Typography.Text
                code
                copyable={{ text: issued.secret, tooltips: ['复制密钥', '已复制'] }}
                style={{ wordBreak: 'break-all' }}
                data-testid="secret-value"
              >
                {issued.secret}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          {children}
          {issued.reason === 'rotate' && (
            <Alert
              type="info"
              showIcon
              style={{ marginTop: 16 }}
              data-testid="secret-previous"
              message={
                issued.previousValidUntil
                  ? `旧密钥在 ${formatDateTime(issued.previousValidUntil)} 前仍可使用，请在此之前把${systemLabel}切换到新密钥。`
                  : '旧密钥已立即失效。'
              }
            />
          )}
        </div>
      )}
    </Modal>
  );
}
