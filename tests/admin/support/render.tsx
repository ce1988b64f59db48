import { TestBrowser } from '@@/testBrowser';
import { StyleProvider } from '@ant-design/cssinjs';
import { fireEvent, render, screen } from '@testing-library/react';
import { ConfigProvider } from 'antd';
import type { TCurrentUser } from '@xyd/shared';
import { api, fail, ok } from './fakeApi';

interface HistoryLike {
  location: { pathname: string; search: string };
  push: (to: string) => void;
}

/**
 * Renders the whole console (umi routes, access, layout, initial state) at `path`, signed in as `user`
 * (or signed out when null). Fake routes registered with `api.on` override these defaults.
 */
export async function renderConsole(path: string, user: TCurrentUser | null, { unread = 0 } = {}) {
  api.fallback('GET /api/v1/auth/me', user ? ok(user) : fail(401, 'UNAUTHENTICATED', '请先登录'));
  api.fallback('GET /api/v1/messages/unread-count', ok({ count: unread }));
  const historyRef: { current?: HistoryLike } = {};
  const [pathname, search = ''] = path.split('?');
  const utils = render(
    // Styles are computed but not injected (jsdom parsing antd's CSS dominates run time otherwise); no motion.
    <StyleProvider mock="server">
      <ConfigProvider theme={{ token: { motion: false } }}>
        <TestBrowser location={{ pathname, search: search ? `?${search}` : '' }} historyRef={historyRef as never} />
      </ConfigProvider>
    </StyleProvider>,
  );
  return {
    ...utils,
    history: () => historyRef.current!,
  };
}

/** The page heading every console page carries (data-testid="page-title"). */
export async function findPageTitle(text: string) {
  return screen.findByText(text, { selector: '[data-testid="page-title"]' });
}

/** Sets an input's value in one change event: typing key by key through antd forms is slow and adds nothing here. */
export function fillIn(element: HTMLElement, value: string) {
  fireEvent.change(element, { target: { value } });
}
