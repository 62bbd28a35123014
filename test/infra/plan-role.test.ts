/**
 * The plan role (organization.planPrincipals): in the StackSet's member template and the management
 * stack alike, exactly the IAM reads of a plan and no write, trusted by the hub account's root only
 * for the principals planPrincipals names (ArnLike on aws:PrincipalArn) under aws:PrincipalOrgID;
 * the org reader role trusts them too. Without planPrincipals, nothing of it is there.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { ORG_READER_ROLE_NAME } from '../../infra/organization';
import {
  buildOrganization,
  flatten,
  pairs,
  rolePermissions,
  TEST_ORGANIZATION,
  type BuiltOrganization,
} from './build-stack';

const P = 'arn:<AWS::Partition>';
const USERS = `${P}:iam::<AWS::AccountId>:user/*`;
const HUB = TEST_ORGANIZATION.hubAccountId;
const ORG = TEST_ORGANIZATION.organizationId;
const PRINCIPALS = [
  `arn:aws:iam::${HUB}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*`,
  `arn:aws:iam::${HUB}:role/keysweep-planner`,
];
const ACCOUNT_WIDE = ['iam:ListUsers', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport'];
const WRITE = /^iam:(Update|Delete|Create|Put|Attach|Detach|Tag|Untag|Add|Remove|Set|Change|Reset|Upload)/;

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function memberTemplateOf(built: BuiltOrganization): Template {
  const [stackSet] = Object.values(built.memberStackSet.findResources('AWS::CloudFormation::StackSet')) as {
    Properties: { TemplateBody: string };
  }[];
  return Template.fromJSON(JSON.parse(stackSet?.Properties.TemplateBody ?? '{}') as Record<string, unknown>);
}

function roleId(template: Template, name: string): string | undefined {
  return Object.entries(template.findResources('AWS::IAM::Role')).find(
    ([, r]) => (r.Properties as { RoleName?: string }).RoleName === name,
  )?.[0];
}

function trustOf(template: Template, name: string): unknown[] {
  const role = template.toJSON().Resources[roleId(template, name) ?? ''] as {
    Properties: { AssumeRolePolicyDocument: { Statement: { Principal: { AWS: unknown } }[] } };
  };
  return role.Properties.AssumeRolePolicyDocument.Statement.map((s) => ({
    ...s,
    Principal: {
      AWS: Array.isArray(s.Principal.AWS) ? s.Principal.AWS.map(flatten) : flatten(s.Principal.AWS),
    },
  }));
}

const PLAN_TRUST = {
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  Principal: { AWS: `${P}:iam::${HUB}:root` },
  Condition: {
    ArnLike: { 'aws:PrincipalArn': PRINCIPALS },
    StringEquals: { 'aws:PrincipalOrgID': ORG },
  },
};

describe('with planPrincipals', () => {
  const built = buildOrganization({ organization: { planPrincipals: PRINCIPALS } });
  const templates = (): [string, Template][] => [
    ['member template', memberTemplateOf(built)],
    ['management stack', built.management],
  ];

  test('the plan role may make exactly the IAM reads of a plan, and no write', () => {
    for (const [, template] of templates()) {
      const id = roleId(template, 'keysweep-member-plan');
      expect(id).toBeDefined();
      const allowed = [...rolePermissions(template, id ?? '')];
      expect(allowed.sort()).toEqual(
        [
          ...pairs(ACCOUNT_WIDE, ['*']),
          ...pairs(['iam:ListAccessKeys', 'iam:ListUserTags', 'iam:GetAccessKeyLastUsed'], [USERS]),
        ].sort(),
      );
      expect(allowed.filter((p) => WRITE.test(p))).toEqual([]);
    }
  });

  test('with exemptGroups and deleteAfterDays it reads groups too, and still deletes nothing', () => {
    const more = buildOrganization({
      config: { deleteAfterDays: 365, exemptGroups: ['ci'] },
      organization: { planPrincipals: PRINCIPALS },
    });
    const id = roleId(more.management, 'keysweep-member-plan') ?? '';
    const userActions = [...rolePermissions(more.management, id)]
      .filter((p) => p.endsWith(USERS))
      .map((p) => p.split(' ')[0])
      .sort();
    expect(userActions).toEqual([
      'iam:GetAccessKeyLastUsed',
      'iam:ListAccessKeys',
      'iam:ListGroupsForUser',
      'iam:ListUserTags',
    ]);
    // The member role beside it deletes: the plan role is not a copy of it.
    const member = [...rolePermissions(more.management, roleId(more.management, 'keysweep-member') ?? '')];
    expect(member).toContain(`iam:DeleteAccessKey ${USERS}`);
  });

  test('the plan role trusts the hub account root only for planPrincipals (ArnLike on aws:PrincipalArn), under aws:PrincipalOrgID', () => {
    for (const [, template] of templates())
      expect(trustOf(template, 'keysweep-member-plan')).toEqual([PLAN_TRUST]);
  });

  test('the org reader role trusts the same principals besides the list-accounts role', () => {
    expect(trustOf(built.management, ORG_READER_ROLE_NAME)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: [`${P}:iam::${HUB}:role/keysweep-list-accounts`] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
      PLAN_TRUST,
    ]);
  });

  test('the member role is left as it was: trusted by the hub functions only', () => {
    for (const [, template] of templates()) {
      const principals = trustOf(template, 'keysweep-member').flatMap(
        (s) => (s as { Principal: { AWS: string[] } }).Principal.AWS,
      );
      expect(principals.every((p) => /:role\/keysweep-/.test(p))).toBe(true);
    }
  });

  test('the plan role is named after memberRoleName', () => {
    const renamed = buildOrganization({
      organization: { planPrincipals: PRINCIPALS, memberRoleName: 'sec-sweep' },
    });
    expect(roleId(renamed.management, 'sec-sweep-plan')).toBeDefined();
    expect(roleId(memberTemplateOf(renamed), 'sec-sweep-plan')).toBeDefined();
  });

  test('a memberRoleName too long for the plan role is refused, naming the setting', () => {
    expect(() =>
      buildOrganization({ organization: { planPrincipals: PRINCIPALS, memberRoleName: 'x'.repeat(60) } }),
    ).toThrow(/organization\.memberRoleName is too long for the plan role .*IAM allows 64/);
  });
});

describe('without planPrincipals', () => {
  const without = buildOrganization();
  const withPlan = buildOrganization({ organization: { planPrincipals: PRINCIPALS } });

  test('there is no plan role', () => {
    expect(roleId(without.management, 'keysweep-member-plan')).toBeUndefined();
    expect(roleId(memberTemplateOf(without), 'keysweep-member-plan')).toBeUndefined();
  });

  test('the templates are those with planPrincipals less the plan role and the org reader trust statement', () => {
    // What planPrincipals adds is exactly the plan role, its policy and one trust statement: nothing else moves.
    const strip = (template: Template, readerRole: string | undefined): Resources => {
      const resources = structuredClone(template.toJSON().Resources as Resources);
      for (const [id, r] of Object.entries(resources)) {
        const attachedToPlan = JSON.stringify(r.Properties?.Roles ?? []).includes('Plan');
        if (id.startsWith('Plan') || (r.Type === 'AWS::IAM::Policy' && attachedToPlan)) delete resources[id];
      }
      const reader = readerRole === undefined ? undefined : resources[readerRole];
      const trust = reader?.Properties?.AssumeRolePolicyDocument as { Statement: unknown[] } | undefined;
      if (trust) trust.Statement = trust.Statement.slice(0, 1);
      return resources;
    };
    const withMember = memberTemplateOf(withPlan);
    expect(strip(withMember, undefined)).toEqual(memberTemplateOf(without).toJSON().Resources);
    expect(strip(withPlan.management, roleId(withPlan.management, ORG_READER_ROLE_NAME))).toEqual(
      without.management.toJSON().Resources,
    );
    // The hub is the same either way: its functions never read planPrincipals (KEYSWEEP_CONFIG leaves it out).
    expect(withPlan.hub.toJSON()).toEqual(without.hub.toJSON());
    expect(JSON.stringify(without.management.toJSON())).not.toContain('aws:PrincipalArn');
  });
});
