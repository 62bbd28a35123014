/**
 * The leak test's environment, imported before anything else: the handler modules read it as they
 * load (the logger's level, whether the tracer traces, the X-Ray SDK's mode), and jest runs a test
 * file's imports before its body.
 *
 * Logs: everything, as Lambda writes them (JSON lines, not the dev mode's pretty console), metrics on.
 *
 * Traces: Powertools' tracer and the X-Ray SDK as in Lambda. The tracer traces when
 * AWS_EXECUTION_ENV is set (and neither POWERTOOLS_TRACE_ENABLED=false nor AWS_SAM_LOCAL); the
 * X-Ray SDK runs in Lambda mode when LAMBDA_TASK_ROOT is set as it loads: a facade segment made
 * from `_X_AMZN_TRACE_ID` (which the local runner then sets per invocation, local/lambda-trace-env.ts),
 * each subsegment sent over UDP as it closes. The daemon's address is set by the test once its
 * socket is bound (AWS_XRAY_DAEMON_ADDRESS must stay unset for that). Capture settings are left to
 * the code: no POWERTOOLS_TRACER_CAPTURE_* variable.
 */
import path from 'node:path';

process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
delete process.env.POWERTOOLS_DEV;

process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
process.env.LAMBDA_TASK_ROOT = path.join(__dirname, '..', '..');
process.env.POWERTOOLS_TRACE_ENABLED = 'true';
// As Lambda sets it: a subsegment made outside any segment is logged, not thrown.
process.env.AWS_XRAY_CONTEXT_MISSING = 'LOG_ERROR';
for (const name of [
  'AWS_SAM_LOCAL',
  'AWS_XRAY_DAEMON_ADDRESS',
  '_X_AMZN_TRACE_ID',
  'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
  'POWERTOOLS_TRACER_CAPTURE_ERROR',
  'POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS',
]) {
  delete process.env[name];
}

/** The variables above that make a process trace as a Lambda: a child process that should not trace drops them. */
export const LAMBDA_TRACING_ENV = [
  'AWS_EXECUTION_ENV',
  'LAMBDA_TASK_ROOT',
  'POWERTOOLS_TRACE_ENABLED',
  '_X_AMZN_TRACE_ID',
];
