/**
 * Client settings for a configured endpoint (an AWS emulator, a proxy). The SDK v3 itself sends
 * every call to `AWS_ENDPOINT_URL_<SERVICE>` (e.g. AWS_ENDPOINT_URL_S3) or else `AWS_ENDPOINT_URL`,
 * unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (test/functions/shared/clients.test.ts proves
 * it for the installed SDK), so the clients pass no endpoint of their own.
 *
 * What the SDK does not adapt is S3's addressing: it puts the bucket in the host name
 * (<bucket>.localhost), which no emulator on localhost answers. With an endpoint configured in the
 * environment, S3 addresses buckets by path instead; without one (in AWS) nothing changes.
 * An `endpoint_url` in a shared config file (~/.aws/config) is honoured by the SDK but not seen here.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the SDK will send this service's calls to an endpoint from the environment. */
export function hasEndpointFromEnv(env: Env, serviceEnvName: string): boolean {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return false;
  return Boolean(env[`AWS_ENDPOINT_URL_${serviceEnvName}`] || env.AWS_ENDPOINT_URL);
}

export function s3ClientConfig(env: Env = process.env): S3ClientConfig {
  return hasEndpointFromEnv(env, 'S3') ? { forcePathStyle: true } : {};
}
