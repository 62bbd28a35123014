/**
 * The organization's stacks, read off their templates: the member role's exact actions per
 * configuration and its trust (the hub's function roles by ARN, under aws:PrincipalOrgID), the hub
 * roles' fixed names and their sts:AssumeRole grants, the StackSet (service-managed, auto-deployed,
 * one region, the member template as its body) and the org reader role's exact actions and trust.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { HUB_ROLE_NAMES, ORG_READER_ROLE_NAME } from '../../infra/organization';
import { synthesizeMemberTemplate } from '../../infra/member-template';
import { configFromContext } from '../../infra/config';
import { App } from 'aws-cdk-lib';
import { buildStacks } from '../../infra/stacks';
import {
  buildOrganization,
  cdkJsonConfig,
  flatten,
  logicalId,
  pairs,
  REPO_ROOT,
  rolePermissions,
  synthStack,
  TEST_ORGANIZATION,
  TEST_VERSION,
  type BuiltOrganization,
} from './build-stack';

const P = 'arn:<AWS::Partition>';
const USERS = `${P}:iam::<AWS::AccountId>:user/*`;
const ACCOUNT_WIDE = ['iam:ListUsers', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport'];
const HUB = TEST_ORGANIZATION.hubAccountId;
const MANAGEMENT = TEST_ORGANIZATION.managementAccountId;
const ORG = TEST_ORGANIZATION.organizationId;

interface RoleResource {
  Type: string;
  Properties: { RoleName?: string; AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } };
}

/** The one role of `template` named `name`, with its logical ID. */
function roleNamed(template: Template, name: string): { id: string; role: RoleResource } {
  const found = Object.entries(template.findResources('AWS::IAM::Role')).filter(
    ([, r]) => (r as RoleResource).Properties.RoleName === name,
  );
  expect(found).toHaveLength(1);
  const [id, role] = found[0] as [string, RoleResource];
  return { id, role };
}

/** A trust policy statement with its principals flattened. */
function trustOf(role: RoleResource): unknown[] {
  return role.Properties.AssumeRolePolicyDocument.Statement.map((s) => ({
    ...s,
    Principal: { AWS: ((s.Principal as { AWS: unknown[] }).AWS ?? []).map(flatten) },
  }));
}

function memberTemplateOf(built: BuiltOrganization): Template {
  const stackSets = built.memberStackSet.findResources('AWS::CloudFormation::StackSet');
  const [stackSet] = Object.values(stackSets) as { Properties: { TemplateBody: string } }[];
  return Template.fromJSON(JSON.parse(stackSet?.Properties.TemplateBody ?? '{}') as Record<string, unknown>);
}

