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
import { runExposure } from '../../local/run-exposure';
import { runWorkflow, type WorkflowRunOptions } from '../../local/run-workflow';
import type { AccountFile } from '../../local/simulated-account';
import type { AccessPolicies } from '../../local/simulated-account/permissions';
import { bucketOf, exposureEvent, organization, organizationConfig, PROD } from './exposure-fixtures';
import { account, config, daysAgo, key, keyId, keyIndexObjects, user } from './sweep-fixtures';

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
async function outcomeOf(
  run: () => Promise<Awaited<ReturnType<typeof runExposure>> | Awaited<ReturnType<typeof runWorkflow>>>,
): Promise<string> {
  let result;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof Error && ['DeploymentError', 'ExecutionNotStarted'].includes(error.name)) {
      return `refused: ${error.message}`;
    }
    throw error;
  }
  const denied = result.account.denials.map((d) => `${d.caller} ${d.operation} (${d.action})`);
  if (result.status === 'FAILED') {
    return `fails: ${result.error?.Error}: ${redactAccessKeyIds(result.error?.Cause ?? '').slice(0, 400)}`;
  }
  if (result.degraded.length > 0) return `degrades: ${result.degraded[0]}`;
  if (denied.length > 0) return `degrades: denied ${[...new Set(denied)].join(', ')}`;
  return 'works';
}

/** A sweep of the account. */
const outcome = (options: WorkflowRunOptions) => outcomeOf(() => runWorkflow(options));

/**
 * The exposure path on the same account and deployment: an AWS Health event for one of its keys,
 * then the same event again (a repeat, which reads the record the first wrote). The first that does
 * not work is the outcome.
 */
async function exposureOutcome(options: WorkflowRunOptions, exposedKey: string): Promise<string> {
  const event = exposureEvent([exposedKey]);
  let first: Awaited<ReturnType<typeof runExposure>> | undefined;
  const once = await outcomeOf(async () => {
    first = await runExposure({ ...options, event });
    return first;
  });
  if (once !== 'works' || first === undefined) return once;
  const done = first;
  return outcomeOf(() =>
    runExposure({
      ...options,
      account: done.account.toAccountFile(),
      event,
      bucketObjects: bucketOf(done),
      executionName: 'the-repeat',
    }),
  );
}

/** The sweep, then the exposure path: the first that does not work. */
async function bothOutcome(options: WorkflowRunOptions, exposedKey: string): Promise<string> {
  const swept = await outcome(options);
  return swept === 'works' ? exposureOutcome(options, exposedKey) : swept;
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
    ['with everything turned on', everythingOn, 'AKIAT5D2H4JDEMOJJUD1'],
    ['in the SES sandbox', inTheSandbox, keyId(1)],
  ])(
    'every statement is needed %s: each removal fails or degrades the sweep or the exposure path',
    async (_, setup, exposedKey) => {
      const { account: file, config: settings } = setup();
      const policies = await deploymentPolicies(settings);
      expect(await bothOutcome({ account: file, config: settings, policies }, exposedKey)).toBe('works');
      const removals = eachStatementRemoved(policies);
      const results: Record<string, string> = {};
      for (const removal of removals) {
        results[removal.label] = await bothOutcome(
          { account: file, config: settings, policies: removal.policies },
          exposedKey,
        );
      }
      // Every statement of every role was tried (the state machine's, the schedule's, each function's).
      expect(Object.keys(results)).toHaveLength(removals.length);
      expect(removals.length).toBeGreaterThanOrEqual(20);
      if (process.env.SHOW_REMOVALS) console.log(JSON.stringify(results, null, 1));
      const unneeded = Object.entries(results).filter(([, result]) => result === 'works');
      expect(unneeded).toEqual([]);
      for (const [label, result] of Object.entries(results))
        expect(`${label} → ${result}`).toMatch(/ → (fails|degrades|refused): /);
    },
  );

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
    // the exposure path
    const exposed = (edited: AccessPolicies) =>
      exposureOutcome({ account: file, config: settings, policies: edited }, 'AKIAT5D2H4JDEMOJJUD1');
    expect(await exposed(find('function:deactivate-exposed-key', 'iam:UpdateAccessKey'))).toMatch(
      /^fails: ExposedKeyNotHandled: .*AccessDenied.*iam:GetAccessKeyLastUsed/,
    );
    expect(await exposed(find('function:deactivate-exposed-key', 's3:PutObject'))).toMatch(
      /^fails: ExposedKeyNotHandled: .*could not claim the event.s record .*s3:PutObject/,
    );
    expect(await exposed(find('function:notify-exposure', 'ses:SendEmail'))).toMatch(
      /^fails: EmailNotSent: .*AccessDenied/,
    );
    expect(await exposed(find('exposure-state-machine', 'lambda:InvokeFunction'))).toMatch(
      /^fails: .*lambda:InvokeFunction/,
    );
    expect(await exposed(find('exposure-state-machine', 'logs:CreateLogDelivery'))).toMatch(
      /^refused: CreateStateMachine would fail with InvalidLoggingConfiguration/,
    );
    expect(await exposed(find('exposure-rule', 'states:StartExecution'))).toMatch(
      /^refused: The exposed-key rule could not start the exposure state machine/,
    );
  });
});

describe('the exposure path in an organization', () => {
  it('works through the member role, and every statement of its roles is needed there', async () => {
    const file = organization(
      [user('alice', [key(10, 30)], { groups: ['ci'] })],
      [user('hub-admin', [key(11, 30)], { groups: ['ci'] })],
    );
    const settings = organizationConfig({ exemptGroups: ['ci'] });
    const policies = await deploymentPolicies(settings);
    // a key of the hub account itself, then one of prod (through the member role)
    const run = async (edited: AccessPolicies) => {
      const hub = await outcomeOf(() =>
        runExposure({ account: file, config: settings, event: exposureEvent([keyId(11)]), policies: edited }),
      );
      if (hub !== 'works') return hub;
      const event = exposureEvent([keyId(10)], { affectedAccount: PROD });
      return outcomeOf(() => runExposure({ account: file, config: settings, event, policies: edited }));
    };
    expect(await run(policies)).toBe('works');
    const exposurePrincipals =
      /^(function:deactivate-exposed-key|function:notify-exposure|exposure-state-machine|exposure-rule): /;
    const removals = eachStatementRemoved(policies).filter((r) => exposurePrincipals.test(r.label));
    expect(removals.length).toBeGreaterThanOrEqual(10);
    const results: Record<string, string> = {};
    for (const removal of removals) results[removal.label] = await run(removal.policies);
    if (process.env.SHOW_REMOVALS) console.log(JSON.stringify(results, null, 1));
    for (const [label, result] of Object.entries(results)) {
      expect(`${label} → ${result}`).toMatch(/ → (fails|degrades|refused): /);
    }
    const assume = Object.entries(results).find(([label]) =>
      label.startsWith('function:deactivate-exposed-key: "sts:AssumeRole"'),
    );
    expect(assume?.[1]).toMatch(/^fails: ExposedKeyNotHandled: .*could not be reached: sts:AssumeRole on/);
  });
});
