/**
 * The schedule that starts the sweep: an EventBridge rule targeting the state machine with the
 * input `{}`, retried for up to an hour, and a dead-letter queue for starts that still fail.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface SweepScheduleProps {
  /** An EventBridge schedule expression, e.g. `cron(0 8 * * ? *)`. */
  readonly schedule: string;
  readonly stateMachine: sfn.IStateMachine;
  readonly version: string;
}

export class SweepSchedule extends Construct {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: the one of the schedule rule target (EventBridge DLQs ' +
        'are not declared in a RedrivePolicy, so cdk-nag cannot see it).',
    );

    this.rule = new events.Rule(this, 'Rule', {
      schedule: events.Schedule.expression(props.schedule),
      description: `keysweep ${props.version}: starts the key sweep`,
    });
    this.rule.addTarget(
      new targets.SfnStateMachine(props.stateMachine, {
        // The state machine reads everything it needs from its configuration, not the event.
        input: events.RuleTargetInput.fromObject({}),
        maxEventAge: Duration.hours(1),
        retryAttempts: 4,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }
}
