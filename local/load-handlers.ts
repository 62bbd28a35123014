/**
 * The real handlers of a local run, built with `createHandler` from each function's folder, and
 * the SDK clients they are given: the functions' own (functions/shared/clients.ts, which the
 * simulated account answers) unless the caller overrides them. `npm run plan` overrides every
 * client that reaches AWS (the IAM of the account, or of each member account through its role,
 * STS, Organizations) with its guarded ones (local/plan/), so that no handler of a plan holds an
 * unguarded client.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AccountIam } from '../functions/shared/account-iam';
import type { KeysweepConfig } from '../functions/shared/config';
import type { SessionCredentials } from '../functions/shared/organization';
import type { OrganizationFunctionName, SweepFunctionName } from './callers';
import { serialized, type LambdaFn } from './local-lambda';

/** list-users' polling of a credential report being generated. */
export interface ReportPolling {
  maxPolls: number;
  pollDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

const NO_WAITS: ReportPolling = { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined };

/** The clients and waits a caller may give the handlers instead of the functions' own. */
export interface HandlerOverrides {
  /** the IAM client every handler uses; default the functions' own (functions/shared/clients.ts) */
  iam?: IAMClient;
  /** an organization's account IAM (through each member role); default clients.accountIamFor(config) */
  accountIam?: AccountIam;
  /** the STS client list-accounts assumes the org reader role with; default clients.sts */
  sts?: STSClient;
  /** the Organizations client of the org reader role's session; default clients.organizationsWithCredentials */
  organizationsWith?: (credentials: SessionCredentials) => OrganizationsClient;
  /** how list-users waits for a credential report in progress; default not at all (10 polls at once) */
  reportPolling?: ReportPolling;
}

export interface Handlers {
  lambdas: Record<SweepFunctionName, LambdaFn> & Partial<Record<OrganizationFunctionName, LambdaFn>>;
  /** the S3 client of the ASL's own SDK tasks */
  s3: S3Client;
  /** one invocation at a time across every execution of the run, nested ones included */
  oneAtATime: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * No metrics, and no handler logs unless asked for: they are JSON lines on stdout, as in Lambda
 * (set POWERTOOLS_LOG_LEVEL=INFO to see them). Read when functions/shared/observability.ts loads:
 * code that imports the functions' modules before a run calls this first.
 */
export function quietObservability(): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
}

export async function loadHandlers(
  config: KeysweepConfig,
  version: string,
  bucket: string,
  overrides: HandlerOverrides,
): Promise<Handlers> {
  // The handler modules read their environment at load; give them this run's values.
  process.env.KEYSWEEP_CONFIG = JSON.stringify(config);
  process.env.REPORT_BUCKET ??= bucket;
  process.env.KEYSWEEP_VERSION ??= version;
  process.env.KEYSWEEP_RETRY_BASE_MS ??= '1';
  quietObservability();
  const organization = config.organization.enabled
    ? await loadOrganizationHandlers(config, version, bucket, overrides)
    : {};
  const [listUsers, findStaleKeys, checkActionLimit, deactivateKey, sendReport, clients, retry] =
    await Promise.all([
      import('../functions/list-users/handler'),
      import('../functions/find-stale-keys/handler'),
      import('../functions/check-action-limit/handler'),
      import('../functions/deactivate-key/handler'),
      import('../functions/send-report/handler'),
      import('../functions/shared/clients'),
      import('../functions/shared/retry'),
    ]);
  const { s3, ses } = clients;
  const iam = overrides.iam ?? clients.iam;
  const accountIam = config.organization.enabled
    ? (overrides.accountIam ?? clients.accountIamFor(config))
    : undefined;
  const inAccounts = accountIam ? { accountIam } : {};
  const retryOptions = retry.retryOptionsFromEnv();
  return {
    s3,
    oneAtATime: serialized(),
    lambdas: {
      ...organization,
      'list-users': listUsers.createHandler({
        iam,
        ...inAccounts,
        s3,
        bucket,
        config,
        version,
        retry: retryOptions,
        reportPolling: overrides.reportPolling ?? NO_WAITS,
      }),
      'find-stale-keys': findStaleKeys.createHandler({
        iam,
        ...inAccounts,
        s3,
        bucket,
        config,
        retry: retryOptions,
      }),
      'check-action-limit': checkActionLimit.createHandler({ config }),
      'deactivate-key': deactivateKey.createHandler({ iam, ...inAccounts, config, retry: retryOptions }),
      'send-report': sendReport.createHandler({
        s3,
        ses,
        bucket,
        config,
        clock: () => new Date(),
        intervalMs: 0,
        sleep: async () => undefined,
      }),
    },
  };
}

/** The organization run's functions, with the same clients as the others. */
async function loadOrganizationHandlers(
  config: KeysweepConfig,
  version: string,
  bucket: string,
  overrides: HandlerOverrides,
): Promise<Record<OrganizationFunctionName, LambdaFn>> {
  const [listAccounts, checkOrganizationLimit, sendOrganizationReport, clients, retry] = await Promise.all([
    import('../functions/list-accounts/handler'),
    import('../functions/check-organization-limit/handler'),
    import('../functions/send-organization-report/handler'),
    import('../functions/shared/clients'),
    import('../functions/shared/retry'),
  ]);
  const { s3, ses } = clients;
  return {
    'list-accounts': listAccounts.createHandler({
      sts: overrides.sts ?? clients.sts,
      organizationsWith: overrides.organizationsWith ?? clients.organizationsWithCredentials,
      s3,
      bucket,
      config,
      version,
      retry: retry.retryOptionsFromEnv(),
    }),
    'check-organization-limit': checkOrganizationLimit.createHandler({
      s3,
      bucket,
      organization: config.organization,
    }),
    'send-organization-report': sendOrganizationReport.createHandler({
      s3,
      ses,
      bucket,
      config,
      clock: () => new Date(),
    }),
  };
}
