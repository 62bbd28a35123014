export * from './account-file';
export * from './simulated-account';
export * from './generate-account';
