/**
 * cdk-nag on the organization's stacks: the hub with the organization enabled, the StackSet stack,
 * the management-account stack and the member stack the StackSet deploys. Nothing unacknowledged,
 * and every AwsSolutions-IAM5 acknowledgement matches a wildcard its role really has.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../../infra/config';
import { MemberStack } from '../../infra/member-stack';
import { buildOrganization, cdkJsonConfig, TEST_ORGANIZATION } from './build-stack';
import { acknowledgements, wildcardResources } from './nag-helpers';

/** organization.planPrincipals: the plan role beside the member role, and in the org reader's trust. */
const PLAN_PRINCIPALS = [
  `arn:aws:iam::${TEST_ORGANIZATION.hubAccountId}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*`,
];

function memberStack(organization: Record<string, unknown> = {}): Stack {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      keysweep: {
        ...cdkJsonConfig(),
        deleteAfterDays: 365,
        exemptGroups: ['ci'],
        organization: { ...TEST_ORGANIZATION, ...organization },
      },
    },
  });
  return new MemberStack(app, 'KeySweepMember', { config: configFromContext(app), version: '1.0.0' });
}

const built = buildOrganization({ config: { deleteAfterDays: 365, exemptGroups: ['ci'] } });
const withPlan = buildOrganization({
  config: { deleteAfterDays: 365, exemptGroups: ['ci'] },
  organization: { planPrincipals: PLAN_PRINCIPALS },
});
const cases: [string, () => Stack, string[]][] = [
  [
    'the hub',
    () => built.stacks.hub,
    ['AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SQS3'],
  ],
  ['the StackSet stack', () => built.stacks.memberStackSet!, []],
  ['the management-account stack', () => built.stacks.management!, ['AwsSolutions-IAM5']],
  ['the member stack', () => memberStack(), ['AwsSolutions-IAM5']],
  [
    'the management-account stack with the plan role',
    () => withPlan.stacks.management!,
    ['AwsSolutions-IAM5'],
  ],
  [
    'the member stack with the plan role',
    () => memberStack({ planPrincipals: PLAN_PRINCIPALS }),
    ['AwsSolutions-IAM5'],
  ],
];

describe.each(cases)('%s', (_label, stackOf, rules) => {
  test('the AWS Solutions rules report no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stackOf());
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('only the expected rules are acknowledged, each with a reason', () => {
    const all = acknowledgements(stackOf());
    expect([...new Set(all.map(({ id }) => id.replace(/\[.*$/, '')))].sort()).toEqual(rules);
    for (const { reason } of all) expect(reason.trim().length).toBeGreaterThanOrEqual(40);
  });

  test('each AwsSolutions-IAM5 acknowledgement names a wildcard resource its role really has', () => {
    for (const { construct, id } of acknowledgements(stackOf()).filter(({ id }) =>
      id.startsWith('AwsSolutions-IAM5['),
    )) {
      const finding = /^AwsSolutions-IAM5\[Resource::(.+)\]$/.exec(id)?.[1];
      expect([...wildcardResources(construct)]).toContain(finding);
    }
  });
});

test('the hub acknowledges the member role in any account with the reason the condition narrows it', () => {
  const member = acknowledgements(built.stacks.hub).filter(({ id }) =>
    id.includes(':iam::*:role/keysweep-member'),
  );
  expect(member.map(({ path }) => path.split('/').slice(1, -1).join('/')).sort()).toEqual([
    'DeactivateKey',
    'ExposedKeys/DeactivateExposedKey',
    'FindStaleKeys',
    'ListUsers',
  ]);
  for (const { reason } of member) expect(reason).toContain('aws:ResourceOrgID');
});
