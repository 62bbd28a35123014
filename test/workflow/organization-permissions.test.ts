/**
 * The organization run with every call authorized against the synthesized hub, member and
 * management policies: it works with exactly those permissions, and each statement of every role
 * it uses is needed (the hub's function and state machine roles, the organization state machine's,
 * the schedule's, the member role's and the org reader's, their trust policies included): without
 * it the run fails, is refused, or loses something, the way it would in AWS.
 */
import { redactAccessKeyIds } from '../../functions/shared/masking';
import { deploymentPolicies } from '../../local/deployment-policies';
import { runWorkflow } from '../../local/run-workflow';
import type {
  AccessPolicies,
  AssumableRole,
  PolicyDocument,
} from '../../local/simulated-account/permissions';
import { orgAccount, orgConfig, organization } from './organization-fixtures';
import { key, user } from './sweep-fixtures';
import { callerKey, EXPOSURE_FUNCTIONS } from '../../local/callers';

jest.setTimeout(900_000);

const CONFIG = orgConfig({}, { notifyOwners: true });
/** An organization in which everything works: two accounts with a stale key each, one with its admins tag. */
const FILE = organization([
  orgAccount('222222222222', [user('alice', [key(1, 200)]), user('bob', [key(2, 80)])], {
    organizationalUnit: 'Root/Workloads/Prod',
    tags: { 'keysweep:admins': 'prod-admins@example.com' },
  }),
  orgAccount('333333333333', [user('carol', [key(3, 120)])], { organizationalUnit: 'Root/Workloads/Dev' }),
]);

/** The same with an account whose member role is missing: its summary's files are read, some missing. */
const WITH_UNREACHABLE = organization([
  ...FILE.organization.accounts.filter((a) => a.accountId !== '123456789012'),
  orgAccount('444444444444', [user('dave', [key(4, 200)])], { memberRole: 'missing' }),
]);

async function outcome(policies: AccessPolicies, account = FILE): Promise<string> {
  let run;
  try {
    run = await runWorkflow({ account, config: CONFIG, policies, executionName: 'permissions' });
  } catch (error) {
    if (error instanceof Error && ['DeploymentError', 'ExecutionNotStarted'].includes(error.name)) {
      return `refused: ${error.message}`;
    }
    throw error;
  }
  if (run.status === 'FAILED') {
    return `fails: ${run.error?.Error}: ${redactAccessKeyIds(run.error?.Cause ?? '').slice(0, 300)}`;
  }
  if (run.degraded.length > 0) return `degrades: ${run.degraded[0]}`;
  const denied = run.account.denials.map((d) => `${d.caller} ${d.operation} (${d.action})`);
  if (denied.length > 0) return `degrades: denied ${[...new Set(denied)].join(', ')}`;
  return 'works';
}

interface Removal {
  label: string;
  policies: AccessPolicies;
}

function statementsOf(document: PolicyDocument): unknown[] {
  return document.Statement as unknown[];
}

function describe_(statement: unknown): string {
  const { Action, Resource } = statement as { Action: unknown; Resource: unknown };
  return `${JSON.stringify(Action)} on ${JSON.stringify(Resource)}`;
}

/**
 * The exposure path's principals: the organization run does not use them (their statements are shown
 * needed by the exposure path's own removals, permissions.test.ts).
 */
const EXPOSURE_PRINCIPALS = new Set([
  ...EXPOSURE_FUNCTIONS.map((name) => callerKey({ kind: 'function', name })),
  callerKey({ kind: 'exposure-state-machine' }),
  callerKey({ kind: 'exposure-rule' }),
]);

