/**
 * The policy `npm run plan -- --print-policy` prints: exactly the reads the functions make, each
 * on the resource the deployed stack grants it on, and no write. With --org: exactly the
 * sts:AssumeRole grants the deployed hub's functions hold (member role, org reader role), and
 * GetCallerIdentity; its member sessions narrowed to the same IAM reads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../../functions/shared/config';
import { deploymentPolicies } from '../../../local/deployment-policies';
import { isReadOnlyIamOperation } from '../../../local/plan/read-only-guard';
import {
  organizationPlanPolicy,
  PLAN_POLICY,
  PLAN_SESSION_ACTIONS,
  planPolicyJson,
} from '../../../local/plan/read-only-policy';
import { plannedOrganization } from '../../../local/plan/organization-plan';
import { orgConfig } from '../../workflow/organization-fixtures';
import { iamCommandsTheFunctionsImport } from './function-commands';

jest.setTimeout(120_000);

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

/** `action → resource` pairs of a policy document's Allow statements. */
function grants(statements: readonly unknown[]): Set<string> {
  const pairs = new Set<string>();
  for (const statement of statements as { Effect?: string; Action?: unknown; Resource?: unknown }[]) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asList(statement.Action))
      for (const resource of asList(statement.Resource)) pairs.add(`${action} on ${resource}`);
  }
  return pairs;
}

describe('the read-only policy of npm run plan', () => {
  const planGrants = grants(PLAN_POLICY.Statement);

  it('allows exactly the reads among the IAM commands the functions import', () => {
    const actions = PLAN_POLICY.Statement.flatMap((s) => [...s.Action]).sort();
    const reads = iamCommandsTheFunctionsImport().filter(isReadOnlyIamOperation);
    expect(reads.length).toBeGreaterThanOrEqual(7);
    expect(actions).toEqual(reads.map((name) => `iam:${name}`).sort());
    expect(PLAN_POLICY.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('grants each of them on the resource the deployed stack grants it on (any account)', async () => {
    // A configuration under which the stack grants every read: exemptGroups turns on ListGroupsForUser.
    const config = parseConfig(
      { adminEmails: ['a@example.com'], senderEmail: 's@example.com', exemptGroups: ['ci'] },
      'test',
    );
    const policies = await deploymentPolicies(config);
    const stack = new Set<string>();
    for (const principal of Object.values(policies.principals))
      for (const { policy } of principal.identityPolicies)
        for (const pair of grants(policy.Statement))
          if (pair.startsWith('iam:')) stack.add(pair.replace(/arn:aws:iam::\d{12}:/, 'arn:aws:iam::*:'));
    expect([...planGrants].sort()).toEqual([...stack].filter((pair) => planGrants.has(pair)).sort());
    // ...and the stack's other IAM grants are its writes, which the plan does without.
    const rest = [...stack].filter((pair) => !planGrants.has(pair));
    expect(rest.map((pair) => pair.split(' ')[0])).toEqual(['iam:UpdateAccessKey']);
  });

  it('is the policy the README shows', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Try it on your own account'));
    const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
    expect(JSON.parse(block)).toEqual(PLAN_POLICY);
  });

  it('prints as a policy document', () => {
    expect(JSON.parse(planPolicyJson())).toEqual(PLAN_POLICY);
    expect(PLAN_POLICY.Version).toBe('2012-10-17');
  });
});

describe('the policy of npm run plan -- --org', () => {
  /** `action on resource if condition` of a policy's Allow statements. */
  const described = (statements: readonly unknown[]) =>
    (statements as { Effect?: string; Action?: unknown; Resource?: unknown; Condition?: unknown }[])
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) =>
        asList(s.Action).flatMap((action) =>
          asList(s.Resource).map(
            (resource) => `${action} on ${resource} if ${JSON.stringify(s.Condition ?? {})}`,
          ),
        ),
      );

  it.each([
    ['every account', 'ALL'],
    ['a list of accounts', ['222222222222', '333333333333']],
  ])(
    'grants, for %s, the AssumeRole the deployed hub grants its functions, and GetCallerIdentity',
    async (_name, accounts) => {
      const config = orgConfig({ accounts, memberRoleName: 'keysweep-member' });
      const policy = organizationPlanPolicy(plannedOrganization(config));
      const hub = new Set<string>();
      for (const principal of Object.values((await deploymentPolicies(config)).principals))
        for (const { policy: document } of principal.identityPolicies)
          for (const grant of described(document.Statement)) if (grant.startsWith('sts:')) hub.add(grant);
      const plan = described(policy.Statement);
      expect(plan[0]).toBe('sts:GetCallerIdentity on * if {}');
      const assumes = plan.slice(1);
      // The member role everywhere (as list-users, find-stale-keys and deactivate-key may); the org
      // reader role (as list-accounts may) only when the plan lists the organization's accounts.
      expect(assumes).toEqual(
        [...hub].filter((grant) => accounts === 'ALL' || !grant.includes('keysweep-org-reader')).sort(),
      );
      expect(assumes).toHaveLength(accounts === 'ALL' ? 2 : 1);
    },
    120_000,
  );

  it('is the policy the README shows, for its example organization', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('#### A whole organization (`--org`)'));
    const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
    const example = orgConfig({
      organizationId: 'o-a1b2c3d4e5',
      managementAccountId: '111111111111',
      planPrincipals: [
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*',
      ],
    });
    expect(JSON.parse(block)).toEqual(organizationPlanPolicy(plannedOrganization(example)));
    // Without planPrincipals, the same policy on the member role.
    const without = organizationPlanPolicy(
      plannedOrganization({ ...example, organization: { ...example.organization, planPrincipals: [] } }),
    );
    expect(JSON.stringify(without)).toBe(
      block.replace(/\s+/g, '').replace('keysweep-member-plan', 'keysweep-member'),
    );
  });

  it("names the configuration's member role, and narrows each session to the plan's IAM reads", () => {
    const policy = organizationPlanPolicy(plannedOrganization(orgConfig({ memberRoleName: 'audit-read' })));
    expect(described(policy.Statement)).toContain(
      'sts:AssumeRole on arn:aws:iam::*:role/audit-read if {"StringEquals":{"aws:ResourceOrgID":"o-keysweep00"}}',
    );
    expect([...PLAN_SESSION_ACTIONS].sort()).toEqual(
      PLAN_POLICY.Statement.flatMap((s) => [...s.Action]).sort(),
    );
  });
});