describe('with the organization enabled and the default sweep settings', () => {
  let built: BuiltOrganization;
  beforeAll(() => {
    built = buildOrganization();
  });

  test('the member role (StackSet template and management stack alike) may read and deactivate keys, no more', () => {
    for (const template of [memberTemplateOf(built), built.management]) {
      const { id } = roleNamed(template, 'keysweep-member');
      expect([...rolePermissions(template, id)].sort()).toEqual(
        [
          ...pairs(ACCOUNT_WIDE, ['*']),
          ...pairs(
            ['iam:ListAccessKeys', 'iam:ListUserTags', 'iam:GetAccessKeyLastUsed', 'iam:UpdateAccessKey'],
            [USERS],
          ),
        ].sort(),
      );
    }
  });

  test('the member role trusts only the hub roles that work in member accounts, by ARN, under aws:PrincipalOrgID', () => {
    for (const template of [memberTemplateOf(built), built.management]) {
      expect(trustOf(roleNamed(template, 'keysweep-member').role)).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: {
            AWS: [
              `${P}:iam::${HUB}:role/keysweep-list-users`,
              `${P}:iam::${HUB}:role/keysweep-find-stale-keys`,
              `${P}:iam::${HUB}:role/keysweep-deactivate-key`,
              `${P}:iam::${HUB}:role/keysweep-deactivate-exposed-key`,
            ],
          },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
        },
      ]);
    }
  });

  test('the hub roles the member role trusts have exactly those names, and may assume the member role only in the organization', () => {
    const grant = `sts:AssumeRole ${P}:iam::*:role/keysweep-member if ${JSON.stringify({
      StringEquals: { 'aws:ResourceOrgID': ORG },
    })}`;
    const fns = {
      ListUsers: 'list-users',
      FindStaleKeys: 'find-stale-keys',
      DeactivateKey: 'deactivate-key',
    } as const;
    for (const [key, name] of Object.entries(fns) as [keyof typeof fns, (typeof fns)[keyof typeof fns]][]) {
      const { id } = roleNamed(built.hub, HUB_ROLE_NAMES[name]);
      expect(id).toBe(logicalId(built.stacks.hub.functions[key].role));
      expect([...rolePermissions(built.hub, id)]).toContain(grant);
    }
    for (const key of ['CheckActionLimit', 'SendReport'] as const) {
      const id = logicalId(built.stacks.hub.functions[key].role);
      expect([...rolePermissions(built.hub, id)].filter((p) => p.startsWith('sts:'))).toEqual([]);
      expect((built.hub.toJSON().Resources[id] as RoleResource).Properties.RoleName).toBeUndefined();
    }
  });

  test('the list-accounts role may only assume the org reader role in the management account, and write the account batches', () => {
    const { id } = roleNamed(built.hub, HUB_ROLE_NAMES['list-accounts']);
    expect(id).toBe(logicalId(built.stacks.hub.organizationSweep?.functions.ListAccounts.role as never));
    expect([...rolePermissions(built.hub, id)].filter((p) => !/^(logs|xray):/.test(p))).toEqual([
      `sts:AssumeRole ${P}:iam::${MANAGEMENT}:role/${ORG_READER_ROLE_NAME}`,
      's3:PutObject <ReportBucket6B54E113.Arn>/runs/*',
    ]);
  });

  test('the organization state machine may invoke its three functions, run its own map, and start and watch the account executions (.sync)', () => {
    const org = built.stacks.hub.organizationSweep;
    if (!org) throw new Error('no organization run');
    const sm = `${P}:states:<AWS::Region>:<AWS::AccountId>`;
    const rule = `${P}:events:<AWS::Region>:<AWS::AccountId>:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
    const granted = [...rolePermissions(built.hub, logicalId(org.stateMachine.stateMachine.role))].filter(
      (p) => !/^(logs|xray):/.test(p),
    );
    const invoke = (fn: keyof typeof org.functions) => {
      const id = logicalId(org.functions[fn].function);
      return [`lambda:InvokeFunction <${id}.Arn>`, `lambda:InvokeFunction <${id}.Arn>:*`];
    };
    expect(granted.sort()).toEqual(
      [
        ...invoke('ListAccounts'),
        ...invoke('CheckOrganizationLimit'),
        ...invoke('SendOrganizationReport'),
        `states:StartExecution ${sm}:stateMachine:KeySweep-Organization`,
        `states:DescribeExecution ${sm}:execution:KeySweep-Organization/*`,
        `states:StopExecution ${sm}:execution:KeySweep-Organization/*`,
        's3:GetObject <ReportBucket6B54E113.Arn>/runs/*',
        's3:PutObject <ReportBucket6B54E113.Arn>/runs/*',
        // the nested account executions: what startExecution.sync:2 needs (stepfunctions-iam.html)
        `states:StartExecution ${sm}:stateMachine:KeySweep-KeySweep`,
        `states:DescribeExecution ${sm}:execution:KeySweep-KeySweep:*`,
        `states:StopExecution ${sm}:execution:KeySweep-KeySweep:*`,
        `events:PutTargets ${rule}`,
        `events:PutRule ${rule}`,
        `events:DescribeRule ${rule}`,
      ].sort(),
    );
    // the account state machine's ARN is the one the organization ASL starts
    const machines = built.hub.findResources('AWS::StepFunctions::StateMachine');
    const orgMachine = machines[logicalId(org.stateMachine.stateMachine)] as {
      Properties: { DefinitionSubstitutions: Record<string, unknown> };
    };
    expect(flatten(orgMachine.Properties.DefinitionSubstitutions.KeySweepStateMachineArn)).toBe(
      `${sm}:stateMachine:KeySweep-KeySweep`,
    );
  });

  test('the organization functions hold only the report bucket (and SES for the summary); the schedule starts the organization run', () => {
    const org = built.stacks.hub.organizationSweep;
    if (!org) throw new Error('no organization run');
    const of = (fn: keyof typeof org.functions) =>
      [...rolePermissions(built.hub, logicalId(org.functions[fn].role))].filter(
        (p) => !/^(logs|xray):/.test(p),
      );
    const runs = [
      's3:GetObject <ReportBucket6B54E113.Arn>/runs/*',
      's3:PutObject <ReportBucket6B54E113.Arn>/runs/*',
    ];
    const list = 's3:ListBucket <ReportBucket6B54E113.Arn> if {"StringLike":{"s3:prefix":["runs/*"]}}';
    expect(of('CheckOrganizationLimit')).toEqual(runs);
    expect(of('SendOrganizationReport').filter((p) => !p.startsWith('ses:'))).toEqual([...runs, list]);
    expect(of('SendOrganizationReport').filter((p) => p.startsWith('ses:'))).toHaveLength(2);
    const [rule] = Object.values(built.hub.findResources('AWS::Events::Rule')) as {
      Properties: { Targets: { Arn: unknown }[] };
    }[];
    expect(rule?.Properties.Targets[0]?.Arn).toEqual({ Ref: logicalId(org.stateMachine.stateMachine) });
  });

  test('the hub roles that work in accounts hold no IAM permission of their own: every account, the hub too, through its member role', () => {
    for (const key of ['ListUsers', 'FindStaleKeys', 'DeactivateKey'] as const) {
      const granted = [...rolePermissions(built.hub, logicalId(built.stacks.hub.functions[key].role))];
      expect(granted.filter((p) => p.startsWith('iam:'))).toEqual([]);
      expect(granted.filter((p) => p.startsWith('sts:'))).toHaveLength(1);
    }
  });

  test('the org reader role may make only the read-only Organizations calls, on this organization', () => {
    const { id } = roleNamed(built.management, ORG_READER_ROLE_NAME);
    const arn = (type: string, rest: string) => `${P}:organizations::${MANAGEMENT}:${type}/${ORG}/${rest}`;
    expect([...rolePermissions(built.management, id)].sort()).toEqual(
      [
        ...pairs(
          ['organizations:DescribeOrganization', 'organizations:ListAccounts', 'organizations:ListRoots'],
          ['*'],
        ),
        ...pairs(
          ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
          [arn('root', 'r-*'), arn('ou', 'ou-*')],
        ),
        ...pairs(['organizations:ListTagsForResource'], [arn('account', '*')]),
      ].sort(),
    );
  });

  test('the org reader role trusts only the hub list-accounts role, under aws:PrincipalOrgID', () => {
    expect(trustOf(roleNamed(built.management, ORG_READER_ROLE_NAME).role)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: [`${P}:iam::${HUB}:role/keysweep-list-accounts`] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]);
  });

  test('the StackSet is service-managed, auto-deploys to the root, removes its stacks from leaving accounts, in one region', () => {
    built.memberStackSet.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    built.memberStackSet.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'keysweep-member',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['r-a1b2'] }, Regions: [{ Ref: 'AWS::Region' }] },
      ],
    });
  });

  test('the StackSet body is the member stack template: one role, no bootstrap parameter, rule or metadata', () => {
    const member = memberTemplateOf(built).toJSON() as Record<string, Record<string, { Type: string }>>;
    expect(
      Object.values(member.Resources ?? {})
        .map((r) => r.Type)
        .sort(),
    ).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role']);
    expect(member.Parameters).toBeUndefined();
    expect(member.Rules).toBeUndefined();
    expect(synthesizeMemberTemplate(configFromContext(built.app), '9.8.7+abc1234').template).toEqual(member);
  });

  test('neither the StackSet stack nor the management stack needs a CDK bootstrap in its account', () => {
    for (const stack of [built.stacks.memberStackSet, built.stacks.management]) {
      const template = Template.fromStack(stack!).toJSON() as Record<string, unknown>;
      expect(template.Parameters).toBeUndefined();
      expect(template.Rules).toBeUndefined();
    }
  });
});

describe('the member role follows the sweep settings', () => {
  test('with exemptGroups and deleteAfterDays it may also read groups and delete keys', () => {
    const built = buildOrganization({ config: { exemptGroups: ['break-glass'], deleteAfterDays: 180 } });
    const template = memberTemplateOf(built);
    const { id } = roleNamed(template, 'keysweep-member');
    expect([...rolePermissions(template, id)].sort()).toEqual(
      [
        ...pairs(ACCOUNT_WIDE, ['*']),
        ...pairs(
          [
            'iam:ListAccessKeys',
            'iam:ListUserTags',
            'iam:GetAccessKeyLastUsed',
            'iam:ListGroupsForUser',
            'iam:UpdateAccessKey',
            'iam:DeleteAccessKey',
          ],
          [USERS],
        ),
      ].sort(),
    );
  });

  test('a custom member role name is the role created and the role the hub may assume', () => {
    const built = buildOrganization({ organization: { memberRoleName: 'sec-keysweep' } });
    roleNamed(memberTemplateOf(built), 'sec-keysweep');
    roleNamed(built.management, 'sec-keysweep');
    const { id } = roleNamed(built.hub, 'keysweep-deactivate-key');
    expect(
      [...rolePermissions(built.hub, id)].some((p) =>
        p.startsWith(`sts:AssumeRole ${P}:iam::*:role/sec-keysweep `),
      ),
    ).toBe(true);
  });

  test('without adminsTag the org reader may not read account tags', () => {
    const built = buildOrganization({ organization: { adminsTag: null } });
    const { id } = roleNamed(built.management, ORG_READER_ROLE_NAME);
    expect(
      [...rolePermissions(built.management, id)].filter((p) => p.includes('ListTagsForResource')),
    ).toEqual([]);
  });
});

describe('StackSet targets and caller', () => {
  test('OUs given by ID are the targets; a delegated administrator and a region are honoured', () => {
    const built = buildOrganization({
      organization: {
        rootId: null,
        organizationalUnits: ['ou-ab12-cd34ef56', 'ou-ab12-gh78ij90'],
        stackSetCallAs: 'DELEGATED_ADMIN',
        stackSetRegion: 'eu-west-1',
      },
    });
    built.memberStackSet.hasResourceProperties('AWS::CloudFormation::StackSet', {
      CallAs: 'DELEGATED_ADMIN',
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cd34ef56', 'ou-ab12-gh78ij90'] },
          Regions: ['eu-west-1'],
        },
      ],
    });
  });

  test('an OU given by path makes the StackSet target the root (the sweep filters by path)', () => {
    const built = buildOrganization({
      organization: { organizationalUnits: ['ou-ab12-cd34ef56', 'Root/Prod'] },
    });
    built.memberStackSet.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['r-a1b2'] }, Regions: [{ Ref: 'AWS::Region' }] },
      ],
    });
  });
});

describe('with the organization off (the default)', () => {
  test('the app is the hub stack alone, with no fixed role name and no sts: or organizations: grant', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], keysweep: cdkJsonConfig() } });
    const stacks = buildStacks(app, configFromContext(app), TEST_VERSION);
    expect(stacks.memberStackSet).toBeUndefined();
    expect(stacks.management).toBeUndefined();
    expect(app.node.children.map((c) => c.node.id)).toEqual(['KeySweep']);
    const { template } = synthStack();
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(11);
    for (const [id, role] of Object.entries(roles)) {
      expect((role as RoleResource).Properties.RoleName).toBeUndefined();
      const granted = [...rolePermissions(template, id)];
      expect(granted.filter((p) => p.startsWith('sts:') || p.startsWith('organizations:'))).toEqual([]);
    }
  });
});

describe('the CDK app (infra/app.ts) as `cdk synth` runs it', () => {
  test('synthesizes the hub, StackSet and management stacks into its outdir, cdk-nag passing on each', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'keysweep-cdk-out-'));
    const keysweep = { ...cdkJsonConfig(), organization: TEST_ORGANIZATION };
    const result = spawnSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(REPO_ROOT, 'infra', 'app.ts'),
      ],
      {
        cwd: tmpdir(),
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ keysweep, 'aws:cdk:bundling-stacks': [] }),
          CDK_OUTDIR: outdir,
        },
      },
    );
    expect(result.stderr).not.toMatch(/AwsSolutions-|Error/);
    expect(result.status).toBe(0);
    const templates = readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .sort();
    expect(templates).toEqual([
      'KeySweep.template.json',
      'KeySweepManagement.template.json',
      'KeySweepMemberStackSet.template.json',
    ]);
    // The member template's own app wrote elsewhere: the manifest is the main app's.
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, unknown>;
    };
    expect(Object.keys(manifest.artifacts)).not.toContain('KeySweepMember');
  }, 120_000);
});
