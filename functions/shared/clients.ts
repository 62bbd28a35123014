/**
 * The SDK clients, created once per Lambda container and passed into the logic as arguments.
 * Each is traced by X-Ray when tracing is on (in Lambda); elsewhere the client is returned as is.
 * Attempts and timeouts come from the retry budget (retry-budget.ts); they honour
 * AWS_ENDPOINT_URL(_<SERVICE>) (endpoint-config.ts).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { memberAccountIam, type AccountIam } from './account-iam';
import type { KeysweepConfig } from './config';
import type { SessionCredentials } from './organization';
import { s3ClientConfig } from './endpoint-config';
import { tracer } from './observability';
import { redactKeyIdsInSdkErrors } from './redact-errors';
import { SDK_CLIENTS, sdkClientConfig } from './retry-budget';

export const iam = tracer.captureAWSv3Client(new IAMClient(sdkClientConfig(SDK_CLIENTS.iam)));
export const s3 = tracer.captureAWSv3Client(
  new S3Client({ ...sdkClientConfig(SDK_CLIENTS.s3), ...s3ClientConfig() }),
);
export const ses = tracer.captureAWSv3Client(new SESClient(sdkClientConfig(SDK_CLIENTS.ses)));

/** STS, for the member role (organization runs only). */
export const sts = tracer.captureAWSv3Client(new STSClient(sdkClientConfig(SDK_CLIENTS.sts)));

/** An IAM client signing with an assumed role session's credentials (another account's IAM). */
export function iamWithCredentials(credentials: SessionCredentials): IAMClient {
  const client = tracer.captureAWSv3Client(
    new IAMClient({ ...sdkClientConfig(SDK_CLIENTS.iam), credentials }),
  );
  redactKeyIdsInSdkErrors(client);
  return client;
}

/** An Organizations client signing with the org reader role's session (list-accounts). */
export function organizationsWithCredentials(credentials: SessionCredentials): OrganizationsClient {
  const client = tracer.captureAWSv3Client(
    new OrganizationsClient({ ...sdkClientConfig(SDK_CLIENTS.organizations), credentials }),
  );
  redactKeyIdsInSdkErrors(client);
  return client;
}

/** The member-role IAM of each account, when the configuration sweeps an organization. */
export function accountIamFor(config: KeysweepConfig): AccountIam | undefined {
  return config.organization.enabled
    ? memberAccountIam(sts, config.organization, iamWithCredentials)
    : undefined;
}

// A call's error reaches X-Ray and the caller with masked key IDs only (see redact-errors.ts).
redactKeyIdsInSdkErrors(iam);
redactKeyIdsInSdkErrors(s3);
redactKeyIdsInSdkErrors(ses);
redactKeyIdsInSdkErrors(sts);
