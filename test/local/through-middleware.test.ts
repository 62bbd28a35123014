import { IAMClient, ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { SimulatedAccount, type AccountFile } from '../../local/simulated-account';
import { EXAMPLE_KEY_ID } from '../key-ids';

const NOW = new Date('2026-11-28T08:00:00Z');
const FILE: AccountFile = {
  users: [
    {
      userName: 'alice',
      accessKeys: [{ accessKeyId: EXAMPLE_KEY_ID, status: 'Active', createDate: '2026-05-01T10:00:00Z' }],
    },
  ],
};

/** A client that notes each middleware step a call passes. */
function probedClient(): { client: IAMClient; steps: string[] } {
  const client = new IAMClient({});
  const steps: string[] = [];
  const probe =
    (step: string) =>
    <A, R>(next: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      steps.push(step);
      try {
        return await next(args);
      } catch (error) {
        steps.push(`${step} saw ${(error as Error).name}`);
        throw error;
      }
    };
  const stack = client.middlewareStack;
  stack.add(probe('initialize'), { step: 'initialize', name: 'probe-initialize' });
  stack.add(probe('serialize'), { step: 'serialize', name: 'probe-serialize' });
  stack.add(probe('build'), { step: 'build', name: 'probe-build' });
  stack.add(probe('finalizeRequest'), { step: 'finalizeRequest', name: 'probe-finalizeRequest' });
  stack.add(probe('deserialize'), { step: 'deserialize', name: 'probe-deserialize' });
  return { client, steps };
}

let account: SimulatedAccount | undefined;
afterEach(() => account?.uninstall());

describe('SimulatedAccount with sdkMiddleware', () => {
  it("runs a call through the client's initialize, serialize and build steps, and answers it", async () => {
    const { client, steps } = probedClient();
    account = new SimulatedAccount(FILE, { now: NOW, sdkMiddleware: true }).install();
    const output = await client.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(output.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([EXAMPLE_KEY_ID]);
    expect(output.$metadata.httpStatusCode).toBe(200);
    // Nothing of finalizeRequest (retries, signing, HTTP) or deserialize.
    expect(steps).toEqual(['initialize', 'serialize', 'build']);
    expect(account.callCounts()).toEqual({ 'IAM.ListAccessKeys': 1 });
  });

  it('passes errors back through those steps, once (no SDK retry)', async () => {
    const { client, steps } = probedClient();
    account = new SimulatedAccount(FILE, { now: NOW, sdkMiddleware: true }).install();
    await expect(client.send(new ListAccessKeysCommand({ UserName: 'nobody' }))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    );
    expect(steps).toEqual([
      'initialize',
      'serialize',
      'build',
      'build saw NoSuchEntityException',
      'serialize saw NoSuchEntityException',
      'initialize saw NoSuchEntityException',
    ]);
  });

  it('by default, a call bypasses the middleware', async () => {
    const { client, steps } = probedClient();
    account = new SimulatedAccount(FILE, { now: NOW }).install();
    await client.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(steps).toEqual([]);
  });
});
