/**
 * The middy wrapper every handler uses: Powertools logging with the execution name as
 * correlation ID, metrics flushed per invocation, X-Ray tracing. The logic stays a plain
 * async function of the event.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './observability';

/** The execution name of the run an event belongs to, wherever the event carries it. */
function executionNameOf(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as { run?: { executionName?: unknown }; execution?: { name?: unknown } };
  const name = e.run?.executionName ?? e.execution?.name;
  return typeof name === 'string' ? name : undefined;
}

export function lambdaHandler<E, R>(functionName: string, logic: (event: E, context: Context) => Promise<R>) {
  return middy<E, R, Error, Context>(async (event: E, context: Context) => logic(event, context))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .before((request) => {
      const executionName = executionNameOf(request.event);
      logger.appendKeys({ function: functionName, ...(executionName ? { executionName } : {}) });
      if (executionName) logger.setCorrelationId(executionName);
    });
}
