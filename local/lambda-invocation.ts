/**
 * One Lambda invocation in a local run, with a timeout that can end it in the middle. The runner
 * runs each invocation through `run`; the simulated account's `timeOutAfter` fault calls
 * `timeOut` right after a call whose effect applied (UpdateAccessKey went through, say). From
 * then on the invocation is dead: `run` rejects at once with the task error Step Functions
 * reports for a function timeout, and the runner abandons whatever the handler does next.
 *
 * Where the local run differs from Lambda, which freezes the process: the handler keeps running
 * until it returns, but every AWS call it makes after the timeout (the one that timed out
 * included) rejects without reaching the account, so it changes nothing, and its result, logs
 * aside, goes nowhere. The runner waits for it to return before the next invocation starts
 * (one invocation at a time, as in one Lambda container).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * How a function timeout reaches Step Functions: 'Sandbox.Timedout' (the error type of newer
 * runtimes), 'Lambda.Unknown' (what the Step Functions guide documents for function timeouts),
 * or 'TimeoutError' (what @middy/core throws 5 ms before Lambda's timeout, which keysweep's
 * handlers usually reach first).
 */
export type LambdaTimeoutErrorName = 'Sandbox.Timedout' | 'Lambda.Unknown' | 'TimeoutError';

/** The task error of a timed-out invocation: its name is the task's Error, its message the Cause. */
export class LambdaTimeoutError extends Error {
  constructor(errorName: LambdaTimeoutErrorName, timeoutSeconds: number, requestId: string) {
    const text = `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
    const cause = {
      'Sandbox.Timedout': () =>
        JSON.stringify({
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: ${text}`,
        }),
      'Lambda.Unknown': () =>
        'The cause could not be determined because Lambda did not return an error type. Returned payload: ' +
        JSON.stringify({ errorMessage: `${new Date().toISOString()} ${requestId} ${text}` }),
      TimeoutError: () =>
        JSON.stringify({
          errorType: 'TimeoutError',
          errorMessage: '[AbortError]: The operation was aborted.',
        }),
    }[errorName];
    super(cause());
    this.name = errorName;
  }
}

/** What an AWS call of a timed-out invocation fails with, locally (Lambda would have frozen it). */
export class InvocationTimedOutError extends Error {
  override name = 'LocalInvocationTimedOut';
  constructor() {
    super('This Lambda invocation has timed out: the call was not made');
  }
}

const storage = new AsyncLocalStorage<LambdaInvocation>();

/** The invocation the current code runs in, if any. */
export function currentInvocation(): LambdaInvocation | undefined {
  return storage.getStore();
}

export class LambdaInvocation {
  readonly requestId = randomUUID();
  readonly startedAt = Date.now();
  /** settles when the handler has returned or thrown, timed out or not */
  finished: Promise<void> = Promise.resolve();
  private timedOutWith: LambdaTimeoutError | null = null;
  private kill: (error: Error) => void = () => undefined;
  private readonly killed = new Promise<never>((_, reject) => {
    this.kill = reject;
  });

  constructor(readonly timeoutSeconds: number) {
    this.killed.catch(() => undefined); // rejected only while `run` races it
  }

  get timedOut(): boolean {
    return this.timedOutWith !== null;
  }

  /** Time left before Lambda's timeout, as context.getRemainingTimeInMillis() reports it. */
  remainingMs(): number {
    return Math.max(0, this.timeoutSeconds * 1000 - (Date.now() - this.startedAt));
  }

  /** Ends the invocation now: `run` rejects with the timeout error, whatever the handler does next. */
  timeOut(errorName: LambdaTimeoutErrorName): void {
    if (this.timedOutWith) return;
    this.timedOutWith = new LambdaTimeoutError(errorName, this.timeoutSeconds, this.requestId);
    this.kill(this.timedOutWith);
  }

  /** Runs the handler as this invocation: its result, or the timeout error once it timed out. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const handler = storage.run(this, work);
    this.finished = handler.then(
      () => undefined,
      () => undefined,
    );
    return Promise.race([handler, this.killed]);
  }
}
