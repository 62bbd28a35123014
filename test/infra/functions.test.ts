import { parseConfig } from '../../functions/shared/config';
import { functionConfigJson } from '../../infra/config';
import { cdkJsonConfig, logicalId, synthStack, TEST_VERSION, type BuiltStack } from './build-stack';

const EXPECTED = [
  { name: 'ListUsers', timeout: 600, memory: 512, bucket: true },
  { name: 'FindStaleKeys', timeout: 300, memory: 512, bucket: true },
  { name: 'CheckActionLimit', timeout: 30, memory: 256, bucket: false },
  { name: 'DeactivateKey', timeout: 40, memory: 256, bucket: false },
  { name: 'SendReport', timeout: 900, memory: 1024, bucket: true },
] as const;

let built: BuiltStack;
beforeAll(() => {
  built = synthStack();
});

function functionProps(name: (typeof EXPECTED)[number]['name']): Record<string, unknown> {
  const id = logicalId(built.stack.functions[name].function);
  const resource = built.template.toJSON().Resources[id] as { Properties: Record<string, unknown> };
  return resource.Properties;
}

test('the stack has exactly the five sweep functions and the two of the exposure path', () => {
  built.template.resourceCountIs('AWS::Lambda::Function', 7);
});

describe.each(EXPECTED)('$name', ({ name, timeout, memory, bucket }) => {
  test('runs Node.js 22 (or newer) on arm64 with active tracing, its timeout and memory', () => {
    const props = functionProps(name);
    expect(props.Runtime).toMatch(/^nodejs(\d+)\.x$/);
    expect(Number(/^nodejs(\d+)/.exec(String(props.Runtime))?.[1])).toBeGreaterThanOrEqual(22);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    expect(props.Timeout).toBe(timeout);
    expect(props.MemorySize).toBe(memory);
    expect(props.Handler).toBe('index.handler');
  });

  test('describes itself with the version', () => {
    const description = String(functionProps(name).Description);
    expect(description.startsWith(`keysweep ${TEST_VERSION.version}: `)).toBe(true);
    expect(description.length).toBeGreaterThan(`keysweep ${TEST_VERSION.version}: `.length + 20);
  });

  test('gets the configuration, the version and (when it needs it) the report bucket', () => {
    const variables = (functionProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(parseConfig(JSON.parse(String(variables.KEYSWEEP_CONFIG)), 'test')).toEqual(
      parseConfig(cdkJsonConfig(), 'test'),
    );
    const expected: Record<string, unknown> = {
      // organization.planPrincipals left out (no function reads it); parsing it back restores its default.
      KEYSWEEP_CONFIG: functionConfigJson(parseConfig(cdkJsonConfig(), 'test')),
      KEYSWEEP_VERSION: TEST_VERSION.version,
      POWERTOOLS_SERVICE_NAME: 'keysweep',
      POWERTOOLS_METRICS_NAMESPACE: 'keysweep',
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (bucket) expected.REPORT_BUCKET = { Ref: logicalId(built.stack.reportBucket.bucket) };
    expect(variables).toEqual(expected);
  });

  test('logs to its own log group, kept one year and retained', () => {
    const logGroupId = logicalId(built.stack.functions[name].logGroup);
    expect(functionProps(name).LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    const logGroup = built.template.toJSON().Resources[logGroupId] as Record<string, unknown>;
    expect(logGroup).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has a role of its own', () => {
    const roleId = logicalId(built.stack.functions[name].role);
    expect(functionProps(name).Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const others = EXPECTED.filter((e) => e.name !== name).map((e) =>
      logicalId(built.stack.functions[e.name].role),
    );
    expect(others).not.toContain(roleId);
  });
});
