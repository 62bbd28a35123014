/**
 * `npm run plan -- --org` by a person, through the read-only plan role (organization.planPrincipals),
 * against the simulated organization with every call authorized as AWS would from the synthesized
 * templates: a principal that planPrincipals names plans every account that has the role, each call
 * allowed by the plan role, its trust (the hub's root, ArnLike on aws:PrincipalArn, aws:PrincipalOrgID)
 * and the org reader role's; a principal it does not name is refused at AssumeRole (every account
 * unreachable with STS's AccessDenied, the organization not listed); and the plan role itself cannot
 * deactivate a key, even through a session with no session policy and no guard.
 */
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { deploymentPolicies } from '../../local/deployment-policies';
import {
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  loadAccountOrOrganization,
  loadConfig,
} from '../../local/load-inputs';
import { PlanCallLog } from '../../local/plan/call-log';
import { planOrganizationClients } from '../../local/plan/organization-clients';
import {
  organizationPlanLine,
  plannedOrganization,
  unreachableLines,
} from '../../local/plan/organization-plan';
import { organizationPlanPolicy, plannedRoleName } from '../../local/plan/read-only-policy';
import type { ReportPolling } from '../../local/execute-sweep';
import { runOrganizationPlan } from '../../local/plan/run-plan';
import type { WorkflowRun } from '../../local/run-workflow';
import { SimulatedAccount, type OrganizationFile } from '../../local/simulated-account';
import type { AccessPolicies } from '../../local/simulated-account/permissions';
import type { KeysweepConfig } from '../../functions/shared/config';

jest.setTimeout(300_000);

const HUB = '123456789012';
const PROD = '222222222222';
const NO_ROLE = '666666666666';
const NO_WAITS: ReportPolling = { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined };
const SSO = `arn:aws:iam::${HUB}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*`;

const demo = loadAccountOrOrganization(DEMO_ORGANIZATION) as OrganizationFile;
const base = loadConfig({ configFile: DEMO_ORGANIZATION_CONFIG });
const config: KeysweepConfig = {
  ...base,
  organization: { ...base.organization, planPrincipals: [SSO] },
};
const now = new Date(demo.now ?? '');
const planned = plannedOrganization(config);

/** A person in the hub: an IAM Identity Center role session, with the policy --print-policy --org prints. */
function person(permissionSet: string): {
  key: string;
  arn: string;
  policies: AccessPolicies['principals'][string];
} {
  const role = `AWSReservedSSO_${permissionSet}_0123456789abcdef`;
  const arn = `arn:aws:sts::${HUB}:assumed-role/${role}/alice@example.com`;
  return {
    key: `person:${permissionSet}`,
    arn,
    policies: {
      principalArn: arn,
      roleArn: `arn:aws:iam::${HUB}:role/aws-reserved/sso.amazonaws.com/eu-west-1/${role}`,
      identityPolicies: [{ name: 'keysweep-plan', policy: organizationPlanPolicy(planned) }],
    },
  };
}
const auditor = person('SecurityAudit');
const developer = person('Developer');

/** The demo organization, every call authorized as `who` (the hub's side) or as the session it made. */
async function organizationAs(who: ReturnType<typeof person>): Promise<SimulatedAccount> {
  const policies = await deploymentPolicies(config);
  return new SimulatedAccount(demo, {
    now,
    services: ['IAM', 'STS', 'ORGANIZATIONS'],
    sdkMiddleware: true,
    authorization: {
      policies: { ...policies, principals: { ...policies.principals, [who.key]: who.policies } },
      caller: () => who.key,
    },
  });
}

async function planAs(org: SimulatedAccount, log: PlanCallLog): Promise<WorkflowRun> {
  org.install();
  try {
    return await runOrganizationPlan({
      config,
      clients: planOrganizationClients({ log, organization: { memberRoleName: plannedRoleName(planned) } }),
      hubAccountId: HUB,
      now,
      version: 'plan-test',
      calls: () => log.calls,
      reportPolling: NO_WAITS,
    });
  } finally {
    org.uninstall();
  }
}

it('plans through the plan role and says so', () => {
  expect(plannedRoleName(planned)).toBe('keysweep-member-plan');
  expect(organizationPlanLine(planned, { accountId: HUB, arn: auditor.arn }, now)).toContain(
    'each read through its read-only plan role keysweep-member-plan (organization.planPrincipals)',
  );
});

