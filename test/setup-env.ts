/**
 * Environment every test starts with: a valid configuration for the Lambdas' module-load
 * parsing, a bucket name, a version, and no real AWS credentials or endpoints to reach.
 */
process.env.KEYSWEEP_CONFIG ??= JSON.stringify({
  adminEmails: ['security-admins@example.com'],
  senderEmail: 'keysweep@example.com',
});
process.env.REPORT_BUCKET ??= 'keysweep-reports-test';
process.env.KEYSWEEP_VERSION ??= '0.0.0-test';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.KEYSWEEP_RETRY_BASE_MS ??= '1';
