/**
 * The IAM policies of a deployment, read off the template that the KeySweep stack synthesizes for a
 * configuration (in-process, bundling skipped): each function's role, the state machine's role,
 * the schedule's role and the report bucket's policy, with every CloudFormation reference resolved
 * to the names the local run uses. So a change in infra/ changes what a local run may do.
 *
 * With organization.enabled also the organization's roles: the member role off the member template
 * (the StackSet's body) and the org reader role off the management-account stack, each with its
 * trust policy, `AWS::AccountId` left as ACCOUNT_PLACEHOLDER (each account fills in its own); and
 * the hub's list-accounts role (principal `function:list-accounts`). Roles with a fixed RoleName
 * (the hub roles other accounts trust) keep that name, so the trust policies match them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { KeysweepConfig } from '../functions/shared/config';
import { KeySweepStack } from '../infra/key-sweep-stack';
import { ManagementStack } from '../infra/management-stack';
import { synthesizeMemberTemplate } from '../infra/member-template';
import { ORG_READER_ROLE_NAME, planRoleName, STACK_NAMES } from '../infra/organization';
import { callerKey } from './callers';
import { EXPOSURE_STATE_MACHINE_ARN, LOCAL_EXPOSURE_STATE_MACHINE } from './execute-exposure';
import {
  functionArn,
  LOCAL_ACCOUNT_ID,
  LOCAL_BUCKET,
  LOCAL_ORGANIZATION_STATE_MACHINE,
  LOCAL_REGION,
  LOCAL_STATE_MACHINE,
} from './execute-sweep';
import type { KeysweepFunction } from '../infra/constructs/keysweep-function';
import {
  ACCOUNT_PLACEHOLDER,
  type AccessPolicies,
  type AssumableRole,
  type PolicyDocument,
  type PrincipalPolicies,
} from './simulated-account/permissions';

const CDK_JSON = path.join(__dirname, '..', 'cdk.json');
const STACK_NAME = 'KeySweep';
/** A fixed stack ID: the state machine's log group name is derived from it. */
const STACK_ID = `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stack/${STACK_NAME}/6f1c0d5e-7a1b-4c3d-9e8f-0a1b2c3d4e5f`;

type Json = unknown;
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}
interface Reference {
  ref: string;
  attributes: Record<string, string>;
}

/** The feature flags of cdk.json, as `cdk synth` sees them (the `keysweep` settings are passed apart). */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> };
  const flags = { ...cdkJson.context };
  delete flags.keysweep;
  return flags;
}

function logicalIdOf(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub; throws on anything else. */
function resolver(references: ReadonlyMap<string, Reference>, accountId = LOCAL_ACCOUNT_ID) {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': accountId,
    'AWS::Region': LOCAL_REGION,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': STACK_NAME,
    'AWS::StackId': STACK_ID,
  };
  const reference = (id: string): Reference => {
    const found = references.get(id);
    if (!found) throw new Error(`The local run cannot resolve a reference to ${id}`);
    return found;
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, Json>;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = node[key];
      if (key === 'Ref') return pseudo[arg as string] ?? reference(arg as string).ref;
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = arg as [string, string];
        const found = reference(id).attributes[attribute];
        if (found === undefined) throw new Error(`The local run cannot resolve ${id}.${attribute}`);
        return found;
      }
      if (key === 'Fn::Join') {
        const [delimiter, parts] = arg as [string, Json[]];
        return parts.map((part) => String(resolve(part))).join(delimiter);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [Json, Json];
        return (resolve(list) as Json[])[Number(resolve(index))];
      }
      if (key === 'Fn::Split') {
        const [delimiter, text] = arg as [string, Json];
        return String(resolve(text)).split(delimiter);
      }
      if (key === 'Fn::Sub' && typeof arg === 'string') {
        return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          const [id, attribute] = name.split('.') as [string, string | undefined];
          return attribute === undefined
            ? (pseudo[id] ?? reference(id).ref)
            : String(resolve({ 'Fn::GetAtt': [id, attribute] }));
        });
      }
      if (key.startsWith('Fn::')) throw new Error(`The local run cannot resolve ${key}`);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

/** The generated name CloudFormation would give a role without a RoleName (stack name, logical ID, suffix). */
const generatedRoleName = (logicalId: string) => `${STACK_NAME}-${logicalId}`.slice(0, 64);
/** Role names as deployed: the RoleName when the template fixes one. */
const roleNames = new Map<string, string>();
const roleName = (logicalId: string) => roleNames.get(logicalId) ?? generatedRoleName(logicalId);
const roleArn = (logicalId: string) => `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${roleName(logicalId)}`;
const sessionArn = (logicalId: string, session: string) =>
  `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${roleName(logicalId)}/${session}`;
