import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { logicalId, REPO_ROOT, synthStack, TEST_VERSION, type BuiltStack } from './build-stack';

const ASL_FILE = path.join(REPO_ROOT, 'statemachine', 'key-sweep.asl.json');
const asl = readFileSync(ASL_FILE, 'utf8');

/** The Lambda function behind each `${<Name>FunctionArn}` placeholder. */
const FUNCTION_PLACEHOLDERS = {
  ListUsersFunctionArn: 'ListUsers',
  FindStaleKeysFunctionArn: 'FindStaleKeys',
  CheckActionLimitFunctionArn: 'CheckActionLimit',
  DeactivateKeyFunctionArn: 'DeactivateKey',
  SendReportFunctionArn: 'SendReport',
} as const;

let built: BuiltStack;
let properties: Record<string, unknown>;
beforeAll(() => {
  built = synthStack();
  const resource = built.template.toJSON().Resources[logicalId(built.stack.sweep.stateMachine)] as {
    Properties: Record<string, unknown>;
  };
  properties = resource.Properties;
});

test('the sweep is a STANDARD state machine, named from the stack (the other is the exposure path)', () => {
  built.template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
  expect(properties.StateMachineType).toBe('STANDARD');
  expect(properties.StateMachineName).toBe('KeySweep-KeySweep');
});

test('every placeholder of the ASL file is substituted, and nothing else', () => {
  const placeholders = new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const substitutions = properties.DefinitionSubstitutions as Record<string, unknown>;
  expect(Object.keys(substitutions).sort()).toEqual([...placeholders].sort());
  // No `${` that the pattern above would miss (a placeholder with other characters).
  expect(asl.split('${').length - 1).toBe([...asl.matchAll(/\$\{(\w+)\}/g)].length);
});

test('the placeholders get the right functions, the report bucket and the version', () => {
  const substitutions = properties.DefinitionSubstitutions as Record<string, unknown>;
  for (const [placeholder, name] of Object.entries(FUNCTION_PLACEHOLDERS)) {
    expect(substitutions[placeholder]).toEqual({
      'Fn::GetAtt': [logicalId(built.stack.functions[name].function), 'Arn'],
    });
  }
  expect(substitutions.ReportBucketName).toEqual({ Ref: logicalId(built.stack.reportBucket.bucket) });
  expect(substitutions.Version).toBe(TEST_VERSION.version);
});

test('the definition deployed is the ASL file, byte for byte', () => {
  expect(properties.DefinitionString).toBeUndefined();
  const location = properties.DefinitionS3Location as { Key: string };
  const assembly = built.app.synth();
  const staged = readFileSync(path.join(assembly.directory, `asset.${location.Key}`), 'utf8');
  expect(staged).toBe(asl);
});

test('logs every event to a log group kept a year, without execution data', () => {
  const logGroupId = logicalId(built.stack.sweep.logGroup);
  expect(properties.LoggingConfiguration).toEqual({
    Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
    IncludeExecutionData: false,
    Level: 'ALL',
  });
  expect(built.template.toJSON().Resources[logGroupId]).toMatchObject({
    Properties: { RetentionInDays: 365 },
    DeletionPolicy: 'Retain',
  });
});

test('traces with X-Ray', () => {
  expect(properties.TracingConfiguration).toEqual({ Enabled: true });
});

test('runs with its own role', () => {
  expect(properties.RoleArn).toEqual({
    'Fn::GetAtt': [logicalId(built.stack.sweep.stateMachine.role), 'Arn'],
  });
});

test('its log group is named under /aws/vendedlogs/states/, unique to the stack, so a retained group never blocks a redeploy', () => {
  const group = built.template.toJSON().Resources[logicalId(built.stack.sweep.logGroup)] as {
    Properties: { LogGroupName: unknown };
  };
  // Step Functions best practice "Avoiding CloudWatch Logs resource policy size restrictions".
  expect(group.Properties.LogGroupName).toEqual({
    'Fn::Join': [
      '',
      [
        '/aws/vendedlogs/states/KeySweep-KeySweep-',
        {
          'Fn::Select': [
            0,
            { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] },
          ],
        },
      ],
    ],
  });
});
