export * from './states';
export * from './labels';
export * from './api';