const logGroupArn = (name: string) => `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:log-group:${name}:*`;

/** The deployment's policies for `config`, resolved for the local account. */
export function synthesizePolicies(config: KeysweepConfig): AccessPolicies {
  const app = new App({
    context: { ...cdkJsonContext(), keysweep: config, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new KeySweepStack(app, STACK_NAME, {
    stackName: STACK_NAME,
    config,
    buildVersion: { packageVersion: '0.0.0', commit: 'local', version: '0.0.0+local' },
    env: { account: LOCAL_ACCOUNT_ID, region: LOCAL_REGION },
  });
  const template = app.synth().getStackByName(STACK_NAME).template as { Resources: Record<string, Resource> };
  const resources = template.Resources;

  const references = new Map<string, Reference>();
  const bucket = (name: string): Reference => ({ ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } });
  references.set(logicalIdOf(stack.reportBucket.bucket), bucket(LOCAL_BUCKET));
  references.set(logicalIdOf(stack.reportBucket.accessLogsBucket), bucket(`${LOCAL_BUCKET}-access-logs`));
  const functionLogGroups = new Map<string, string>();
  const allFunctions: KeysweepFunction[] = [
    ...Object.values(stack.functions),
    ...Object.values(stack.exposure.functions),
    ...Object.values(stack.organizationSweep?.functions ?? {}),
  ];
  for (const fn of allFunctions) {
    const name = fn.name as Parameters<typeof functionArn>[0];
    const group = `/aws/lambda/keysweep-${name}`;
    references.set(logicalIdOf(fn.function), {
      ref: `keysweep-${name}`,
      attributes: { Arn: functionArn(name) },
    });
    references.set(logicalIdOf(fn.logGroup), { ref: group, attributes: { Arn: logGroupArn(group) } });
    functionLogGroups.set(logicalIdOf(fn.role), logGroupArn(group));
  }
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${LOCAL_STATE_MACHINE}`;
  references.set(logicalIdOf(stack.sweep.stateMachine), {
    ref: stateMachineArn,
    attributes: { Arn: stateMachineArn, Name: LOCAL_STATE_MACHINE },
  });
  const organizationMachine = stack.organizationSweep?.stateMachine;
  if (organizationMachine) {
    const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${LOCAL_ORGANIZATION_STATE_MACHINE}`;
    references.set(logicalIdOf(organizationMachine.stateMachine), {
      ref: arn,
      attributes: { Arn: arn, Name: LOCAL_ORGANIZATION_STATE_MACHINE },
    });
  }
  references.set(logicalIdOf(stack.exposure.stateMachine), {
    ref: EXPOSURE_STATE_MACHINE_ARN,
    attributes: { Arn: EXPOSURE_STATE_MACHINE_ARN, Name: LOCAL_EXPOSURE_STATE_MACHINE },
  });
  roleNames.clear();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Role') {
      const fixed = resource.Properties?.RoleName;
      if (typeof fixed === 'string') roleNames.set(id, fixed);
      references.set(id, { ref: roleName(id), attributes: { Arn: roleArn(id) } });
    }
  }
  const resolve = resolver(references);
  const smLogs = logicalIdOf(stack.sweep.logGroup);
  const smLogGroupName = String(resolve(resources[smLogs]?.Properties?.LogGroupName));
  references.set(smLogs, { ref: smLogGroupName, attributes: { Arn: logGroupArn(smLogGroupName) } });
  for (const group of [
    stack.exposure.logGroup,
    ...(organizationMachine ? [organizationMachine.logGroup] : []),
  ]) {
    const id = logicalIdOf(group);
    const name = String(resolve(resources[id]?.Properties?.LogGroupName));
    references.set(id, { ref: name, attributes: { Arn: logGroupArn(name) } });
  }

  // Every role and the key of the principal it is.
  const principals: Record<string, { roleId: string; session: string }> = {};
  for (const fn of allFunctions) {
    principals[callerKey({ kind: 'function', name: fn.name as Parameters<typeof functionArn>[0] })] = {
      roleId: logicalIdOf(fn.role),
      session: `keysweep-${fn.name}`,
    };
  }
  principals[callerKey({ kind: 'state-machine' })] = {
    roleId: logicalIdOf(stack.sweep.stateMachine.role),
    session: 'keysweep-state-machine',
  };
  principals[callerKey({ kind: 'exposure-state-machine' })] = {
    roleId: logicalIdOf(stack.exposure.stateMachine.role),
    session: 'keysweep-exposure-state-machine',
  };
  const targetRoleOf = (rule: IConstruct, what: string) => {
    const roleId = ((
      resources[logicalIdOf(rule)]?.Properties?.Targets as { RoleArn?: { 'Fn::GetAtt'?: string[] } }[]
    )?.[0]?.RoleArn?.['Fn::GetAtt'] ?? [])[0];
    if (roleId === undefined) throw new Error(`The ${what} rule has no target role`);
    return roleId;
  };
  principals[callerKey({ kind: 'schedule' })] = {
    roleId: targetRoleOf(stack.schedule.rule, 'schedule'),
    session: 'keysweep-schedule',
  };
  principals[callerKey({ kind: 'exposure-rule' })] = {
    roleId: targetRoleOf(stack.exposure.rule, 'exposed-key'),
    session: 'keysweep-exposure-rule',
  };
  if (organizationMachine) {
    principals[callerKey({ kind: 'organization-state-machine' })] = {
      roleId: logicalIdOf(organizationMachine.stateMachine.role),
      session: 'keysweep-organization-state-machine',
    };
  }

  const policiesOf = (roleId: string): PrincipalPolicies['identityPolicies'] => {
    const role = resources[roleId];
    if (role?.Properties?.ManagedPolicyArns !== undefined || role?.Properties?.Policies !== undefined) {
      throw new Error(`${roleId} has managed or inline policies, which the local run cannot read`);
    }
    return Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) => ((r.Properties?.Roles as Json[]) ?? []).some((x) => resolve(x) === roleName(roleId)))
      .map(([id, r]) => ({ name: id, policy: resolve(r.Properties?.PolicyDocument) as PolicyDocument }));
  };

  const access: AccessPolicies = { principals: {}, resourcePolicies: {} };
  for (const [key, { roleId, session }] of Object.entries(principals)) {
    const logGroup = functionLogGroups.get(roleId);
    access.principals[key] = {
      principalArn: sessionArn(roleId, session),
      identityPolicies: policiesOf(roleId),
      ...(logGroup ? { logGroupArn: logGroup } : {}),
    };
  }
  if (config.organization.enabled) access.organization = organizationPolicies(config);
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::S3::BucketPolicy') continue;
    const name = String(resolve(resource.Properties?.Bucket));
    access.resourcePolicies[`arn:aws:s3:::${name}`] = resolve(
      resource.Properties?.PolicyDocument,
    ) as PolicyDocument;
  }
  return access;
}

