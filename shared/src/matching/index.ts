export * from './labels';
export * from './products';
export * from './types';
export * from './match';
export * from './needs';