/** Every statement of every role the organization run uses, removed one at a time. */
function eachStatementRemoved(policies: AccessPolicies): Removal[] {
  const removals: Removal[] = [];
  for (const [principal, { identityPolicies }] of Object.entries(policies.principals)) {
    if (EXPOSURE_PRINCIPALS.has(principal)) continue;
    identityPolicies.forEach((policy, p) => {
      statementsOf(policy.policy).forEach((statement, s) => {
        const edited = structuredClone(policies);
        statementsOf(edited.principals[principal]?.identityPolicies[p]?.policy as PolicyDocument).splice(
          s,
          1,
        );
        removals.push({ label: `${principal}: ${describe_(statement)}`, policies: edited });
      });
    });
  }
  const organizationRoles = ['memberRole', 'orgReaderRole'] as const;
  for (const which of organizationRoles) {
    const role = policies.organization?.[which] as AssumableRole;
    role.identityPolicies.forEach((policy, p) => {
      statementsOf(policy.policy).forEach((statement, s) => {
        const edited = structuredClone(policies);
        const target = edited.organization?.[which] as AssumableRole;
        statementsOf(target.identityPolicies[p]?.policy as PolicyDocument).splice(s, 1);
        removals.push({ label: `${role.roleName}: ${describe_(statement)}`, policies: edited });
      });
    });
    statementsOf(role.trustPolicy).forEach((statement, s) => {
      const edited = structuredClone(policies);
      statementsOf((edited.organization?.[which] as AssumableRole).trustPolicy).splice(s, 1);
      removals.push({ label: `${role.roleName} trust: ${describe_(statement)}`, policies: edited });
    });
  }
  return removals;
}

let policies: AccessPolicies;
beforeAll(async () => {
  policies = await deploymentPolicies(CONFIG);
});

it('the organization run works with the permissions the stacks grant, and nothing is denied', async () => {
  const run = await runWorkflow({ account: FILE, config: CONFIG, executionName: 'granted' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.account.denials).toEqual([]);
  expect(run.degraded).toEqual([]);
  expect(run.account.calls.filter((c) => c.operation === 'UpdateAccessKey')).toHaveLength(2);
  expect(run.emails.map((e) => e.to.join(',')).sort()).toEqual([
    'alice@example.com',
    'bob@example.com',
    'carol@example.com',
    'prod-admins@example.com',
    'security-admins@example.com',
  ]);
});

it('needs every statement of every role it uses: without one the run fails, is refused, or loses something', async () => {
  const removals = eachStatementRemoved(policies);
  const results: Record<string, string> = {};
  for (const removal of removals) results[removal.label] = await outcome(removal.policies);
  if (process.env.SHOW_REMOVALS) console.log(JSON.stringify(results, null, 1));
  expect(Object.keys(results)).toHaveLength(removals.length);
  // the hub's roles, the organization state machine's, the member role's and the org reader's
  expect(Object.keys(results).some((l) => l.startsWith('organization-state-machine: '))).toBe(true);
  expect(Object.keys(results).some((l) => l.startsWith('keysweep-member: '))).toBe(true);
  expect(Object.keys(results).some((l) => l.startsWith('keysweep-org-reader: '))).toBe(true);
  // s3:ListBucket of the summary: needed only when an account failed (below)
  const listBucket = 'function:send-organization-report: "s3:ListBucket"';
  expect(Object.entries(results).filter(([l, r]) => r === 'works' && !l.startsWith(listBucket))).toEqual([]);
  const byLabel = (prefix: string, action: string) =>
    Object.entries(results).find(([l]) => l.startsWith(prefix) && l.includes(action))?.[1];
  expect(byLabel('organization-state-machine: ', 'events:PutTargets')).toMatch(/^fails: AccountsFailed/);
  expect(byLabel('organization-state-machine: ', 'KeySweep-KeySweep"')).toMatch(/^fails: AccountsFailed/);
  expect(byLabel('function:list-users: ', 'sts:AssumeRole')).toMatch(/^fails: AccountsFailed/);
  expect(byLabel('keysweep-member: ', 'iam:UpdateAccessKey')).toMatch(/^fails: AccountsFailed/);
  expect(byLabel('keysweep-org-reader: ', 'organizations:ListTagsForResource')).toMatch(/^fails: /);
  expect(byLabel('schedule: ', 'states:StartExecution')).toMatch(/^refused: The schedule could not start/);
});

it('needs s3:ListBucket for the summary of an unreachable account, whose account-summary.json was never written (404, not 403)', async () => {
  expect(await outcome(policies, WITH_UNREACHABLE)).toMatch(
    /^fails: AccountsFailed: 1 accounts could not be reached/,
  );
  const edited = structuredClone(policies);
  const role = edited.principals['function:send-organization-report'];
  for (const policy of role?.identityPolicies ?? []) {
    policy.policy.Statement = (policy.policy.Statement as { Action: unknown }[]).filter(
      (s) => JSON.stringify(s.Action) !== '"s3:ListBucket"',
    ) as never;
  }
  expect(await outcome(edited, WITH_UNREACHABLE)).toMatch(/^fails: AccessDenied: .*s3:ListBucket/);
});
