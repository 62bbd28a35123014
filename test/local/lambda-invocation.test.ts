/**
 * The local runner's Lambda invocation, which can time out in the middle (with the timeOutAfter
 * fault of the simulated account) as Lambda's timeout ends an invocation.
 */
import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { LambdaInvocation, LambdaTimeoutError } from '../../local/lambda-invocation';
import { SimulatedAccount, type Faults } from '../../local/simulated-account';
import { keyId } from '../key-ids';

const NOW = new Date('2026-11-28T08:00:00Z');
const iam = new IAMClient({});

describe('a Lambda invocation that times out (the timeOutAfter fault)', () => {
  let account: SimulatedAccount;
  afterEach(() => account.uninstall());

  function start(faults: Faults): SimulatedAccount {
    account = new SimulatedAccount(
      {
        users: [
          {
            userName: 'alice',
            accessKeys: [{ accessKeyId: keyId(1), status: 'Active', createDate: '2026-01-01T00:00:00Z' }],
          },
        ],
      },
      { now: NOW, faults },
    ).install();
    return account;
  }

  const deactivateThenList = async () => {
    await iam.send(
      new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: keyId(1), Status: 'Inactive' }),
    );
    await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    return 'returned';
  };

  it('fails right after the call, which went through, with the error Step Functions reports', async () => {
    start({ timeOutAfter: (call) => call.operation === 'UpdateAccessKey' });
    const invocation = new LambdaInvocation(30);
    const run = invocation.run(deactivateThenList);
    await expect(run).rejects.toBeInstanceOf(LambdaTimeoutError);
    await expect(run).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    const error: unknown = await run.catch((e: unknown) => e);
    expect(JSON.parse((error as Error).message)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${invocation.requestId} Error: Task timed out after 30.00 seconds`,
    });
    await invocation.finished;
    expect(invocation.timedOut).toBe(true);
    expect(account.toAccountFile().users[0]?.accessKeys?.[0]?.status).toBe('Inactive');
    // the killed invocation made no further call
    expect(account.calls.map((c) => `${c.operation} ${c.outcome}`)).toEqual(['UpdateAccessKey ok']);
  });

  it.each([
    ['Lambda.Unknown' as const, /^The cause could not be determined .*Task timed out after 30\.00 seconds/],
    ['TimeoutError' as const, /"errorType":"TimeoutError"/],
  ])('can fail as %s instead', async (lambdaTimeoutError, cause) => {
    start({ lambdaTimeoutError, timeOutAfter: (call) => call.operation === 'UpdateAccessKey' });
    const run = new LambdaInvocation(30).run(deactivateThenList);
    await expect(run).rejects.toMatchObject({
      name: lambdaTimeoutError,
      message: expect.stringMatching(cause),
    });
  });

  it('returns the handler’s result when no fault hits, with the time left counting down from the timeout', async () => {
    start({ timeOutAfter: () => false });
    const invocation = new LambdaInvocation(30);
    await expect(invocation.run(deactivateThenList)).resolves.toBe('returned');
    expect(invocation.timedOut).toBe(false);
    expect(invocation.remainingMs()).toBeLessThanOrEqual(30_000);
    expect(invocation.remainingMs()).toBeGreaterThan(0);
  });

  it('refuses to time out a call no Lambda invocation made', async () => {
    start({ timeOutAfter: (call) => call.operation === 'UpdateAccessKey' });
    await expect(deactivateThenList()).rejects.toThrow('not made by a Lambda invocation');
  });
});