/** The role named `name` of a template, with its trust policy and the policies attached to it. */
function assumableRole(resources: Record<string, Resource>, name: string): AssumableRole {
  const resolve = resolver(new Map(), ACCOUNT_PLACEHOLDER);
  const found = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === name,
  );
  if (!found) throw new Error(`The synthesized organization stacks have no role ${name}`);
  const [id, role] = found;
  if (role.Properties?.ManagedPolicyArns !== undefined || role.Properties?.Policies !== undefined) {
    throw new Error(`${name} has managed or inline policies, which the local run cannot read`);
  }
  const identityPolicies = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) =>
      ((r.Properties?.Roles as Json[]) ?? []).some((x) => JSON.stringify(x) === JSON.stringify({ Ref: id })),
    )
    .map(([policyId, r]) => ({
      name: policyId,
      policy: resolve(r.Properties?.PolicyDocument) as PolicyDocument,
    }));
  return {
    roleName: name,
    trustPolicy: resolve(role.Properties?.AssumeRolePolicyDocument) as PolicyDocument,
    identityPolicies,
  };
}

/**
 * The member role and, with organization.planPrincipals, the plan role (off the StackSet's member
 * template) and the org reader role (off KeySweepManagement).
 */
function organizationPolicies(config: KeysweepConfig): NonNullable<AccessPolicies['organization']> {
  const organizationId = config.organization.organizationId;
  if (organizationId === null) throw new Error('organization.organizationId is required');
  const member = synthesizeMemberTemplate(config, '0.0.0+local').template.Resources;
  const app = new App({ context: { ...cdkJsonContext(), keysweep: config } });
  new ManagementStack(app, STACK_NAMES.management, {
    stackName: STACK_NAMES.management,
    config,
    version: '0.0.0+local',
  });
  const managementResources = (
    app.synth().getStackByName(STACK_NAMES.management).template as { Resources: Record<string, Resource> }
  ).Resources;
  return {
    organizationId,
    memberRole: assumableRole(member, config.organization.memberRoleName),
    orgReaderRole: assumableRole(managementResources, ORG_READER_ROLE_NAME),
    ...(config.organization.planPrincipals.length > 0
      ? { planRole: assumableRole(member, planRoleName(config.organization)) }
      : {}),
  };
}
