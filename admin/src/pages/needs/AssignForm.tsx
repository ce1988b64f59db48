import { ModalForm, ProFormSelect } from '@ant-design/pro-components';
import type { TNeedDetail } from '@xyd/shared';
import { regionContains } from '@xyd/shared';
import { Alert, App, Button } from 'antd';
import { assignNeed, listAdminUsers } from '@/services/generated';

/** Enabled advisors whose region covers the firm's (the server accepts no other); their own region, else their organisation's. */
export async function advisorOptions(regionCode: string, currentAdvisorId: string | null) {
  const page = await listAdminUsers({ role: 'advisor', current: 1, pageSize: 100 });
  return page.list
    .filter((u) => !u.disabled)
    .map((u) => ({ user: u, region: u.regionCode ?? u.organisation.regionCode }))
    .filter(({ region }) => region !== null && /^\d{6}$/.test(region) && regionContains(region, regionCode))
    .map(({ user }) => ({
      value: user.id,
      label: `${user.displayName}（${user.regionName ?? user.regionCode ?? user.organisation.name}）${user.id === currentAdvisorId ? ' · 当前负责' : ''}`,
      disabled: user.id === currentAdvisorId,
    }));
}

/** 指派顾问: a platform admin hands a need to an advisor of the firm's region (the platform queue has none yet). */
export default function AssignForm({ need, onAssigned }: { need: TNeedDetail; onAssigned: (detail: TNeedDetail) => void }) {
  const { message } = App.useApp();
  const label = need.advisorId ? '改派顾问' : '指派顾问';
  return (
    <ModalForm<{ advisorId: string }>
      title={label}
      width={480}
      trigger={<Button data-testid="assign-need">{label}</Button>}
      modalProps={{ destroyOnHidden: true, okText: `确认${label.slice(0, 2)}` }}
      onFinish={async ({ advisorId }) => {
        try {
          onAssigned(await assignNeed({ id: need.id }, { advisorId }));
        } catch {
          return false;
        }
        message.success('已指派，该顾问将收到通知');
        return true;
      }}
    >
      {!need.advisorId && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message="该需求所在地区暂无负责的融资顾问，在平台队列中等待指派。只能指派负责该地区的顾问。" />
      )}
      <ProFormSelect
        name="advisorId"
        label="融资顾问"
        request={async () => {
          try {
            return await advisorOptions(need.regionCode, need.advisorId);
          } catch {
            return [];
          }
        }}
        fieldProps={{ 'aria-label': '融资顾问', notFoundContent: '该地区暂无可指派的融资顾问，请先在用户管理中设置' } as object}
        rules={[{ required: true, message: '请选择融资顾问' }]}
      />
    </ModalForm>
  );
}
