import { startTracedInvocation } from '../../local/lambda-trace-env';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['LAMBDA_TASK_ROOT', '_X_AMZN_TRACE_ID', '_HANDLER']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('startTracedInvocation', () => {
  it('does nothing unless the X-Ray SDK runs in Lambda mode (LAMBDA_TASK_ROOT)', () => {
    delete process.env.LAMBDA_TASK_ROOT;
    delete process.env._X_AMZN_TRACE_ID;
    startTracedInvocation('list-users');
    expect(process.env._X_AMZN_TRACE_ID).toBeUndefined();
  });

  it('gives each invocation a fresh sampled trace header and names its handler', () => {
    process.env.LAMBDA_TASK_ROOT = '/var/task';
    const header = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/;
    startTracedInvocation('list-users');
    const first = process.env._X_AMZN_TRACE_ID;
    expect(first).toMatch(header);
    expect(process.env._HANDLER).toBe('functions/list-users/handler.handler');
    startTracedInvocation('send-report');
    expect(process.env._X_AMZN_TRACE_ID).toMatch(header);
    expect(process.env._X_AMZN_TRACE_ID).not.toBe(first);
    expect(process.env._HANDLER).toBe('functions/send-report/handler.handler');
  });
});
