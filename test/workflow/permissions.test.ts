/**
 * The real ASL and handlers with every AWS call authorized against the policies the stack
 * synthesizes (the simulated account enforces them with iam-simulate): the runs work with exactly
 * those permissions, and each statement keysweep grants is needed: without it the run fails, or
 * loses something, the way it would in AWS.
 */
import { redactAccessKeyIds } from '../../functions/shared/masking';
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
import { deploymentPolicies } from '../../local/deployment-policies';
import { DEMO_ACCOUNT, DEMO_CONFIG, loadAccount, loadConfig } from '../../local/load-inputs';
import { runWorkflow, type WorkflowRunOptions } from '../../local/run-workflow';
import type { AccountFile } from '../../local/simulated-account';
import type { AccessPolicies } from '../../local/simulated-account/permissions';
import { account, config, daysAgo, key, keyIndexObjects, user } from './sweep-fixtures';

jest.setTimeout(300_000);

/** The demo with everything turned on that needs a permission of its own. */
function everythingOn(): { account: AccountFile; config: KeysweepConfig } {
  const demo = loadAccount(DEMO_ACCOUNT);
  const base = loadConfig({ configFile: DEMO_CONFIG });
  return {
    account: {
      ...demo,
      ses: { verifiedIdentities: ['example.com'], sandbox: false, configurationSets: ['keysweep-events'] },
    },
    // The demo already deletes, exempts groups, applies the unused rule and emails owners.
    config: parseConfig({ ...base, sesConfigurationSet: 'keysweep-events' }, 'test'),
  };
}

/** A run in the SES sandbox, where SES also checks each admin's identity. */
function inTheSandbox(): { account: AccountFile; config: KeysweepConfig } {
  return {
    account: account([user('alice', [key(1, 120)])], {
      ses: { verifiedIdentities: ['keysweep@example.com', 'security-admins@example.com'], sandbox: true },
    }),
    config: config({ sesSandbox: true }),
  };
}

/** What a run came to: it worked as granted, failed, lost something, or was refused. */
async function outcome(options: WorkflowRunOptions): Promise<string> {
  let run;
  try {
    run = await runWorkflow(options);
  } catch (error) {
    if (error instanceof Error && ['DeploymentError', 'ExecutionNotStarted'].includes(error.name)) {
      return `refused: ${error.message}`;
    }
    throw error;
  }
  const denied = run.account.denials.map((d) => `${d.caller} ${d.operation} (${d.action})`);
  if (run.status === 'FAILED') {
    return `fails: ${run.error?.Error}: ${redactAccessKeyIds(run.error?.Cause ?? '').slice(0, 400)}`;
  }
  if (run.degraded.length > 0) return `degrades: ${run.degraded[0]}`;
  if (denied.length > 0) return `degrades: denied ${[...new Set(denied)].join(', ')}`;
  return 'works';
}

interface Removal {
  label: string;
  policies: AccessPolicies;
}

/** The policies with one statement removed, for every statement of every principal. */
function eachStatementRemoved(policies: AccessPolicies): Removal[] {
  const removals: Removal[] = [];
  for (const [principal, { identityPolicies }] of Object.entries(policies.principals)) {
    identityPolicies.forEach((policy, p) => {
      policy.policy.Statement.forEach((statement, s) => {
        const edited = structuredClone(policies);
        edited.principals[principal]?.identityPolicies[p]?.policy.Statement.splice(s, 1);
        const { Action, Resource } = statement as { Action: unknown; Resource: unknown };
        removals.push({
          label: `${principal}: ${JSON.stringify(Action)} on ${JSON.stringify(Resource)}`,
          policies: edited,
        });
      });
    });
  }
  return removals;
}

