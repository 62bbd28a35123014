import { logicalId, synthStack, type BuiltStack } from './build-stack';

let built: Record<'cron' | 'rate', BuiltStack>;
beforeAll(() => {
  built = { cron: synthStack(), rate: synthStack({ config: { schedule: 'rate(12 hours)' } }) };
});

test.each([
  { variant: 'cron', schedule: 'cron(0 8 * * ? *)' },
  { variant: 'rate', schedule: 'rate(12 hours)' },
] as const)(
  '$schedule starts the state machine with the input {}, retried, with a DLQ',
  ({ variant, schedule }) => {
    const { stack, template } = built[variant];
    // the schedule and the exposed-key rule (exposed-key.test.ts)
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: schedule,
      State: 'ENABLED',
      Targets: [
        {
          Arn: { Ref: logicalId(stack.sweep.stateMachine) },
          Input: '{}',
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 4 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.schedule.deadLetterQueue), 'Arn'] } },
          Id: 'Target0',
          RoleArn: {
            'Fn::GetAtt': [logicalId(stack.sweep.stateMachine.node.findChild('EventsRole')), 'Arn'],
          },
        },
      ],
    });
  },
);

describe('the dead-letter queue of the schedule', () => {
  test('is encrypted and keeps messages 14 days', () => {
    const { template } = built.cron;
    const { stack } = built.cron;
    expect(template.toJSON().Resources[logicalId(stack.schedule.deadLetterQueue)]).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
    });
  });

  test('accepts TLS requests only, and messages only from the schedule rule', () => {
    const { stack, template } = built.cron;
    const queueId = logicalId(stack.schedule.deadLetterQueue);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter(
      (p) =>
        JSON.stringify((p.Properties as { Queues: unknown[] }).Queues) === JSON.stringify([{ Ref: queueId }]),
    );
    expect(policies).toHaveLength(1);
    const policy = policies[0]?.Properties as {
      Queues: unknown[];
      PolicyDocument: { Statement: Record<string, unknown>[] };
    };
    expect(policy.Queues).toEqual([{ Ref: queueId }]);
    expect(policy.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack.schedule.rule), 'Arn'] } },
          },
        }),
      ]),
    );
    expect(policy.PolicyDocument.Statement).toHaveLength(2);
  });
});
