import { Match } from 'aws-cdk-lib/assertions';
import { synthStack, type BuiltStack } from './build-stack';

let built: BuiltStack;
beforeAll(() => {
  built = synthStack();
});

test('the stack outputs what an operator looks for first: the bucket, the state machine, the alarm topic', () => {
  const outputs = built.template.findOutputs('*');
  expect(Object.keys(outputs).sort()).toEqual([
    'AlarmTopicArn',
    'ExposureStateMachineArn',
    'ReportBucketName',
    'StateMachineArn',
  ]);
  built.template.hasOutput('ReportBucketName', {
    Value: { Ref: Match.stringLikeRegexp('^ReportBucket') },
  });
  built.template.hasOutput('StateMachineArn', { Value: { Ref: Match.stringLikeRegexp('KeySweep') } });
  built.template.hasOutput('ExposureStateMachineArn', {
    Value: { Ref: Match.stringLikeRegexp('ExposedKeys') },
  });
  built.template.hasOutput('AlarmTopicArn', { Value: { Ref: Match.stringLikeRegexp('Alarms') } });
});
