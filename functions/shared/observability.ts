/**
 * Powertools Logger, Metrics and Tracer, one of each per container. Log lines never carry a
 * full access key ID: code logs masked IDs only (see masking.ts), and the leak test checks it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'keysweep' });
// Metrics' own warnings (such as an invocation that failed before adding a metric) go through the
// structured logger, at its level, rather than straight to the console.
export const metrics = new Metrics({ namespace: 'keysweep', serviceName: 'keysweep', logger });
export const tracer = new Tracer({ serviceName: 'keysweep' });

/** Adds one count metric per entry (published by the handler middleware at the end of the invocation). */
export function addCounts(counts: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(counts)) metrics.addMetric(name, 'Count', value);
}
