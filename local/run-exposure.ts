/**
 * Runs the exposure path's real state machine locally on an AWS Health event, against the simulated
 * account (or organization): each AWS call is authorized against the policies the stack synthesizes
 * (the exposure functions' roles, the exposure state machine's role, the exposed-key rule's role, the
 * member role in another account), as runWorkflow does for the sweep. Used by `npm start -- --event`
 * and the workflow tests.
 */
import type { KeysweepConfig } from '../functions/shared/config';
import { exposureReportSchema, type ExposureReport } from '../functions/shared/exposure';
import { layout, runPrefix } from '../functions/shared/report-layout';
import { authorizedAccount } from './authorized-account';
import { DeploymentAuthorization } from './deployment-authorization';
import { deploymentPolicies } from './deployment-policies';
import { executeExposure } from './execute-exposure';
import { LOCAL_BUCKET } from './execute-sweep';
import { SimulatedAccount, type AccountFile, type Faults, type SentEmail } from './simulated-account';
import type { OrganizationFile } from './simulated-account/organization-file';
import type { AccessPolicies } from './simulated-account/permissions';
import type { RunStats } from './run-stats';

export interface ExposureRunOptions {
  account: AccountFile | OrganizationFile;
  config: KeysweepConfig;
  /** the AWS Health event the run starts with */
  event: unknown;
  faults?: Faults;
  /** the run's clock; default the account file's `now`, else the real time */
  now?: Date;
  executionName?: string;
  /** run every AWS call through the SDK client's middleware (SimulatedAccountOptions.sdkMiddleware) */
  sdkMiddleware?: boolean;
  version?: string;
  /** objects already in the report bucket (earlier runs' records), by key */
  bucketObjects?: Readonly<Record<string, string>>;
  /** the deployment's policies; default: those the stack synthesizes for `config` */
  policies?: AccessPolicies;
}

export interface ExposureRun {
  kind: 'exposure';
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: { Error: string; Cause: string } | null;
  executionName: string;
  executionId: string;
  now: Date;
  account: SimulatedAccount;
  emails: SentEmail[];
  /** exposure.json of the run, when notify-exposure stored it */
  exposure: ExposureReport | null;
  /** the run's prefix in the report bucket */
  prefix: string;
  stats: RunStats;
  /** what AWS would have lost without failing the run: logs or traces its roles may not deliver */
  degraded: string[];
}

export async function runExposure(options: ExposureRunOptions): Promise<ExposureRun> {
  const now = options.now ?? (options.account.now ? new Date(options.account.now) : new Date());
  const version = options.version ?? 'local';
  const executionName = options.executionName ?? `exposure-${now.toISOString().replace(/[:.]/g, '-')}`;
  const policies = options.policies ?? (await deploymentPolicies(options.config));
  const account = authorizedAccount(options.account, {
    now,
    config: options.config,
    policies,
    faults: options.faults,
    sdkMiddleware: options.sdkMiddleware,
  });
  const deployment = new DeploymentAuthorization(policies);
  await deployment.checkDeployment({ kind: 'exposure-state-machine' });
  await deployment.checkExposureStart();
  for (const [key, body] of Object.entries(options.bucketObjects ?? {}))
    account.putObjectText(LOCAL_BUCKET, key, body);
  const started = Date.now();
  account.install();
  let execution;
  try {
    execution = await executeExposure({
      config: options.config,
      event: options.event,
      now,
      executionName,
      version,
      beforeInvoke: deployment.exposureInvoke(policies),
    });
  } finally {
    account.uninstall();
  }
  const prefix = runPrefix(now.toISOString(), executionName);
  const text = account.getObjectText(LOCAL_BUCKET, layout.exposure(prefix));
  const parsed = text === undefined ? null : exposureReportSchema.safeParse(JSON.parse(text));
  return {
    kind: 'exposure',
    status: execution.status,
    output: execution.output,
    error: execution.error,
    executionName,
    executionId: execution.executionId,
    now,
    account,
    emails: account.emails,
    exposure: parsed?.success ? parsed.data : null,
    prefix,
    stats: execution.recorder.finish(Date.now() - started, account.calls),
    degraded: deployment.degraded,
  };
}
