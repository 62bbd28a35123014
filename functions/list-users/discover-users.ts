/**
 * Which users a run reads. For now every user (a full scan); the credential report's fast path
 * plugs in here.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KeysweepConfig } from '../shared/config';
import type { RetryOptions } from '../shared/retry';
import { listAllUserNames } from './all-users';

export interface Discovery {
  source: 'full-scan' | 'credential-report';
  reason: string;
  usersInAccount: number;
  userNames: string[];
  credentialReportGeneratedAt: string | null;
}

export interface DiscoverDeps {
  iam: IAMClient;
  s3: S3Client;
  bucket: string;
  config: KeysweepConfig;
  retry: RetryOptions;
  now: Date;
  forceFullScan: boolean;
}

export async function discoverUsers(deps: DiscoverDeps): Promise<Discovery> {
  const userNames = await listAllUserNames(deps.iam, deps.retry);
  return {
    source: 'full-scan',
    reason: 'every user is read',
    usersInAccount: userNames.length,
    userNames,
    credentialReportGeneratedAt: null,
  };
}
