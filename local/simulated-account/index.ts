export * from './account-file';
export * from './simulated-account';
export * from './generate-account';
export { CREDENTIAL_REPORT_HEADER, CREDENTIAL_REPORT_MAX_AGE_MS } from './credential-report';
export type { CredentialReportFailure, Faults, MalformedReportRow } from './faults';
export { SIMULATED_LAST_USED_REGION, SIMULATED_LAST_USED_SERVICE } from './iam';
export type { SentEmail } from './ses';
