export * from './result';
export * from './uscc';
export * from './id-card';
export * from './mobile';
export * from './mask';
