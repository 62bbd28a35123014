import {
  IAMClient,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { tracer } from '../../../functions/shared/observability';
import {
  REDACT_KEY_IDS_MIDDLEWARE,
  redactKeyIdsInError,
  redactKeyIdsInSdkErrors,
} from '../../../functions/shared/redact-errors';
import { EXAMPLE_KEY_ID, FULL_KEY_ID } from '../fixtures';

const MASKED = 'AKIA************MPLE';

describe('redactKeyIdsInError', () => {
  it('masks key IDs in the message, the stack and other text fields, and keeps the class and name', () => {
    const error = new NoSuchEntityException({
      message: `The Access Key with id ${EXAMPLE_KEY_ID} cannot be found.`,
      $metadata: { httpStatusCode: 404 },
    });
    Object.assign(error, { Message: error.message });
    expect(error.stack).toContain(EXAMPLE_KEY_ID); // V8 writes the message into the stack

    redactKeyIdsInError(error);

    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error.name).toBe('NoSuchEntityException');
    expect(error.message).toBe(`The Access Key with id ${MASKED} cannot be found.`);
    expect(error.stack).not.toMatch(FULL_KEY_ID);
    expect(error.stack).toContain(MASKED);
    expect((error as unknown as { Message: string }).Message).toBe(error.message);
    expect(error.$metadata).toEqual({ httpStatusCode: 404 });
  });

  it('leaves anything that is not an Error alone', () => {
    const thrown = { message: EXAMPLE_KEY_ID };
    redactKeyIdsInError(thrown);
    redactKeyIdsInError(EXAMPLE_KEY_ID);
    redactKeyIdsInError(undefined);
    expect(thrown.message).toBe(EXAMPLE_KEY_ID);
  });
});

describe('redactKeyIdsInSdkErrors', () => {
  /** A client whose HTTP answer is IAM's own error document (so the SDK's deserializer makes the error). */
  function iamAnswering(status: number, code: string, message: string): IAMClient {
    const body = new TextEncoder().encode(
      `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
        `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    );
    return new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: { statusCode: status, headers: { 'content-type': 'text/xml' }, body },
        }),
      },
    });
  }

  it("masks key IDs in a call's error, which keeps its class", async () => {
    const client = redactKeyIdsInSdkErrors(
      iamAnswering(404, 'NoSuchEntity', `The Access Key with id ${EXAMPLE_KEY_ID} cannot be found.`),
    );
    const error: unknown = await client
      .send(
        new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: EXAMPLE_KEY_ID, Status: 'Inactive' }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect((error as Error).message).toBe(`The Access Key with id ${MASKED} cannot be found.`);
    expect((error as Error).stack).not.toMatch(FULL_KEY_ID);
  });

  it('without it, the same error holds the full key ID (what X-Ray would record)', async () => {
    const client = iamAnswering(
      404,
      'NoSuchEntity',
      `The Access Key with id ${EXAMPLE_KEY_ID} cannot be found.`,
    );
    const error: unknown = await client
      .send(new ListAccessKeysCommand({ UserName: 'alice' }))
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(EXAMPLE_KEY_ID);
  });

  it("runs inside the X-Ray SDK's middleware (which records the error) and outside the retries", () => {
    // The X-Ray SDK instruments the client whether tracing is on or not: only its position matters.
    const client = redactKeyIdsInSdkErrors(tracer.provider.captureAWSv3Client(new IAMClient({})));
    const order = client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
    const at = (name: string) => order.indexOf(name);
    expect(at('XRaySDKInstrumentation')).toBeGreaterThanOrEqual(0);
    expect(at(REDACT_KEY_IDS_MIDDLEWARE)).toBeGreaterThan(at('XRaySDKInstrumentation'));
    expect(at(REDACT_KEY_IDS_MIDDLEWARE)).toBeLessThan(at('retryMiddleware'));
  });
});
