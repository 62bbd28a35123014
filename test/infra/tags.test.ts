import { synthStack, TEST_VERSION, type BuiltStack } from './build-stack';

const EXPECTED_TAGS = {
  Project: 'keysweep',
  'keysweep:version': TEST_VERSION.version,
  'keysweep:commit': TEST_VERSION.commit,
};

let built: BuiltStack;
beforeAll(() => {
  built = synthStack();
});

test('the stack carries the project, version and commit tags', () => {
  const artifact = built.app.synth().getStackByName(built.stack.stackName);
  expect(artifact.tags).toEqual(EXPECTED_TAGS);
});

test('taggable resources carry them too', () => {
  const expected = Object.entries(EXPECTED_TAGS).map(([Key, Value]) => ({ Key, Value }));
  const taggable = [
    'AWS::Lambda::Function',
    'AWS::StepFunctions::StateMachine',
    'AWS::S3::Bucket',
    'AWS::Events::Rule',
    'AWS::SNS::Topic',
  ];
  for (const type of taggable) {
    for (const resource of Object.values(built.template.findResources(type))) {
      const tags = (resource.Properties as { Tags?: unknown[] }).Tags;
      expect(tags).toHaveLength(expected.length);
      expect(tags).toEqual(expect.arrayContaining(expected));
    }
  }
});
