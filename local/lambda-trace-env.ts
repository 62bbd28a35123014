/**
 * The part of the Lambda runtime that X-Ray tracing needs, for a local run that traces: in Lambda,
 * the runtime sets `_X_AMZN_TRACE_ID` for each invocation (the trace, the parent segment's ID, the
 * sampling decision), and the X-Ray SDK, in Lambda mode, hangs the invocation's subsegments on a
 * facade segment made from it; `_HANDLER` names the handler (Powertools names the handler's
 * subsegment `## <_HANDLER>`).
 *
 * Opt-in: only when the X-Ray SDK runs in Lambda mode, which it does when LAMBDA_TASK_ROOT is set
 * as it loads (the leak test sets it, with AWS_EXECUTION_ENV for Powertools). Otherwise nothing.
 *
 * One difference from AWS remains: the runner makes the state machine's own S3 tasks with the
 * functions' S3 client, in the functions' process, so those calls show in the trace of whichever
 * invocation is current (in AWS, Step Functions makes them, outside any function's trace).
 */
import { randomBytes } from 'node:crypto';
import type { AnyFunctionName } from './callers';

/** Gives the invocation about to start a fresh, sampled trace, as the Lambda runtime would. */
export function startTracedInvocation(name: AnyFunctionName): void {
  if (process.env.LAMBDA_TASK_ROOT === undefined) return;
  const epochSeconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  const root = `1-${epochSeconds}-${randomBytes(12).toString('hex')}`;
  process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
  // The module and export the function would have if deployed from the source tree.
  process.env._HANDLER = `functions/${name}/handler.handler`;
}
