/**
 * organization.planPrincipals: who in the hub account may run `npm run plan -- --org` through the
 * read-only plan role. Empty by default; each entry a role or user ARN (pattern) in the hub account,
 * `*` only in its path and name; every mistake named by its full path and value.
 */
import { ConfigError, parseConfig } from '../../../functions/shared/config';

const REQUIRED = { adminEmails: ['security-admins@example.com'], senderEmail: 'keysweep@example.com' };
const SOURCE = 'cdk.json context "keysweep"';
const HUB = '111111111111';
const ENABLED = {
  enabled: true,
  organizationId: 'o-a1b2c3d4e5',
  hubAccountId: HUB,
  managementAccountId: '999999999999',
  rootId: 'r-a1b2',
};
const SSO = `arn:aws:iam::${HUB}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*`;

function errorOf(planPrincipals: unknown, organization: Record<string, unknown> = ENABLED): string {
  try {
    parseConfig({ ...REQUIRED, organization: { ...organization, planPrincipals } }, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`parseConfig accepted planPrincipals ${JSON.stringify(planPrincipals)}`);
}

it('is empty by default', () => {
  expect(parseConfig(REQUIRED, SOURCE).organization.planPrincipals).toEqual([]);
  expect(parseConfig({ ...REQUIRED, organization: ENABLED }, SOURCE).organization.planPrincipals).toEqual([]);
});

it('keeps role and user ARNs of the hub account, patterns in the path and name included', () => {
  const planPrincipals = [
    SSO,
    `arn:aws:iam::${HUB}:role/keysweep-planner`,
    `arn:aws:iam::${HUB}:user/ops/alice`,
    `arn:aws-us-gov:iam::${HUB}:role/audit-*`,
  ];
  const config = parseConfig({ ...REQUIRED, organization: { ...ENABLED, planPrincipals } }, SOURCE);
  expect(config.organization.planPrincipals).toEqual(planPrincipals);
});

const SHAPE =
  'must be the ARN (or an ArnLike pattern, * only in the path and name) of a role or user in the hub account';

it.each([
  ['an account ID', HUB],
  ['the account root', `arn:aws:iam::${HUB}:root`],
  ['a wildcard account', 'arn:aws:iam::*:role/audit'],
  ['a wildcard service', `arn:aws:*::${HUB}:role/audit`],
  ['a wildcard resource type', `arn:aws:iam::${HUB}:*/audit`],
  ['a group', `arn:aws:iam::${HUB}:group/auditors`],
  ['an STS session', `arn:aws:sts::${HUB}:assumed-role/audit/me`],
  ['everyone', '*'],
  ['an empty name', `arn:aws:iam::${HUB}:role/`],
  ['a ? wildcard', `arn:aws:iam::${HUB}:role/audit?`],
])('refuses %s', (_label, arn) => {
  expect(errorOf([arn])).toContain(`organization.planPrincipals[0] ${SHAPE}`);
  expect(errorOf([arn])).toContain(`(got ${JSON.stringify(arn)})`);
});

it('refuses a principal of another account, naming both', () => {
  expect(errorOf([SSO, 'arn:aws:iam::222222222222:role/audit'])).toContain(
    `organization.planPrincipals[1] must be in the hub account: organization.hubAccountId is ${HUB}, the ARN names 222222222222 (got "arn:aws:iam::222222222222:role/audit")`,
  );
});

it('refuses principals without a hub account', () => {
  expect(errorOf([SSO], { enabled: false })).toContain(
    'organization.planPrincipals[0] needs organization.hubAccountId: a plan principal is in the hub account',
  );
});

it('refuses anything but a list, and a principal listed twice', () => {
  expect(errorOf(SSO)).toContain(
    'organization.planPrincipals must be a list of IAM role or user ARN patterns in the hub account',
  );
  expect(errorOf([SSO, SSO])).toContain(
    'organization.planPrincipals[1] duplicates organization.planPrincipals[0]',
  );
});
