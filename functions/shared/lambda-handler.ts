/**
 * The middy wrapper every handler uses: Powertools logging with the execution name as
 * correlation ID, metrics flushed per invocation, X-Ray tracing. The logic stays a plain
 * async function of the event.
 *
 * What the trace records of an invocation: a `## <handler>` subsegment with the ColdStart and
 * Service annotations and, when the handler fails, its error (type, message, stack) with key IDs
 * masked; never the handler's response. A response may carry full key IDs (deactivate-key
 * returns the key it handled; send-report's `cause` repeats a failed sweep's error text), and the
 * execution history already shows each state's output to whoever may read it: so no handler's
 * response is recorded, globally rather than per handler, so that a response that starts to carry
 * a key ID later cannot leak either. Errors are kept, masked, for every handler: the error is the
 * useful part of a failed invocation's trace, and masking it in place (below) also keeps key IDs
 * out of the Lambda runtime's own log of the error and the task's Cause.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './observability';
import { redactKeyIdsInError } from './redact-errors';

/** The execution name of the run an event belongs to, wherever the event carries it. */
function executionNameOf(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as {
    run?: { executionName?: unknown };
    execution?: { name?: unknown };
    organization?: { executionName?: unknown };
  };
  const name = e.run?.executionName ?? e.execution?.name ?? e.organization?.executionName;
  return typeof name === 'string' ? name : undefined;
}

export function lambdaHandler<E, R>(functionName: string, logic: (event: E, context: Context) => Promise<R>) {
  return (
    middy<E, R, Error, Context>(async (event: E, context: Context) => logic(event, context))
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics))
      .before((request) => {
        const executionName = executionNameOf(request.event);
        logger.appendKeys({ function: functionName, ...(executionName ? { executionName } : {}) });
        if (executionName) logger.setCorrelationId(executionName);
      })
      // middy runs onError steps last-registered first: this one runs before the tracer records the
      // error (and before the Lambda runtime logs it).
      .onError((request) => {
        redactKeyIdsInError(request.error);
      })
  );
}
