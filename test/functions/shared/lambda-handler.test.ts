import { lambdaHandler } from '../../../functions/shared/lambda-handler';
import { EXAMPLE_KEY_ID, fakeContext, FULL_KEY_ID } from '../fixtures';

describe('lambdaHandler', () => {
  it("masks key IDs in the handler's error, which keeps its class, before anyone records it", async () => {
    class KeyError extends Error {
      override name = 'KeyError';
    }
    const handler = lambdaHandler('test', async () => {
      throw new KeyError(`cannot act on ${EXAMPLE_KEY_ID}`);
    });
    const error: unknown = await handler({}, fakeContext('keysweep-test')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyError);
    expect((error as Error).message).toBe('cannot act on AKIA************MPLE');
    expect((error as Error).stack).not.toMatch(FULL_KEY_ID);
  });

  it("returns the handler's response unchanged", async () => {
    const handler = lambdaHandler('test', async () => ({ accessKeyId: EXAMPLE_KEY_ID }));
    expect(await handler({}, fakeContext('keysweep-test'))).toEqual({ accessKeyId: EXAMPLE_KEY_ID });
  });
});
