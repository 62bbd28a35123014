/**
 * The SDK clients, created once per Lambda container and passed into the logic as arguments.
 * Each is traced by X-Ray when tracing is on (in Lambda); elsewhere the client is returned as is.
 * Attempts and timeouts come from the retry budget (retry-budget.ts); they honour
 * AWS_ENDPOINT_URL(_<SERVICE>) (endpoint-config.ts).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { s3ClientConfig } from './endpoint-config';
import { tracer } from './observability';
import { redactKeyIdsInSdkErrors } from './redact-errors';
import { SDK_CLIENTS, sdkClientConfig } from './retry-budget';

export const iam = tracer.captureAWSv3Client(new IAMClient(sdkClientConfig(SDK_CLIENTS.iam)));
export const s3 = tracer.captureAWSv3Client(
  new S3Client({ ...sdkClientConfig(SDK_CLIENTS.s3), ...s3ClientConfig() }),
);
export const ses = tracer.captureAWSv3Client(new SESClient(sdkClientConfig(SDK_CLIENTS.ses)));

// A call's error reaches X-Ray and the caller with masked key IDs only (see redact-errors.ts).
redactKeyIdsInSdkErrors(iam);
redactKeyIdsInSdkErrors(s3);
redactKeyIdsInSdkErrors(ses);
