import { LockOutlined, LogoutOutlined, SafetyOutlined } from '@ant-design/icons';
import { history, useModel } from '@umijs/max';
import { Dropdown, type MenuProps } from 'antd';
import type { ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { logout } from '@/services/generated';
import { LOGIN_PATH } from '@/utils/route';

/** The user menu under the header avatar: security, sessions, sign out. */
export default function AvatarDropdown({ children }: { children: ReactNode }) {
  const { setInitialState } = useModel('@@initialState');

  const onSignOut = async () => {
    try {
      await logout({ skipErrorHandler: true });
    } finally {
      // Even if the server is unreachable, forget the user locally; the cookie is httpOnly and expires on its own.
      flushSync(() => setInitialState((s) => (s ? { ...s, currentUser: null } : s)));
      history.replace(LOGIN_PATH);
    }
  };

  const items: MenuProps['items'] = [
    { key: 'security', icon: <LockOutlined />, label: '安全设置' },
    { key: 'sessions', icon: <SafetyOutlined />, label: '登录设备' },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">退出登录</span> },
  ];

  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'logout') onSignOut();
    else history.push(`/account/${key}`);
  };

  return <Dropdown menu={{ items, onClick }}>{children}</Dropdown>;
}
