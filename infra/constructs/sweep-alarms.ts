/**
 * Alarms that tell the admins when the sweep is not doing its job: a run failed, timed out or
 * was aborted, no run succeeded for 26 hours, or the schedule could not start a run. Each
 * alarm notifies an SNS topic (KMS-encrypted, TLS-only) with every admin subscribed by email.
 */
import { Duration, Stack, ArnFormat } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** A run is expected at least daily; 26 hours leaves two hours for a late or slow run. */
export const NO_SUCCESS_WINDOW_HOURS = 26;

export interface SweepAlarmsProps {
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.IQueue;
  readonly adminEmails: readonly string[];
}

export class SweepAlarms extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: SweepAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    // A customer managed key: CloudWatch alarms cannot publish to a topic encrypted with the
    // AWS managed key alias/aws/sns, whose key policy cannot be extended.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'keysweep: encrypts the alarm notification topic',
      enableKeyRotation: true,
    });
    key.grant(cloudwatchPrincipal, 'kms:Decrypt', 'kms:GenerateDataKey*');

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'keysweep alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        effect: iam.Effect.ALLOW,
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    for (const email of props.adminEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    // Hourly periods: a failed run alarms within minutes of ending, and the alarm returns to OK
    // an hour later, so a failure on the next day is a new notification. An hour without runs
    // is missing data, which is not a failure.
    const hourly = { period: Duration.hours(1), statistic: cloudwatch.Stats.SUM };
    const sm = props.stateMachine;
    this.addAlarm('ExecutionsFailed', {
      metric: sm.metricFailed(hourly),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'keysweep: a sweep failed (keys that could not be handled, the action limit, or an error); ' +
        'the summary email and the execution in the Step Functions console say why.',
    });
    this.addAlarm('ExecutionsTimedOut', {
      metric: sm.metricTimedOut(hourly),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'keysweep: a sweep timed out; it may not have sent its summary email.',
    });
    this.addAlarm('ExecutionsAborted', {
      metric: sm.metricAborted(hourly),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'keysweep: a sweep was stopped before it finished; it may not have sent its email.',
    });
    // 26 hourly periods, all of which must have no success (Sum < 1): the alarm fires only when
    // no run succeeded in 26 consecutive hours. An hour without data (no run ended) breaches.
    this.addAlarm('NoRecentSuccess', {
      metric: sm.metricSucceeded(hourly),
      threshold: 1,
      evaluationPeriods: NO_SUCCESS_WINDOW_HOURS,
      datapointsToAlarm: NO_SUCCESS_WINDOW_HOURS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `keysweep: no sweep succeeded in the last ${NO_SUCCESS_WINDOW_HOURS} hours.`,
    });
    // SQS emits queue metrics every 5 minutes while the queue is active; a queue idle for hours
    // may stop reporting, which means it is empty.
    this.addAlarm('ScheduleDeadLetters', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'keysweep: the schedule could not start a sweep; the event is in the dead-letter queue.',
    });
  }

  private addAlarm(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
