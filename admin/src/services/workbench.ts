import type { TWorkbench } from '@xyd/shared';
import { callApi } from './api';

export function fetchWorkbench() {
  return callApi<TWorkbench>('/api/v1/workbench');
}
