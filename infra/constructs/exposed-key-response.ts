/**
 * The exposure path in the hub Region: the rule on the default event bus that matches AWS Health's
 * AWS_RISK_CREDENTIALS_EXPOSED events (arriving there directly, or forwarded from us-east-1 and
 * us-west-2 by exposure-events-stack.ts), the state machine of statemachine/exposed-key.asl.json
 * (byte for byte, placeholders filled through DefinitionSubstitutions), its two functions, and the
 * alarms that tell the admins when it failed or could not start.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { KeysweepConfig } from '../../functions/shared/config';
import { functionConfigJson } from '../config';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/shared/retry-budget';
import { EXPOSED_KEY_EVENT_PATTERN } from '../exposed-keys';
import type { HubOrganizationAccess } from '../hub-organization-access';
import { acknowledge, acknowledgeWildcardResources } from '../nag';
import { EXPOSED_KEY_ASL_FILE } from '../paths';
import { toStatement, wildcardsOf, type Permission } from '../permissions';
import { exposedKeyActions } from '../sweep-iam-actions';
import { KeysweepFunction } from './keysweep-function';

const LOG_DELIVERY_WILDCARD_REASON =
  'The CloudWatch Logs delivery actions Step Functions needs for logging (logs:CreateLogDelivery, ' +
  'GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, ' +
  'DescribeResourcePolicies, DescribeLogGroups) accept only * as resource.';
const XRAY_WILDCARD_REASON =
  'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets (X-Ray ' +
  'tracing) accept only * as resource.';
const USERS_REASON =
  'An exposed key may belong to any IAM user of the account, known only when AWS Health names the key; ' +
  'user/* (users of any path, nothing but users) is the narrowest ARN that covers them.';
const RECORDS_REASON =
  'One record per exposed key and event under state/exposures/, named by a hash known only at run time; ' +
  'limited to that prefix of the report bucket.';
const RUNS_REASON =
  'Each exposure run writes its report and emails under runs/<date>/<execution name>/, names known only at run time; limited to the runs/ prefix of the report bucket.';

export interface ExposedKeyResponseProps {
  readonly config: KeysweepConfig;
  readonly version: string;
  readonly stateMachineName: string;
  readonly reportBucketName: string;
  /** object ARN patterns of the report bucket */
  readonly exposureRecordsArn: string;
  readonly runObjectsArn: string;
  readonly usersArn: string;
  /** ses:SendEmail as send-report has it (sender identities, configuration set, sandbox recipients) */
  readonly sesPermissions: readonly Permission[];
  readonly organization: HubOrganizationAccess | undefined;
  readonly alarmTopic: sns.ITopic;
}

export type ExposureFunctionName = 'DeactivateExposedKey' | 'NotifyExposure';

export class ExposedKeyResponse extends Construct {
  public readonly functions: Readonly<Record<ExposureFunctionName, KeysweepFunction>>;
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ExposedKeyResponseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, version, organization: org } = props;
    const environment = {
      KEYSWEEP_CONFIG: functionConfigJson(config),
      KEYSWEEP_VERSION: version,
      REPORT_BUCKET: props.reportBucketName,
    };

    const deactivate = new KeysweepFunction(this, 'DeactivateExposedKey', {
      name: 'deactivate-exposed-key',
      ...org?.roleOf('deactivate-exposed-key'),
      purpose:
        'claims an AWS Health exposed-key event once, finds the key’s user and deactivates the key at once, whatever its age or exemption',
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['deactivate-exposed-key']),
      memorySize: 256,
      environment,
      permissions: [
        { actions: exposedKeyActions(config), resources: [props.usersArn], wildcardReason: USERS_REASON },
        {
          // PutObject with If-None-Match claims the record; GetObject reads one that exists (412).
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [props.exposureRecordsArn],
          wildcardReason: RECORDS_REASON,
        },
        ...(org?.memberAccess ?? []),
      ],
    });
    const notify = new KeysweepFunction(this, 'NotifyExposure', {
      name: 'notify-exposure',
      purpose: 'stores what an exposure run did and emails the admins (urgent) and the owners what to do now',
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['notify-exposure']),
      memorySize: 512,
      environment,
      permissions: [
        {
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [props.exposureRecordsArn],
          wildcardReason: RECORDS_REASON,
        },
        { actions: ['s3:PutObject'], resources: [props.runObjectsArn], wildcardReason: RUNS_REASON },
        ...props.sesPermissions,
      ],
    });
    this.functions = { DeactivateExposedKey: deactivate, NotifyExposure: notify };

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under /aws/vendedlogs/ with a suffix from the stack's ID, as the sweep's (sweep-state-machine.ts).
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}-${Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))))}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(EXPOSED_KEY_ASL_FILE),
      definitionSubstitutions: {
        DeactivateExposedKeyFunctionArn: deactivate.function.functionArn,
        NotifyExposureFunctionArn: notify.function.functionArn,
        Version: version,
      },
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const functionArns = [deactivate, notify].map((f) => f.function.functionArn);
    const permissions: Permission[] = [
      {
        actions: ['lambda:InvokeFunction'],
        resources: functionArns.flatMap((arn) => [arn, `${arn}:*`]),
        wildcardReason:
          '<function ARN>:* covers the versions and aliases of each of the two exposure functions (what ' +
          "CDK's grantInvoke grants); no other function can be invoked.",
      },
    ];
    for (const permission of permissions) this.stateMachine.addToRolePolicy(toStatement(permission));
    acknowledgeWildcardResources(this.stateMachine.role, [
      ...wildcardsOf(permissions),
      { resource: '*', reason: LOG_DELIVERY_WILDCARD_REASON },
      { resource: '*', reason: XRAY_WILDCARD_REASON },
    ]);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: the one of the exposed-key rule target (EventBridge DLQs ' +
        'are not declared in a RedrivePolicy, so cdk-nag cannot see it).',
    );
    this.rule = new events.Rule(this, 'Rule', {
      description: `keysweep ${version}: starts the exposure state machine on AWS Health AWS_RISK_CREDENTIALS_EXPOSED events`,
      eventPattern: {
        source: [...EXPOSED_KEY_EVENT_PATTERN.source],
        detailType: [...EXPOSED_KEY_EVENT_PATTERN['detail-type']],
        detail: { eventTypeCode: [...EXPOSED_KEY_EVENT_PATTERN.detail.eventTypeCode] },
      },
    });
    this.rule.addTarget(
      new targets.SfnStateMachine(this.stateMachine, {
        // The whole event is the execution input: the state machine reads the event ARN, the account
        // and the keys from it.
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      this.alarms.push(created);
    };
    alarm('ExecutionsFailed', {
      metric: this.stateMachine.metricFailed({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'keysweep: an exposure run failed: an exposed access key may still be active. Open the execution ' +
        '(ExposedKeyNotHandled names the key) and deactivate the key by hand.',
    });
    alarm('DeadLetters', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'keysweep: EventBridge could not start the exposure state machine for an AWS Health exposed-key ' +
        'event; the event is in the dead-letter queue: deactivate the key it names by hand.',
    });
  }
}
