/**
 * Runs a call through the client's own middleware stack and answers it from the simulated account
 * where the SDK would retry, sign and send the request: everything the SDK and its users add in
 * the initialize, serialize and build steps runs (serialization, the X-Ray SDK's instrumentation,
 * keysweep's error redaction), nothing of finalizeRequest or deserialize does (no retries, no
 * signing, no HTTP, no response parsing: the simulator's answer is the output, its error the
 * error).
 *
 * aws-sdk-client-mock stubs `send` on the client class's prototype; the SDK's own `send`, which
 * resolves the middleware stack, is still there one prototype further up.
 */

/** Where the simulated account answers: just before the retry middleware, the first of finalizeRequest. */
const ANSWER_BEFORE = 'retryMiddleware';
const ANSWER_MIDDLEWARE = 'simulatedAccountAnswer';

interface CommandLike {
  middlewareStack: {
    addRelativeTo(
      middleware: () => () => Promise<{ output: unknown; response: object }>,
      options: { relation: 'before'; toMiddleware: string; name: string; override: boolean },
    ): void;
  };
}

type Send = (this: unknown, command: unknown) => Promise<unknown>;

function isCommandLike(command: unknown): command is CommandLike {
  if (command === null || typeof command !== 'object') return false;
  const stack: unknown = Reflect.get(command, 'middlewareStack');
  return (
    stack !== null && typeof stack === 'object' && typeof Reflect.get(stack, 'addRelativeTo') === 'function'
  );
}

/** The SDK's `send` of the client, past the stub on its class's prototype. */
function sdkSend(client: object): Send {
  const stubbedPrototype: unknown = Object.getPrototypeOf(client);
  const base: unknown = stubbedPrototype === null ? null : Object.getPrototypeOf(stubbedPrototype);
  const send: unknown = base === null ? undefined : Reflect.get(base as object, 'send');
  if (typeof send !== 'function') throw new Error('The simulated account cannot find the SDK client send()');
  return send as Send;
}

export function sendThroughMiddleware(
  client: unknown,
  command: unknown,
  answer: () => Promise<unknown>,
): Promise<unknown> {
  if (client === null || typeof client !== 'object' || !isCommandLike(command)) {
    throw new Error('The simulated account can run only SDK v3 commands sent by an SDK v3 client');
  }
  command.middlewareStack.addRelativeTo(() => async () => ({ output: await answer(), response: {} }), {
    relation: 'before',
    toMiddleware: ANSWER_BEFORE,
    name: ANSWER_MIDDLEWARE,
    override: true,
  });
  return sdkSend(client).call(client, command);
}
