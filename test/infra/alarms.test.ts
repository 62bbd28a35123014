import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synthStack, type BuiltStack } from './build-stack';

const ADMINS = ['sec-one@example.com', 'sec-two@example.com'];

let built: BuiltStack;
let topicRef: { Ref: string };
let stateMachineDimension: { Name: string; Value: unknown }[];
beforeAll(() => {
  built = synthStack({ config: { adminEmails: ADMINS } });
  topicRef = { Ref: logicalId(built.stack.alarms.topic) };
  stateMachineDimension = [
    { Name: 'StateMachineArn', Value: { Ref: logicalId(built.stack.sweep.stateMachine) } },
  ];
});

test('there are seven alarms (five of the sweep, two of the exposure path), each notifying the topic', () => {
  const alarms = Object.values(built.template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(7);
  for (const alarm of alarms) {
    expect((alarm.Properties as Record<string, unknown>).AlarmActions).toEqual([topicRef]);
  }
});

test.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
  '%s >= 1 in an hour alarms; an hour without runs is not a failure',
  (metricName) => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: metricName,
      Dimensions: stateMachineDimension,
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  },
);

test('no successful run in 26 consecutive hours alarms, hours without data counting as no success', () => {
  built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/States',
    MetricName: 'ExecutionsSucceeded',
    Dimensions: stateMachineDimension,
    Statistic: 'Sum',
    Period: 3600,
    EvaluationPeriods: 26,
    DatapointsToAlarm: 26,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
    AlarmActions: [topicRef],
  });
});

test('a message in the schedule dead-letter queue alarms', () => {
  built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [
      {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [logicalId(built.stack.schedule.deadLetterQueue), 'QueueName'] },
      },
    ],
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicRef],
  });
});

test('every admin is subscribed to the topic by email', () => {
  const subscriptions = Object.values(built.template.findResources('AWS::SNS::Subscription')).map(
    (s) => s.Properties as Record<string, unknown>,
  );
  expect(subscriptions).toHaveLength(ADMINS.length);
  expect(subscriptions).toEqual(
    expect.arrayContaining(
      ADMINS.map((email) => ({ Protocol: 'email', Endpoint: email, TopicArn: topicRef })),
    ),
  );
});

test('the topic is encrypted with a rotating customer managed key that CloudWatch may use', () => {
  const keyId = logicalId(built.stack.alarms.topic.masterKey ?? built.stack.alarms.topic);
  built.template.hasResourceProperties('AWS::SNS::Topic', {
    KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
  });
  built.template.hasResourceProperties('AWS::KMS::Key', {
    EnableKeyRotation: true,
    KeyPolicy: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    },
  });
});

test('the topic accepts TLS publishing only, and CloudWatch alarms of this account', () => {
  built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    Topics: [topicRef],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        Match.objectLike({
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: {
            ArnLike: { 'aws:SourceArn': Match.anyValue() },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        }),
      ]),
    },
  });
});