describe('with the permissions the stack grants', () => {
  it('the first run on an empty bucket works and nothing is denied: enforce, owners emailed, deletion on', async () => {
    const { account: file, config: settings } = everythingOn();
    const run = await runWorkflow({ account: file, config: settings });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.enforcesPermissions).toBe(true);
    expect(run.account.denials).toEqual([]);
    expect(run.degraded).toEqual([]);
    expect(run.report?.ownerNotifications.sent.length).toBeGreaterThan(0);
    // no key index yet: deletion is paused on a first run
    expect(run.report?.deletionPaused).toContain('first run');
    expect(run.report?.counts.byAction.delete).toBe(0);
  });

  it('a later run that deletes works too, and nothing is denied', async () => {
    const { account: file, config: settings } = everythingOn();
    // the key index has seen erin's key inactive for 200 days
    const bucketObjects = keyIndexObjects(file, (_k, u) => (u.userName === 'erin' ? daysAgo(200) : null));
    const run = await runWorkflow({ account: file, config: settings, bucketObjects });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.denials).toEqual([]);
    expect(run.report?.entries.filter((e) => e.action === 'delete' && e.result === 'done')).toHaveLength(1);
  });

  it('a report-mode first run works too', async () => {
    const { account: file, config: settings } = everythingOn();
    const run = await runWorkflow({ account: file, config: { ...settings, mode: 'report' } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.denials).toEqual([]);
  });

  it('a sweep that stopped early still stores its report and emails it (missing batch files are 404s)', async () => {
    const users = Array.from({ length: 60 }, (_, i) =>
      user(`user-${String(i).padStart(3, '0')}`, [key(i, 120)]),
    );
    const run = await runWorkflow({
      account: account(users),
      config: config({ maxActionsPerRun: 100 }),
      faults: {
        beforeCall: (call) => {
          if (call.operation === 'ListAccessKeys' && call.input.UserName === 'user-055') {
            throw Object.assign(new Error('We encountered an internal error'), { name: 'ServiceFailure' });
          }
        },
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('SweepFailed');
    expect(run.report?.outcome).toBe('sweep-failed');
    expect(run.emails).toHaveLength(1);
    expect(run.account.denials).toEqual([]);
  });

  it('in the SES sandbox, with the admins granted, the email goes out', async () => {
    const run = await runWorkflow(inTheSandbox());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.emails).toHaveLength(1);
    expect(run.account.denials).toEqual([]);
  });
});

describe('without one statement', () => {
  it('without s3:ListBucket, as before this fix, the first run fails: the missing key index is a 403', async () => {
    const { account: file, config: settings } = everythingOn();
    const policies = structuredClone(await deploymentPolicies(settings));
    for (const principal of Object.values(policies.principals)) {
      for (const { policy } of principal.identityPolicies) {
        policy.Statement = policy.Statement.filter(
          (s) => (s as { Action: unknown }).Action !== 's3:ListBucket',
        );
      }
    }
    const run = await runWorkflow({ account: file, config: settings, policies });
    expect(run.status).toBe('FAILED');
    expect(run.report).toBeNull();
    expect(run.account.denials[0]).toMatchObject({
      caller: 'function:list-users',
      operation: 'GetObject',
      action: 's3:ListBucket',
    });
  });

  it.each([
    ['with everything turned on', everythingOn],
    ['in the SES sandbox', inTheSandbox],
  ])('every statement is needed %s: each removal fails or degrades the run', async (_, setup) => {
    const { account: file, config: settings } = setup();
    const policies = await deploymentPolicies(settings);
    expect(await outcome({ account: file, config: settings, policies })).toBe('works');
    const removals = eachStatementRemoved(policies);
    const results: Record<string, string> = {};
    for (const removal of removals) {
      results[removal.label] = await outcome({ account: file, config: settings, policies: removal.policies });
    }
    // Every statement of every role was tried (the state machine's, the schedule's, each function's).
    expect(Object.keys(results)).toHaveLength(removals.length);
    expect(removals.length).toBeGreaterThanOrEqual(20);
    if (process.env.SHOW_REMOVALS) console.log(JSON.stringify(results, null, 1));
    const unneeded = Object.entries(results).filter(([, result]) => result === 'works');
    expect(unneeded).toEqual([]);
    for (const [label, result] of Object.entries(results))
      expect(`${label} → ${result}`).toMatch(/ → (fails|degrades|refused): /);
  });

  it('names what each removal breaks, as AWS would', async () => {
    const { account: file, config: settings } = everythingOn();
    const policies = await deploymentPolicies(settings);
    const byLabel = new Map(eachStatementRemoved(policies).map((r) => [r.label, r.policies]));
    const find = (principal: string, action: string) => {
      const label = [...byLabel.keys()].find((l) => l.startsWith(`${principal}: `) && l.includes(action));
      if (label === undefined) throw new Error(`no statement of ${principal} with ${action}`);
      return byLabel.get(label) as AccessPolicies;
    };
    const run = (edited: AccessPolicies) => outcome({ account: file, config: settings, policies: edited });
    expect(await run(find('function:deactivate-key', 'iam:UpdateAccessKey'))).toMatch(/^fails: KeysFailed/);
    // without the exemption re-read, no key is changed: each is recorded failed
    expect(await run(find('function:deactivate-key', 'iam:ListUserTags'))).toMatch(
      /^fails: KeysFailed: .* key actions failed/,
    );
    expect(await run(find('function:send-report', 'ses:SendEmail'))).toMatch(
      /^fails: EmailNotSent: .*AccessDenied/,
    );
    expect(await run(find('state-machine', 'lambda:InvokeFunction'))).toMatch(
      /^fails: Lambda.AWSLambdaException: .*lambda:InvokeFunction/,
    );
    expect(await run(find('state-machine', 'states:StartExecution'))).toMatch(/^fails: SweepFailed/);
    expect(await run(find('state-machine', 'logs:CreateLogDelivery'))).toMatch(
      /^refused: CreateStateMachine would fail with InvalidLoggingConfiguration/,
    );
    expect(await run(find('schedule', 'states:StartExecution'))).toMatch(
      /^refused: The schedule could not start/,
    );
    expect(await run(find('function:list-users', 'logs:CreateLogStream'))).toMatch(
      /^degrades: list-users: its logs would not reach CloudWatch Logs/,
    );
    expect(await run(find('function:find-stale-keys', 'xray:PutTraceSegments'))).toMatch(
      /^degrades: find-stale-keys: its traces would not reach X-Ray/,
    );
  });
});
