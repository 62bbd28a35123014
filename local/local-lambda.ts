/**
 * One Lambda invocation in a local run, as a `lambda:invoke` task makes it: the handler runs as its
 * function's principal (callers.ts), inside a LambdaInvocation with its function's timeout, one
 * invocation at a time (the Powertools logger and metrics are module singletons, as in one
 * container), with a Lambda context and, when the run traces, a fresh trace ID. A handler's error
 * reaches the task as Lambda reports it (the error type as the task's Error, a JSON cause), and a
 * result over Step Functions' 256 KiB fails the state. Shared by the sweep and the organization run
 * (execute-sweep.ts) and the exposure path (execute-exposure.ts).
 */
import type { Context } from 'aws-lambda';
import {
  FUNCTION_TIMEOUT_SECONDS,
  ORGANIZATION_FUNCTION_TIMEOUT_SECONDS,
} from '../functions/shared/retry-budget';
import { runAs, type AnyFunctionName, type OrganizationFunctionName } from './callers';
import { LambdaInvocation, LambdaTimeoutError } from './lambda-invocation';
import { startTracedInvocation } from './lambda-trace-env';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '123456789012';

export const stateMachineArn = (name: string): string =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;

export const functionArn = (name: AnyFunctionName): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:keysweep-${name}`;

export type LambdaFn = (event: unknown, context: Context) => Promise<unknown>;

/** Lambda's own error shape: the task fails with the function's error type, and a JSON cause. */
export class LambdaFunctionError extends Error {
  constructor(error: unknown) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    super(JSON.stringify({ errorType: name, errorMessage: message }));
    this.name = name;
  }
}

/** Step Functions refuses a state result over 256 KiB. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

class DataLimitExceededError extends Error {
  override name = 'States.DataLimitExceeded';
}

/** Throws as Step Functions fails a state whose result is over 256 KiB. */
export function guardSize(stateName: string, value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new DataLimitExceededError(`${stateName} returned ${bytes} bytes, over the 256 KiB state limit`);
  }
}

const timeoutSecondsOf = (name: AnyFunctionName): number =>
  (FUNCTION_TIMEOUT_SECONDS as Record<string, number>)[name] ??
  ORGANIZATION_FUNCTION_TIMEOUT_SECONDS[name as OrganizationFunctionName];

function fakeLambdaContext(name: AnyFunctionName, invocation: LambdaInvocation): Context {
  startTracedInvocation(name); // a no-op unless the run traces
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `keysweep-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(name),
    memoryLimitInMB: '512',
    awsRequestId: invocation.requestId,
    logGroupName: `/aws/lambda/keysweep-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => invocation.remainingMs(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One invocation at a time, as in a single Lambda container. */
export function serialized(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}

/** Invokes `handler` as function `name` would be invoked by a lambda:invoke task; the task's output. */
export async function invokeLocally(
  name: AnyFunctionName,
  handler: LambdaFn,
  payload: unknown,
  oneAtATime: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<{ ExecutedVersion: string; Payload: unknown; StatusCode: number }> {
  let result: unknown;
  try {
    // A timed-out invocation (the timeOutAfter fault) fails at once and its result is abandoned;
    // the next invocation waits until its handler has returned all the same.
    result = await oneAtATime(async () => {
      const invocation = new LambdaInvocation(timeoutSecondsOf(name));
      try {
        return await invocation.run(() =>
          runAs({ kind: 'function', name }, () => handler(payload, fakeLambdaContext(name, invocation))),
        );
      } finally {
        await invocation.finished;
      }
    });
  } catch (error) {
    if (error instanceof LambdaTimeoutError) throw error;
    throw new LambdaFunctionError(error);
  }
  return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
}
