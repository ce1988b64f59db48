export * from './scorecard';
export * from './types';
export * from './features';
export * from './scoring';
export * from './warnings';
export { EXPERT_SCORECARD_V1 } from './expert-v1';
export * from './api';
