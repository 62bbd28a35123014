/**
 * How a local execution ended, as Step Functions reports it: SUCCEEDED with its output, or FAILED
 * with the error name and cause of the state that failed it (aws-local-stepfunctions wraps that
 * error in an ExecutionError). Its history events are recorded before the outcome is returned.
 * Shared by the sweep's executions (execute-sweep.ts) and the exposure path's (execute-exposure.ts).
 */
import { ExecutionError, type StateMachine } from 'aws-local-stepfunctions';
import type { RunRecorder } from './run-stats';

export interface ExecutionOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: { Error: string; Cause: string } | null;
}

export async function outcomeOf(
  execution: ReturnType<StateMachine['run']>,
  recorder: RunRecorder,
): Promise<ExecutionOutcome> {
  const events = recorder.consume(execution.eventLogs);
  let outcome: ExecutionOutcome;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result, error: null };
  } catch (failure) {
    const cause =
      failure instanceof ExecutionError && failure.cause instanceof Error ? failure.cause : failure;
    outcome = {
      status: 'FAILED',
      output: null,
      error:
        cause instanceof Error
          ? { Error: cause.name, Cause: cause.message }
          : { Error: 'Unknown', Cause: String(cause) },
    };
  }
  await events;
  return outcome;
}
