/**
 * Powertools Logger, Metrics and Tracer, one of each per container. Neither log lines nor traces
 * carry a full access key ID: code logs masked IDs only (see masking.ts), traces never record a
 * handler's response (lambda-handler.ts) and record errors masked (redact-errors.ts); the leak
 * test checks both.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'keysweep' });
// Metrics' own warnings (such as an invocation that failed before adding a metric) go through the
// structured logger, at its level, rather than straight to the console.
export const metrics = new Metrics({ namespace: 'keysweep', serviceName: 'keysweep', logger });
// No patching of http, https and fetch: the functions make no HTTP call of their own, and the X-Ray
// SDK leaves the AWS SDK's requests to its AWS subsegments anyway. Without it, a traced process
// (a Lambda, or the leak test's jest worker) keeps the Node modules as they are.
export const tracer = new Tracer({ serviceName: 'keysweep', captureHTTPsRequests: false });

/** Adds one count metric per entry (published by the handler middleware at the end of the invocation). */
export function addCounts(counts: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(counts)) metrics.addMetric(name, 'Count', value);
}
