import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
// umi's test setup: creates the runtime plugin manager (src/app.tsx's request config, getInitialState, layout).
import '@umijs/max/test-setup';
import { api, installFakeApi } from './fakeApi';

installFakeApi();

import { TEST_TIMEOUT_MS, WAIT_TIMEOUT_MS } from './timeouts';

// The first render in a file loads the route's chunk and antd's table/form code, and the machine may be busy with
// other suites: every findBy*/waitFor waits for its condition up to WAIT_TIMEOUT_MS (never a fixed sleep), and a test
// gets TEST_TIMEOUT_MS. (Set here rather than as `testTimeout`, which jest accepts only in a root config.)
configure({ asyncUtilTimeout: WAIT_TIMEOUT_MS });
jest.setTimeout(TEST_TIMEOUT_MS);

beforeEach(() => {
  api.reset();
});

// Known noise, not faults of the console: React's act() warning for updates from resolved fake requests (RTL's
// async queries already wait for them) and rc-resize-observer's use of findDOMNode.
const NOISE = ['not wrapped in act(', 'findDOMNode is deprecated'];
const originalError = console.error;
beforeAll(() => {
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && NOISE.some((n) => (args[0] as string).includes(n))) return;
    originalError(...(args as []));
  });
});
afterAll(() => {
  (console.error as jest.Mock).mockRestore?.();
});
