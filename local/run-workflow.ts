/**
 * Runs the real state machine (statemachine/key-sweep.asl.json) locally against the simulated
 * account: every Lambda task runs the real handler, every AWS call goes to the simulated
 * account. Used by `npm start`, the workflow tests and the benchmark.
 */
import type { KeysweepConfig } from '../functions/shared/config';
import { layout, runPrefix } from '../functions/shared/report-layout';
import type { Report } from '../functions/send-report/report-model';
import type { OrganizationReport } from '../functions/send-organization-report/organization-report';
import { executeOrganizationSweep } from './execute-organization';
import { authorizedAccount } from './authorized-account';
import { DeploymentAuthorization } from './deployment-authorization';
import { deploymentPolicies } from './deployment-policies';
import { executeSweep, LOCAL_BUCKET, type SweepExecution } from './execute-sweep';
import {
  isOrganizationFile,
  SimulatedAccount,
  type OrganizationFile,
  type AccountFile,
  type Faults,
  type SentEmail,
  type SimulatedCall,
} from './simulated-account';
import type { AccessPolicies } from './simulated-account/permissions';
import type { RunStats } from './run-stats';

export {
  FUNCTIONS,
  LOCAL_ACCOUNT_ID,
  LOCAL_BUCKET,
  LOCAL_REGION,
  LOCAL_STATE_MACHINE,
  type FunctionName,
} from './execute-sweep';

export interface WorkflowRunOptions {
  /** one account, or an organization (then the organization state machine runs, organization.enabled) */
  account: AccountFile | OrganizationFile;
  config: KeysweepConfig;
  /** execution input; the schedule starts runs with {} */
  input?: unknown;
  faults?: Faults;
  /** the run's clock; default the account file's `now`, else the real time */
  now?: Date;
  executionName?: string;
  listUsersPageSize?: number;
  /** run every AWS call through the SDK client's middleware (SimulatedAccountOptions.sdkMiddleware) */
  sdkMiddleware?: boolean;
  version?: string;
  /** objects already in the report bucket (a previous run's key index and reports), by key */
  bucketObjects?: Readonly<Record<string, string>>;
  /**
   * The deployment's policies, which every call is authorized against; default: those the stack
   * synthesizes for `config` (tests pass edited ones to show what each permission is for).
   */
  policies?: AccessPolicies;
}

export interface WorkflowRun {
  /** one account's sweep, or an organization's run (the organization state machine) */
  kind: 'account' | 'organization';
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: { Error: string; Cause: string } | null;
  executionName: string;
  executionId: string;
  now: Date;
  account: SimulatedAccount;
  emails: SentEmail[];
  /** report.json of the run, when send-report stored it (a single account's run) */
  report: Report | null;
  /** an organization run's report.json, when send-organization-report stored it */
  organizationReport: OrganizationReport | null;
  /** an organization run's account executions: name, status, error */
  accountExecutions: {
    executionName: string;
    status: string;
    error: { Error: string; Cause: string } | null;
  }[];
  /** keys of the run's files in the report bucket */
  files: { report: string; emailHtml: string; emailText: string; prefix: string } | null;
  stats: RunStats;
  /** what AWS would have lost without failing the run: logs or traces its roles may not deliver */
  degraded: string[];
}

/** Everything in the report bucket after a run, to start the next day's run with. */
export function bucketObjectsOf(run: Pick<WorkflowRun, 'account'>): Record<string, string> {
  return Object.fromEntries(
    run.account
      .listObjectKeys(LOCAL_BUCKET)
      .map((key) => [key, run.account.getObjectText(LOCAL_BUCKET, key) ?? '']),
  );
}

export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRun> {
  const now = options.now ?? (options.account.now ? new Date(options.account.now) : new Date());
  const version = options.version ?? 'local';
  const executionName = options.executionName ?? `local-${now.toISOString().replace(/[:.]/g, '-')}`;

  const policies = options.policies ?? (await deploymentPolicies(options.config));
  const account = authorizedAccount(options.account, {
    now,
    config: options.config,
    policies,
    faults: options.faults,
    listUsersPageSize: options.listUsersPageSize,
    sdkMiddleware: options.sdkMiddleware,
  });
  const organization = isOrganizationFile(options.account);
  if (organization !== options.config.organization.enabled) {
    throw new Error(
      organization
        ? 'An organization file needs organization.enabled in the configuration'
        : 'organization.enabled sweeps an organization: give an organization file',
    );
  }
  const deployment = new DeploymentAuthorization(policies, { organization });
  await deployment.checkDeployment();
  await deployment.checkScheduledStart();
  for (const [key, body] of Object.entries(options.bucketObjects ?? {}))
    account.putObjectText(LOCAL_BUCKET, key, body);
  const started = Date.now();
  account.install();
  let execution;
  try {
    const execute = organization ? executeOrganizationSweep : executeSweep;
    execution = await execute({
      config: options.config,
      input: options.input ?? {},
      now,
      executionName,
      version,
      bucket: LOCAL_BUCKET,
      hooks: deployment.hooks(policies),
    });
  } finally {
    account.uninstall();
  }

  return workflowRunOf({
    account,
    execution,
    now,
    wallMs: Date.now() - started,
    degraded: deployment.degraded,
  });
}

/**
 * What an execution against `account` left: its report and files in the local report bucket,
 * its statistics. `otherCalls`: AWS calls the simulated account did not answer (a plan's IAM reads).
 * `organization`: whether the execution is an organization run; default whether `account` simulates
 * an organization (a plan of an organization simulates only its S3 and SES).
 */
export function workflowRunOf(options: {
  account: SimulatedAccount;
  execution: SweepExecution;
  now: Date;
  wallMs: number;
  degraded: string[];
  otherCalls?: readonly SimulatedCall[];
  organization?: boolean;
}): WorkflowRun {
  const { account, execution, now } = options;
  const prefix = runPrefix(now.toISOString(), execution.executionName);
  const reportText = account.getObjectText(LOCAL_BUCKET, layout.report(prefix));
  const parsed = reportText === undefined ? null : (JSON.parse(reportText) as unknown);
  const isOrganization = options.organization ?? account.organization !== undefined;
  const report = isOrganization ? null : (parsed as Report | null);
  const organizationReport = isOrganization ? (parsed as OrganizationReport | null) : null;
  const accountExecutions = (
    'accountExecutions' in execution ? (execution.accountExecutions as SweepExecution[]) : []
  ).map((e) => ({ executionName: e.executionName, status: e.status, error: e.error }));
  return {
    kind: isOrganization ? 'organization' : 'account',
    status: execution.status,
    output: execution.output,
    error: execution.error,
    executionName: execution.executionName,
    executionId: execution.executionId,
    now,
    account,
    emails: account.emails,
    report,
    organizationReport,
    accountExecutions,
    files:
      parsed === null
        ? null
        : {
            prefix,
            report: layout.report(prefix),
            emailHtml: layout.emailHtml(prefix),
            emailText: layout.emailText(prefix),
          },
    stats: execution.recorder.finish(options.wallMs, [...(options.otherCalls ?? []), ...account.calls]),
    degraded: options.degraded,
  };
}
