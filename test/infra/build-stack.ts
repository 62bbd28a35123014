/**
 * Test helper: builds the KeySweep stack from the cdk.json configuration with overrides, with
 * Lambda bundling skipped, and reads facts off the template (logical IDs, role permissions).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { KeySweepStack } from '../../infra/key-sweep-stack';
import { configFromContext } from '../../infra/config';
import { buildStacks, type KeysweepStacks } from '../../infra/stacks';
import type { BuildVersion } from '../../infra/version';

export const REPO_ROOT = path.join(__dirname, '..', '..');

export const TEST_VERSION: BuildVersion = {
  packageVersion: '9.8.7',
  commit: 'abc1234',
  version: '9.8.7+abc1234',
};

/** The `keysweep` context of cdk.json: the configuration the stack is deployed with. */
export function cdkJsonConfig(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: { keysweep: Record<string, unknown> };
  };
  return cdkJson.context.keysweep;
}

export interface BuildOptions {
  /** Replaces settings of the cdk.json configuration; `undefined` removes one. */
  readonly config?: Record<string, unknown>;
  /** Replaces the whole `keysweep` context (for example with something that is not an object). */
  readonly rawContext?: unknown;
  readonly env?: { account: string; region: string };
  readonly extraContext?: Record<string, unknown>;
}

export interface BuiltStack {
  readonly app: App;
  readonly stack: KeySweepStack;
  readonly template: Template;
}

/** Builds the app and the stack; throws what building throws (a bad configuration, say). */
export function buildStack(options: BuildOptions = {}): KeySweepStack {
  const keysweep = 'rawContext' in options ? options.rawContext : { ...cdkJsonConfig(), ...options.config };
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], keysweep, ...options.extraContext },
  });
  return new KeySweepStack(app, 'KeySweep', {
    stackName: 'KeySweep',
    config: configFromContext(app),
    buildVersion: TEST_VERSION,
    env: options.env,
  });
}

/** Builds and synthesizes the stack. */
export function synthStack(options: BuildOptions = {}): BuiltStack {
  const stack = buildStack(options);
  return { app: stack.node.root as App, stack, template: Template.fromStack(stack) };
}

/** The logical ID of a construct's CloudFormation resource (the construct itself or its default child). */
export function logicalId(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).getLogicalId(element);
}

/**
 * A CloudFormation value as one readable string: `{Ref: X}` → `<X>`, `{Fn::GetAtt: [X, A]}` →
 * `<X.A>`, `Fn::Join` concatenated, pseudo parameters `<AWS::Partition>`.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') return `<${node.Ref}>`;
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(String).join('.')}>`;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, parts] = join as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
  }
  throw new Error(`Cannot flatten ${JSON.stringify(value)}`);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

interface Statement {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/**
 * Every (action, resource) pair the role is allowed, as `action resource` strings (followed by
 * ` if <condition JSON>` when the statement has a condition), from all the IAM policies attached
 * to it. Throws on anything the pairs cannot express (managed policies, inline role policies,
 * Deny, NotAction, NotResource).
 */
export function rolePermissions(template: Template, roleLogicalId: string): Set<string> {
  const role = template.toJSON().Resources[roleLogicalId] as
    { Properties: Record<string, unknown> } | undefined;
  if (role === undefined) throw new Error(`No resource ${roleLogicalId}`);
  if (role.Properties.ManagedPolicyArns !== undefined || role.Properties.Policies !== undefined) {
    throw new Error(`${roleLogicalId} has managed or inline policies`);
  }
  const pairs = new Set<string>();
  const policies = template.findResources('AWS::IAM::Policy');
  const managed = template.findResources('AWS::IAM::ManagedPolicy');
  for (const resource of [...Object.values(policies), ...Object.values(managed)]) {
    const properties = resource.Properties as {
      Roles?: unknown[];
      PolicyDocument: { Statement: Statement[] };
    };
    const attached = (properties.Roles ?? []).some((r) => flatten(r) === `<${roleLogicalId}>`);
    if (!attached) continue;
    for (const statement of properties.PolicyDocument.Statement) {
      if (
        statement.Effect !== 'Allow' ||
        statement.NotAction !== undefined ||
        statement.NotResource !== undefined
      ) {
        throw new Error(`Unexpected statement ${JSON.stringify(statement)}`);
      }
      const condition = statement.Condition === undefined ? '' : ` if ${JSON.stringify(statement.Condition)}`;
      for (const action of asArray(statement.Action)) {
        for (const resource of asArray(statement.Resource)) {
          pairs.add(`${String(action)} ${flatten(resource)}${condition}`);
        }
      }
    }
  }
  return pairs;
}

/** `actions × resources` as `action resource` strings. */
export function pairs(actions: readonly string[], resources: readonly string[]): string[] {
  return actions.flatMap((action) => resources.map((resource) => `${action} ${resource}`));
}

/** Organization settings that synthesize (override any of them in `buildOrganization`). */
export const TEST_ORGANIZATION = {
  enabled: true,
  organizationId: 'o-a1b2c3d4e5',
  hubAccountId: '111111111111',
  managementAccountId: '999999999999',
  rootId: 'r-a1b2',
};

export interface BuiltOrganization {
  readonly app: App;
  readonly stacks: KeysweepStacks;
  readonly hub: Template;
  readonly memberStackSet: Template;
  readonly management: Template;
}

/**
 * Builds the whole app as infra/app.ts does (stacks.ts), with the organization enabled: the cdk.json
 * configuration with `config` over it and `organization` over TEST_ORGANIZATION.
 */
export function buildOrganization(
  options: { config?: Record<string, unknown>; organization?: Record<string, unknown> } = {},
): BuiltOrganization {
  const keysweep = {
    ...cdkJsonConfig(),
    ...options.config,
    organization: { ...TEST_ORGANIZATION, ...options.organization },
  };
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], keysweep } });
  const stacks = buildStacks(app, configFromContext(app), TEST_VERSION);
  if (!stacks.memberStackSet || !stacks.management) throw new Error('the organization stacks were not built');
  return {
    app,
    stacks,
    hub: Template.fromStack(stacks.hub),
    memberStackSet: Template.fromStack(stacks.memberStackSet),
    management: Template.fromStack(stacks.management),
  };
}
