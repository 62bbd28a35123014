/**
 * The exposure path read off the templates: the rule's exact event pattern and target, the state
 * machine (its ASL file byte for byte, its substitutions), the stacks that bring AWS Health's events
 * from us-east-1 and us-west-2 to a hub elsewhere, and the exact permissions of every role of the path
 * (a missing or an extra permission fails), with cdk-nag passing on the forwarding stacks.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../../infra/config';
import { buildStacks, type KeysweepStacks } from '../../infra/stacks';
import {
  buildOrganization,
  cdkJsonConfig,
  logicalId,
  pairs,
  REPO_ROOT,
  rolePermissions,
  synthStack,
  TEST_ORGANIZATION,
  TEST_VERSION,
  type BuiltStack,
} from './build-stack';
import { acknowledgements } from './nag-helpers';

const P = 'arn:<AWS::Partition>';
const USERS = `${P}:iam::<AWS::AccountId>:user/*`;
const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const SES_IDENTITY = `${P}:ses:<AWS::Region>:<AWS::AccountId>:identity`;
const PATTERN = {
  source: ['aws.health'],
  'detail-type': ['AWS Health Event'],
  detail: { eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] },
};
const ASL = readFileSync(path.join(REPO_ROOT, 'statemachine', 'exposed-key.asl.json'), 'utf8');

type ExposureFunction = keyof BuiltStack['stack']['exposure']['functions'];

function permissionsOf(built: BuiltStack, name: ExposureFunction): string[] {
  return [...rolePermissions(built.template, logicalId(built.stack.exposure.functions[name].role))].sort();
}

function basics(built: BuiltStack, name: ExposureFunction): string[] {
  const logGroup = `<${logicalId(built.stack.exposure.functions[name].logGroup)}.Arn>`;
  return [...pairs(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup]), ...pairs(XRAY, ['*'])];
}

const expected = (...lists: string[][]) => [...new Set(lists.flat())].sort();

function bucketNames(built: BuiltStack) {
  const bucket = `<${logicalId(built.stack.reportBucket.bucket)}.Arn>`;
  return { records: `${bucket}/state/exposures/*`, runs: `${bucket}/runs/*` };
}

describe('the exposed-key rule and state machine of the hub', () => {
  let built: BuiltStack;
  beforeAll(() => {
    built = synthStack();
  });

  test('the rule matches exactly AWS Health events of type AWS_RISK_CREDENTIALS_EXPOSED', () => {
    const rule = built.template.toJSON().Resources[logicalId(built.stack.exposure.rule)] as {
      Properties: Record<string, unknown>;
    };
    expect(rule.Properties.EventPattern).toEqual(PATTERN);
    expect(rule.Properties.State).toBe('ENABLED');
    // on the default bus: no EventBusName
    expect(rule.Properties.EventBusName).toBeUndefined();
  });

  test('it starts the exposure state machine with the event as input, retried for a day, with a dead-letter queue', () => {
    const { stack } = built;
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: PATTERN,
      Targets: [
        {
          Arn: { Ref: logicalId(stack.exposure.stateMachine) },
          Id: 'Target0',
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.exposure.deadLetterQueue), 'Arn'] } },
          RoleArn: Match.anyValue(),
        },
      ],
    });
    const targets = (
      built.template.toJSON().Resources[logicalId(stack.exposure.rule)] as {
        Properties: { Targets: Record<string, unknown>[] };
      }
    ).Properties.Targets;
    // No Input, InputPath or InputTransformer: the whole event is the execution input.
    expect(Object.keys(targets[0] ?? {}).sort()).toEqual([
      'Arn',
      'DeadLetterConfig',
      'Id',
      'RetryPolicy',
      'RoleArn',
    ]);
  });

  test('the state machine is STANDARD, named from the stack, its definition the ASL file byte for byte', () => {
    const resource = built.template.toJSON().Resources[logicalId(built.stack.exposure.stateMachine)] as {
      Properties: Record<string, unknown>;
    };
    const props = resource.Properties;
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.StateMachineName).toBe('KeySweep-ExposedKey');
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    const placeholders = [...new Set([...ASL.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual(placeholders);
    expect(substitutions.DeactivateExposedKeyFunctionArn).toEqual({
      'Fn::GetAtt': [logicalId(built.stack.exposure.functions.DeactivateExposedKey.function), 'Arn'],
    });
    expect(substitutions.NotifyExposureFunctionArn).toEqual({
      'Fn::GetAtt': [logicalId(built.stack.exposure.functions.NotifyExposure.function), 'Arn'],
    });
    expect(substitutions.Version).toBe(TEST_VERSION.version);
    const location = props.DefinitionS3Location as { Key: string };
    const staged = readFileSync(path.join(built.app.synth().directory, `asset.${location.Key}`), 'utf8');
    expect(staged).toBe(ASL);
  });

  test('its failures and undeliverable events alarm to the admins', () => {
    const topic = { Ref: logicalId(built.stack.alarms.topic) };
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(built.stack.exposure.stateMachine) } }],
      Period: 300,
      Threshold: 1,
      AlarmActions: [topic],
    });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(built.stack.exposure.deadLetterQueue), 'QueueName'] },
        },
      ],
      AlarmActions: [topic],
    });
  });
});

describe('least privilege of the exposure path, default settings', () => {
  let built: BuiltStack;
  beforeAll(() => {
    built = synthStack();
  });

  test('deactivate-exposed-key finds the key’s user, reads its key and tags, deactivates it, and claims its record', () => {
    expect(permissionsOf(built, 'DeactivateExposedKey')).toEqual(
      expected(
        basics(built, 'DeactivateExposedKey'),
        pairs(
          ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:ListUserTags', 'iam:UpdateAccessKey'],
          [USERS],
        ),
        pairs(['s3:GetObject', 's3:PutObject'], [bucketNames(built).records]),
      ),
    );
  });

  test('notify-exposure reads and marks the records, writes its report under runs/, sends as the sender only', () => {
    const { records, runs } = bucketNames(built);
    expect(permissionsOf(built, 'NotifyExposure')).toEqual(
      expected(
        basics(built, 'NotifyExposure'),
        pairs(['s3:GetObject', 's3:PutObject'], [records]),
        pairs(['s3:PutObject'], [runs]),
        pairs(['ses:SendEmail'], [`${SES_IDENTITY}/keysweep@example.com`, `${SES_IDENTITY}/example.com`]),
      ),
    );
  });

  test('the exposure state machine invokes only its two functions and delivers its logs and traces', () => {
    const arns = (['DeactivateExposedKey', 'NotifyExposure'] as const)
      .map((name) => `<${logicalId(built.stack.exposure.functions[name].function)}.Arn>`)
      .flatMap((arn) => [arn, `${arn}:*`]);
    const roleId = logicalId(built.stack.exposure.stateMachine.role);
    expect([...rolePermissions(built.template, roleId)].sort()).toEqual(
      expected(
        pairs(['lambda:InvokeFunction'], arns),
        pairs(
          [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          ['*'],
        ),
        pairs([...XRAY, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], ['*']),
      ),
    );
  });

  test('the exposed-key rule may only start the exposure state machine', () => {
    const rule = built.template.toJSON().Resources[logicalId(built.stack.exposure.rule)] as {
      Properties: { Targets: { RoleArn: { 'Fn::GetAtt': [string, string] } }[] };
    };
    const roleId = rule.Properties.Targets[0]?.RoleArn['Fn::GetAtt'][0] ?? '';
    expect([...rolePermissions(built.template, roleId)]).toEqual([
      `states:StartExecution <${logicalId(built.stack.exposure.stateMachine)}>`,
    ]);
  });
});

describe('least privilege of the exposure path, other settings', () => {
  test('with exposedKeys "report" the key step cannot change a key', () => {
    const built = synthStack({ config: { exposedKeys: 'report' } });
    expect(permissionsOf(built, 'DeactivateExposedKey')).toEqual(
      expected(
        basics(built, 'DeactivateExposedKey'),
        pairs(['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:ListUserTags'], [USERS]),
        pairs(['s3:GetObject', 's3:PutObject'], [bucketNames(built).records]),
      ),
    );
  });

  test('with exemptGroups it also reads group membership, to name the exemption it overrides', () => {
    const built = synthStack({ config: { exemptGroups: ['ci'] } });
    expect(permissionsOf(built, 'DeactivateExposedKey')).toContain(`iam:ListGroupsForUser ${USERS}`);
  });

  test('in an organization it has a fixed name and may assume the member role, in the organization only', () => {
    const built = buildOrganization();
    const fn = built.stacks.hub.exposure.functions.DeactivateExposedKey;
    const role = built.hub.toJSON().Resources[logicalId(fn.role)] as { Properties: { RoleName?: string } };
    expect(role.Properties.RoleName).toBe('keysweep-deactivate-exposed-key');
    const granted = [...rolePermissions(built.hub, logicalId(fn.role))];
    expect(granted.filter((p) => p.startsWith('sts:'))).toEqual([
      `sts:AssumeRole ${P}:iam::*:role/keysweep-member if ${JSON.stringify({
        StringEquals: { 'aws:ResourceOrgID': TEST_ORGANIZATION.organizationId },
      })}`,
    ]);
    // notify-exposure works in the hub only.
    const notify = built.stacks.hub.exposure.functions.NotifyExposure;
    expect(
      [...rolePermissions(built.hub, logicalId(notify.role))].filter((p) => p.startsWith('sts:')),
    ).toEqual([]);
  });
});

/** The app as app.ts builds it, with the hub in `region`. */
function appIn(region: string | undefined): { app: App; stacks: KeysweepStacks } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], keysweep: cdkJsonConfig() } });
  const env = region === undefined ? undefined : { account: '123456789012', region };
  return { app, stacks: buildStacks(app, configFromContext(app), TEST_VERSION, env) };
}

