import '@testing-library/jest-dom';
// umi's test setup: creates the runtime plugin manager (src/app.tsx's request config, getInitialState, layout).
import '@umijs/max/test-setup';
import { api, installFakeApi } from './fakeApi';

installFakeApi();

// The first render in a file loads the route's chunk and antd's table/form code: allow for a busy 2-core machine.
// (Set here rather than as `testTimeout`, which jest accepts only in a root config, not in a project.)
jest.setTimeout(30000);

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
