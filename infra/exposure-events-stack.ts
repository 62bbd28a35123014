/**
 * A stack of one rule, in a Region where AWS Health delivers IAM's events (us-east-1, and us-west-2 as
 * the backup) when the hub is elsewhere: it forwards AWS_RISK_CREDENTIALS_EXPOSED events to the hub
 * Region's default event bus, where the hub stack's rule starts the exposure state machine
 * (exposed-keys.ts). Same account as the hub: a cross-Region bus target needs a role allowed
 * events:PutEvents on that bus and no resource policy on it (EventBridge User Guide, "Sending and
 * receiving events between AWS Regions"). Events EventBridge cannot forward go to a dead-letter queue
 * here, after EventBridge's retries (24 hours); an alarm in this Region could not notify the hub's
 * topic, so the README says to look at it.
 */
import { ArnFormat, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EXPOSED_KEY_EVENT_PATTERN } from './exposed-keys';
import { acknowledge } from './nag';

export interface ExposureEventsStackProps extends StackProps {
  /** the hub's Region, where the events are sent */
  readonly hubRegion: string;
  readonly version: string;
}

export class ExposureEventsStack extends Stack {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  /** the hub Region's default event bus */
  public readonly targetBusArn: string;

  constructor(scope: Construct, id: string, props: ExposureEventsStackProps) {
    super(scope, id, props);
    Tags.of(this).add('Project', 'keysweep');
    Tags.of(this).add('keysweep:version', props.version);
    this.targetBusArn = this.formatArn({
      service: 'events',
      region: props.hubRegion,
      resource: 'event-bus',
      resourceName: 'default',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: the one of the rule that forwards exposed-key events to the ' +
        'hub Region (EventBridge DLQs are not declared in a RedrivePolicy, so cdk-nag cannot see it).',
    );
    this.rule = new events.Rule(this, 'Rule', {
      description: `keysweep ${props.version}: forwards AWS Health AWS_RISK_CREDENTIALS_EXPOSED events to ${props.hubRegion}`,
      eventPattern: {
        source: [...EXPOSED_KEY_EVENT_PATTERN.source],
        detailType: [...EXPOSED_KEY_EVENT_PATTERN['detail-type']],
        detail: { eventTypeCode: [...EXPOSED_KEY_EVENT_PATTERN.detail.eventTypeCode] },
      },
    });
    this.rule.addTarget(
      new targets.EventBus(events.EventBus.fromEventBusArn(this, 'HubBus', this.targetBusArn), {
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }
}