describe('where AWS Health delivers IAM events: us-east-1, backup us-west-2', () => {
  test.each([
    ['eu-west-1', ['us-east-1', 'us-west-2']],
    ['us-east-1', ['us-west-2']],
    ['us-west-2', ['us-east-1']],
    ['us-gov-east-1', ['us-gov-west-1']],
  ])('a hub in %s gets a forwarding stack in %j', (region, forwarders) => {
    const { stacks } = appIn(region);
    expect(stacks.exposureEvents.map((s) => s.region)).toEqual(forwarders);
    expect(stacks.exposureEvents.map((s) => s.stackName)).toEqual(
      forwarders.map((r) => `KeySweepExposureEvents-${r}`),
    );
  });

  test('each forwards the same pattern to the hub Region’s default bus, with a role that may only put events there', () => {
    const { stacks } = appIn('eu-west-1');
    for (const stack of stacks.exposureEvents) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Events::Rule', 1);
      const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as {
        Properties: { EventPattern: unknown; Targets: Record<string, unknown>[] };
      };
      expect(rule.Properties.EventPattern).toEqual(PATTERN);
      const target = rule.Properties.Targets[0] as {
        Arn: unknown;
        RoleArn: { 'Fn::GetAtt': [string, string] };
        DeadLetterConfig: unknown;
      };
      expect(JSON.stringify(target.Arn)).toContain(':events:eu-west-1:');
      expect(JSON.stringify(target.Arn)).toContain(':event-bus/default');
      expect(target.DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'Arn'] },
      });
      const granted = [...rolePermissions(template, target.RoleArn['Fn::GetAtt'][0])];
      expect(granted).toHaveLength(1);
      expect(granted[0]).toMatch(
        /^events:PutEvents arn:.*:events:eu-west-1:123456789012:event-bus\/default$/,
      );
    }
  });

  test('cdk-nag passes on each forwarding stack, with only its dead-letter queue acknowledged, with a reason', () => {
    const { stacks } = appIn('eu-west-1');
    for (const stack of stacks.exposureEvents) {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
      const acks = acknowledgements(stack);
      expect(acks.map((a) => a.id)).toEqual(['AwsSolutions-SQS3']);
      for (const { reason } of acks) expect(reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  test.each([[undefined], ['cn-north-1']])(
    'a hub whose Region is %s gets no forwarding stack, and a warning that says why',
    (region) => {
      const { stacks } = appIn(region);
      expect(stacks.exposureEvents).toEqual([]);
      const warnings = Annotations.fromStack(stacks.hub).findWarning(
        '*',
        Match.stringLikeRegexp('AWS Health delivers IAM.*us-east-1'),
      );
      expect(warnings).toHaveLength(1);
    },
  );
});