describe('a principal that planPrincipals names', () => {
  let org: SimulatedAccount;
  let plan: WorkflowRun;
  const log = new PlanCallLog();
  beforeAll(async () => {
    org = await organizationAs(auditor);
    plan = await planAs(org, log);
  });

  it('plans every account that has the plan role, each through it, every call authorized', () => {
    const accounts = plan.organizationReport?.accounts ?? [];
    expect(accounts.filter((a) => a.status === 'unreachable').map((a) => a.accountId)).toEqual([NO_ROLE]);
    expect(accounts.filter((a) => a.status === 'ok').length).toBe(accounts.length - 1);
    expect(accounts.find((a) => a.accountId === PROD)?.status).toBe('ok');
    // Nothing refused but the account without the role (its stack is not there).
    expect(org.denials).toEqual([]);
    expect(org.sts?.denials.map((d) => [d.roleArn, d.reason])).toEqual([
      [
        `arn:aws:iam::${NO_ROLE}:role/keysweep-member-plan`,
        `the role keysweep-member-plan does not exist in ${NO_ROLE}`,
      ],
    ]);
    const assumed = org.calls
      .filter((c) => c.service === 'STS' && c.operation === 'AssumeRole')
      .map((c) => String(c.input.RoleArn).replace(/^arn:aws:iam::\d{12}:/, ''));
    expect(new Set(assumed)).toEqual(new Set(['role/keysweep-member-plan', 'role/keysweep-org-reader']));
    expect(org.toOrganizationFile()).toEqual(demo);
  });

  it('lists the unreachable account with what to check for the plan role', () => {
    const [first] = unreachableLines(plan, planned, { accountId: HUB, arn: auditor.arn });
    expect(first).toMatch(
      /^ {2}Unreachable \(1\): the role keysweep-member-plan could not be assumed there as /,
    );
    expect(first).toContain('one of planPrincipals must match this principal');
  });
});

it('refuses a principal that planPrincipals does not name at AssumeRole: every account unreachable', async () => {
  // With a list of accounts (no org reader role), so that each account's AssumeRole is tried.
  const listed: KeysweepConfig = {
    ...config,
    organization: { ...config.organization, accounts: [HUB, PROD] },
  };
  const org = await organizationAs(developer);
  org.install();
  let plan: WorkflowRun;
  try {
    plan = await runOrganizationPlan({
      config: listed,
      clients: planOrganizationClients({
        log: new PlanCallLog(),
        organization: { memberRoleName: plannedRoleName(planned) },
      }),
      hubAccountId: HUB,
      now,
      version: 'plan-test',
      reportPolling: NO_WAITS,
    });
  } finally {
    org.uninstall();
  }
  const accounts = plan.organizationReport?.accounts ?? [];
  expect(accounts.map((a) => [a.accountId, a.status])).toEqual([
    [HUB, 'unreachable'],
    [PROD, 'unreachable'],
  ]);
  for (const a of accounts) {
    expect(a.reason).toContain(
      `sts:AssumeRole on arn:aws:iam::${a.accountId}:role/keysweep-member-plan failed (AccessDenied: User: ${developer.arn} is not authorized to perform: sts:AssumeRole`,
    );
  }
  // Refused by the plan role's trust (the ArnLike on aws:PrincipalArn), not by the caller's own policy.
  expect(org.sts?.denials.map((d) => d.reason)).toEqual([
    'because no resource-based policy allows the sts:AssumeRole action',
    'because no resource-based policy allows the sts:AssumeRole action',
  ]);
  expect(org.calls.filter((c) => c.service === 'IAM')).toEqual([]);
  expect(org.toOrganizationFile()).toEqual(demo);
});

it('has the plan role refuse UpdateAccessKey itself: no session policy, no guard', async () => {
  const org = (await organizationAs(auditor)).install();
  try {
    const sts = new STSClient({ region: 'us-east-1' });
    // The member role, which may deactivate keys, stays closed to people.
    await expect(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${PROD}:role/keysweep-member`,
          RoleSessionName: 'no-guard',
        }),
      ),
    ).rejects.toThrow(/is not authorized to perform: sts:AssumeRole/);
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${PROD}:role/keysweep-member-plan`,
        RoleSessionName: 'no-guard',
      }),
    );
    const c = out.Credentials;
    const iam = new IAMClient({
      region: 'us-east-1',
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      },
    });
    const alice = demo.organization.accounts
      .find((a) => a.accountId === PROD)
      ?.users.find((u) => u.userName === 'alice')?.accessKeys?.[0]?.accessKeyId;
    await expect(
      iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: alice, Status: 'Inactive' })),
    ).rejects.toThrow(/because no identity-based policy allows the iam:UpdateAccessKey action$/);
    expect(org.sts?.denials.map((d) => d.roleArn)).toEqual([`arn:aws:iam::${PROD}:role/keysweep-member`]);
    expect(org.toOrganizationFile()).toEqual(demo);
  } finally {
    org.uninstall();
  }
});
