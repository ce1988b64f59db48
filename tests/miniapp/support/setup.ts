import { configure } from '@testing-library/react';
import React from 'react';
import ReactDOM from 'react-dom';
import { createH5NativeComponentConfig } from '@tarojs/plugin-framework-react/dist/runtime';

// Hands React to Taro's framework runtime, as the h5 app entry does, so that Taro's hooks work outside a built app.
createH5NativeComponentConfig(null, React, ReactDOM);

import { TEST_TIMEOUT_MS, WAIT_TIMEOUT_MS } from './timeouts';

// Wait for conditions, with room for a busy 2-core machine (see timeouts.ts).
configure({ asyncUtilTimeout: WAIT_TIMEOUT_MS });
jest.setTimeout(TEST_TIMEOUT_MS);

beforeEach(() => {
  // Taro's H5 storage is localStorage: every test starts signed out, as a fresh browser.
  localStorage.clear();
  process.env.TARO_ENV = 'h5';
});
