import { act, render, waitFor } from '@testing-library/react';
import { safeExecute } from '@tarojs/runtime';
import type { ComponentType } from 'react';

/**
 * Outside a built app Taro's hooks register under the app-level instance id, so the tests fire page lifecycles
 * (useDidShow, usePullDownRefresh, …) there, the way the router fires them when a page is shown.
 */
const PAGE_INSTANCE = 'taro-app';

export async function firePageLifecycle(lifecycle: 'componentDidShow' | 'onPullDownRefresh' | 'onReachBottom') {
  await act(async () => {
    await safeExecute(PAGE_INSTANCE, lifecycle);
  });
}

/** Renders a page component and shows it. */
export async function renderPage(Page: ComponentType) {
  const view = render(<Page />);
  await firePageLifecycle('componentDidShow');
  return view;
}

/** The native <input> inside a Taro Input (a web component that renders it asynchronously). */
export async function nativeInput(host: HTMLElement): Promise<HTMLInputElement> {
  let input: HTMLInputElement | null = null;
  await waitFor(() => {
    input = host.querySelector('input');
    if (!input) throw new Error('Taro Input has not rendered its <input> yet');
  });
  return input!;
}
