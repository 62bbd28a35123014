/**
 * cdk-nag (AWS Solutions rules) finds nothing that is not acknowledged, every acknowledgement
 * has a specific reason, and every AwsSolutions-IAM5 acknowledgement matches a real wildcard.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStack } from './build-stack';
import { acknowledgements, wildcardResources } from './nag-helpers';

describe.each([
  { label: 'environment-agnostic, default configuration', config: {}, env: undefined, context: {} },
  {
    label: 'in an account and region, with every optional permission',
    config: { exemptGroups: ['break-glass'], deleteAfterDays: 365, notifyOwners: true, mode: 'report' },
    env: { account: '123456789012', region: 'eu-west-1' },
    context: { '@aws-cdk/core:enablePartitionLiterals': true },
  },
])('$label', ({ config, env, context }) => {
  let stack: Stack;
  beforeAll(() => {
    stack = buildStack({ config, env, extraContext: context });
  });

  test('the AWS Solutions rules report no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(
      report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('synthesis with the rules as a validation plugin succeeds and leaves no error or warning', () => {
    Validations.of(stack.node.root).addPlugins(new AwsSolutionsChecks(stack.node.root, { verbose: true }));
    expect(() => (stack.node.root as App).synth()).not.toThrow();
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual(
      [],
    );
  });

  test('every acknowledgement has a specific reason', () => {
    const all = acknowledgements(stack);
    expect(all.length).toBeGreaterThan(0);
    for (const { path, id, reason } of all) {
      expect({ path, id, reasonLength: reason.trim().length >= 40 }).toEqual({
        path,
        id,
        reasonLength: true,
      });
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
    }
  });

  test('only the expected rules are acknowledged', () => {
    const rules = new Set(acknowledgements(stack).map(({ id }) => id.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
    ]);
  });

  test('each AwsSolutions-IAM5 acknowledgement names a wildcard resource its role really has', () => {
    const iam5 = acknowledgements(stack).filter(({ id }) => id.startsWith('AwsSolutions-IAM5['));
    expect(iam5.length).toBeGreaterThan(0);
    for (const { construct, id } of iam5) {
      const finding = /^AwsSolutions-IAM5\[Resource::(.+)\]$/.exec(id)?.[1];
      expect(finding).toBeDefined();
      expect([...wildcardResources(construct)]).toContain(finding);
    }
  });

  test('"accept only * as resource" is said of * only, for actions that accept nothing else', () => {
    for (const { id, reason } of acknowledgements(stack)) {
      if (id === 'AwsSolutions-IAM5[Resource::*]') expect(reason).toMatch(/accept only \* as resource/);
    }
  });
});
