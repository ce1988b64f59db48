import { UserOutlined } from '@ant-design/icons';
import type { RequestConfig, RunTimeLayoutConfig } from '@umijs/max';
import { history } from '@umijs/max';
import type { TCurrentUser } from '@xyd/shared';
import { ROLE_LABELS } from '@xyd/shared';
import { App, ConfigProvider, Result } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import Logo from '@/components/Logo';
import AvatarDropdown from '@/components/RightContent/AvatarDropdown';
import NoticeBell from '@/components/RightContent/NoticeBell';
import { errorConfig } from '@/requestErrorConfig';
import { getCurrentUser } from '@/services/generated';
import { isLoginPath, loginPathFor } from '@/utils/route';

// Toasts raised outside components (requestErrorConfig's error handler) render with the console's locale and App context.
ConfigProvider.config({
  holderRender: (children) => (
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }}>
      <App>{children}</App>
    </ConfigProvider>
  ),
});

export interface InitialState {
  /** null: nobody is signed in. */
  currentUser: TCurrentUser | null;
}

async function fetchSignedInUser(): Promise<TCurrentUser | null> {
  try {
    return await getCurrentUser({ skipErrorHandler: true });
  } catch {
    // 401: no session. Anything else (server unreachable) leaves the console signed out as well; the sign-in page
    // then shows the real failure when the user tries.
    return null;
  }
}

const SECURITY_PATH = '/account/security';

/** Runs once before the first render: who is signed in (GET /api/v1/auth/me); nobody → the sign-in page. */
export async function getInitialState(): Promise<InitialState> {
  const { location } = history;
  if (isLoginPath(location.pathname)) return { currentUser: null };
  const currentUser = await fetchSignedInUser();
  if (!currentUser) history.replace(loginPathFor(location));
  else if (currentUser.mustEnrolTotp && location.pathname !== SECURITY_PATH) history.replace(SECURITY_PATH);
  return { currentUser };
}

export const layout: RunTimeLayoutConfig = ({ initialState }) => {
  const user = initialState?.currentUser;
  return {
    logo: <Logo />,
    title: '信易贷',
    layout: 'mix',
    splitMenus: false,
    menu: { locale: false },
    rightContentRender: false,
    actionsRender: () => (user ? [<NoticeBell key="bell" />] : []),
    avatarProps: user
      ? {
          icon: <UserOutlined />,
          size: 'small',
          title: (
            <span data-testid="current-user">
              {user.displayName}
              <span style={{ marginLeft: 8, opacity: 0.65 }}>{ROLE_LABELS[user.role]}</span>
            </span>
          ),
          render: (_props, dom) => <AvatarDropdown>{dom}</AvatarDropdown>,
        }
      : undefined,
    menuFooterRender: () =>
      user?.organisation ? <div style={{ padding: '8px 16px', opacity: 0.65 }}>{user.organisation.name}</div> : null,
    unAccessible: (
      <div data-testid="no-permission">
        <Result
          status="403"
          title={<span data-testid="page-title">无权访问</span>}
          subTitle="抱歉，您的角色无权访问该页面。如需开通，请联系平台管理员。"
        />
      </div>
    ),
    onPageChange: () => {
      const { location } = history;
      if (!initialState?.currentUser && !isLoginPath(location.pathname)) history.replace(loginPathFor(location));
      // Where TOTP is required, a session without it may only enrol: the server refuses everything else.
      else if (initialState?.currentUser?.mustEnrolTotp && location.pathname !== SECURITY_PATH) history.replace(SECURITY_PATH);
    },
  };
};

export const request: RequestConfig = errorConfig;
