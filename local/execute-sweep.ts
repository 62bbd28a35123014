/**
 * Executes the real state machine (statemachine/key-sweep.asl.json) once with
 * aws-local-stepfunctions: every Lambda task runs the real handler, every ASL SDK task makes its
 * SDK call, each as its own principal (callers.ts). Where those calls go is the caller's choice:
 * the simulated account (run-workflow.ts) or a real endpoint such as the AWS emulator.
 */
import './polyfills';
import type { IAMClient } from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { KeysweepConfig } from '../functions/shared/config';
import { FUNCTIONS, runAs, type FunctionName, type SweepFunctionName } from './callers';
import {
  functionArn,
  guardSize,
  invokeLocally,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  serialized,
  type LambdaFn,
} from './local-lambda';
import { loadDefinition, statesWithRetry } from './state-machine-definition';
import { RunRecorder } from './run-stats';
import { StateRetryCounter } from './state-retry-count';

export { FUNCTIONS, type FunctionName } from './callers';
export { functionArn, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-lambda';

export const LOCAL_BUCKET = 'keysweep-reports-local';
export const LOCAL_STATE_MACHINE = 'KeySweep-KeySweep';

/**
 * What the runner checks around the work AWS would authorize for the state machine: invoking a
 * function, starting a distributed map's child execution. A hook throws the error the state fails
 * with (as Step Functions reports it).
 */
export interface SweepHooks {
  beforeInvoke?: (name: FunctionName) => Promise<void>;
  beforeChildExecution?: (mapState: string) => Promise<void>;
}

export interface SweepExecutionOptions {
  config: KeysweepConfig;
  /** execution input; the schedule starts runs with {} */
  input: unknown;
  /** the run's clock */
  now: Date;
  executionName: string;
  version: string;
  /** the report bucket */
  bucket: string;
  hooks?: SweepHooks;
  /** the IAM client every handler uses; default the functions' own (functions/shared/clients.ts) */
  iam?: IAMClient;
  /** how list-users waits for a credential report in progress; default not at all (10 polls at once) */
  reportPolling?: ReportPolling;
  /** the account in the execution's ARN (and so in the report and email); default LOCAL_ACCOUNT_ID */
  accountId?: string;
}

/** list-users' polling of a credential report being generated. */
export interface ReportPolling {
  maxPolls: number;
  pollDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

const NO_WAITS: ReportPolling = { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined };

export interface SweepExecution {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: { Error: string; Cause: string } | null;
  executionName: string;
  executionId: string;
  recorder: RunRecorder;
}

interface Handlers {
  lambdas: Record<SweepFunctionName, LambdaFn>;
  /** the S3 client of the ASL's own SDK tasks */
  s3: S3Client;
}

/**
 * No metrics, and no handler logs unless asked for: they are JSON lines on stdout, as in Lambda
 * (set POWERTOOLS_LOG_LEVEL=INFO to see them). Read when functions/shared/observability.ts loads:
 * code that imports the functions' modules before a run calls this first.
 */
export function quietObservability(): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
}

async function loadHandlers(
  config: KeysweepConfig,
  version: string,
  bucket: string,
  overrides: Pick<SweepExecutionOptions, 'iam' | 'reportPolling'>,
): Promise<Handlers> {
  // The handler modules read their environment at load; give them this run's values.
  process.env.KEYSWEEP_CONFIG = JSON.stringify(config);
  process.env.REPORT_BUCKET ??= bucket;
  process.env.KEYSWEEP_VERSION ??= version;
  process.env.KEYSWEEP_RETRY_BASE_MS ??= '1';
  quietObservability();
  const [listUsers, findStaleKeys, checkActionLimit, deactivateKey, sendReport, clients, retry] =
    await Promise.all([
      import('../functions/list-users/handler'),
      import('../functions/find-stale-keys/handler'),
      import('../functions/check-action-limit/handler'),
      import('../functions/deactivate-key/handler'),
      import('../functions/send-report/handler'),
      import('../functions/shared/clients'),
      import('../functions/shared/retry'),
    ]);
  const { s3, ses } = clients;
  const iam = overrides.iam ?? clients.iam;
  const retryOptions = retry.retryOptionsFromEnv();
  return {
    s3,
    lambdas: {
      'list-users': listUsers.createHandler({
        iam,
        s3,
        bucket,
        config,
        version,
        retry: retryOptions,
        reportPolling: overrides.reportPolling ?? NO_WAITS,
      }),
      'find-stale-keys': findStaleKeys.createHandler({ iam, s3, bucket, config, retry: retryOptions }),
      'check-action-limit': checkActionLimit.createHandler({ config }),
      'deactivate-key': deactivateKey.createHandler({ iam, config, retry: retryOptions }),
      'send-report': sendReport.createHandler({
        s3,
        ses,
        bucket,
        config,
        clock: () => new Date(),
        intervalMs: 0,
        sleep: async () => undefined,
      }),
    },
  };
}

type TaskHandler = (input: unknown) => Promise<unknown>;

interface TaskState {
  Type?: string;
  Resource?: string;
  Parameters?: unknown;
  ItemProcessor?: {
    ProcessorConfig?: { Mode?: string };
    StartAt?: string;
    States?: Record<string, TaskState>;
  };
  Iterator?: { States?: Record<string, TaskState> };
}

function taskStates(states: Record<string, TaskState>, into: Record<string, TaskState> = {}) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') into[name] = state;
    const nested = state.ItemProcessor?.States ?? state.Iterator?.States;
    if (nested) taskStates(nested, into);
  }
  return into;
}

/** The first state of each distributed map's child executions, with the map's name. */
function childStartStates(states: Record<string, TaskState>, into = new Map<string, string>()) {
  for (const [name, state] of Object.entries(states)) {
    const processor = state.ItemProcessor;
    if (processor?.ProcessorConfig?.Mode === 'DISTRIBUTED' && processor.StartAt)
      into.set(processor.StartAt, name);
    const nested = processor?.States ?? state.Iterator?.States;
    if (nested) childStartStates(nested, into);
  }
  return into;
}

/**
 * aws-local-stepfunctions stamps $$.Execution.StartTime with the real time; the simulated
 * account lives at its own `now`, so the run's clock is set to it where list-users reads it.
 */
function withSimulatedStartTime(name: FunctionName, payload: unknown, now: Date): unknown {
  if (name !== 'list-users' || payload === null || typeof payload !== 'object') return payload;
  const event = payload as { execution?: Record<string, unknown> };
  return event.execution
    ? { ...event, execution: { ...event.execution, startTime: now.toISOString() } }
    : payload;
}

/** Step Functions names an SDK task's errors <Service>.<ErrorName>. */
function sdkTaskError(service: string, error: unknown): Error {
  const failure = new Error(error instanceof Error ? error.message : String(error));
  failure.name = `${service}.${error instanceof Error ? error.name : `${service}Exception`}`;
  return failure;
}

function buildTaskHandlers(
  definition: StateMachineDefinition,
  handlers: Handlers,
  recorder: RunRecorder,
  now: Date,
  hooks: SweepHooks,
): Record<string, TaskHandler> {
  const byArn = new Map<string, SweepFunctionName>(FUNCTIONS.map((name) => [functionArn(name), name]));
  const { s3 } = handlers;
  const oneAtATime = serialized();
  const tasks = taskStates(definition.States as Record<string, TaskState>);
  const retryCounts = new StateRetryCounter(tasks);
  const result: Record<string, TaskHandler> = {};
  const asStateMachine = <T>(work: () => Promise<T>) => runAs({ kind: 'state-machine' }, work);
  const states = definition.States as Record<string, TaskState>;
  const childStarts = childStartStates(states);
  // A child execution starts once, whatever its first state's retries (items told apart by input).
  const childrenStarted = new Set<string>();
  const startChild = async (stateName: string, input: unknown) => {
    const mapState = childStarts.get(stateName);
    if (mapState === undefined || !hooks.beforeChildExecution) return;
    const id = `${stateName}\0${JSON.stringify(input)}`;
    if (childrenStarted.has(id)) return;
    await asStateMachine(() => (hooks.beforeChildExecution as (m: string) => Promise<void>)(mapState));
    childrenStarted.add(id);
  };
  for (const [stateName, state] of Object.entries(tasks)) {
    const resource = state.Resource ?? '';
    if (resource === 'arn:aws:states:::lambda:invoke') {
      result[stateName] = async (input) => {
        await startChild(stateName, input);
        const { FunctionName, Payload } = retryCounts.stamp(stateName, input) as {
          FunctionName: string;
          Payload: unknown;
        };
        const name = byArn.get(FunctionName);
        if (name === undefined) throw new Error(`${stateName}: no local function for ${FunctionName}`);
        if (hooks.beforeInvoke)
          await asStateMachine(() => (hooks.beforeInvoke as (n: FunctionName) => Promise<void>)(name));
        recorder.lambdaInvoked(name);
        const output = await invokeLocally(
          name,
          handlers.lambdas[name],
          withSimulatedStartTime(name, Payload, now),
          oneAtATime,
        );
        guardSize(stateName, output);
        return output;
      };
    } else if (resource === 'arn:aws:states:::aws-sdk:s3:getObject') {
      result[stateName] = (input) =>
        asStateMachine(async () => {
          await startChild(stateName, input);
          const { Bucket, Key } = input as { Bucket: string; Key: string };
          try {
            const response = await s3.send(new GetObjectCommand({ Bucket, Key }));
            const output = {
              Body: (await response.Body?.transformToString()) ?? '',
              ContentType: response.ContentType,
            };
            guardSize(stateName, output);
            return output;
          } catch (error) {
            throw sdkTaskError('S3', error);
          }
        });
    } else if (resource === 'arn:aws:states:::aws-sdk:s3:putObject') {
      result[stateName] = (input) =>
        asStateMachine(async () => {
          await startChild(stateName, input);
          const { Bucket, Key, Body, ContentType } = input as {
            Bucket: string;
            Key: string;
            Body: string;
            ContentType?: string;
          };
          try {
            const response = await s3.send(new PutObjectCommand({ Bucket, Key, Body, ContentType }));
            return { ETag: response.ETag ?? '"local"' };
          } catch (error) {
            throw sdkTaskError('S3', error);
          }
        });
    } else {
      throw new Error(`The local runner cannot run task ${stateName} (${resource})`);
    }
  }
  return result;
}

export async function executeSweep(options: SweepExecutionOptions): Promise<SweepExecution> {
  const { now, executionName, version, input } = options;
  const executionId = `arn:aws:states:${LOCAL_REGION}:${options.accountId ?? LOCAL_ACCOUNT_ID}:execution:${LOCAL_STATE_MACHINE}:${executionName}`;
  const handlers = await loadHandlers(options.config, version, options.bucket, options);
  const definition = loadDefinition({
    ListUsersFunctionArn: functionArn('list-users'),
    FindStaleKeysFunctionArn: functionArn('find-stale-keys'),
    CheckActionLimitFunctionArn: functionArn('check-action-limit'),
    DeactivateKeyFunctionArn: functionArn('deactivate-key'),
    SendReportFunctionArn: functionArn('send-report'),
    ReportBucketName: options.bucket,
    Version: version,
  }) as unknown as StateMachineDefinition;

  const recorder = new RunRecorder(definition);
  const stateMachine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  let status: SweepExecution['status'] = 'SUCCEEDED';
  let output: unknown = null;
  let error: SweepExecution['error'] = null;
  const execution = stateMachine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: buildTaskHandlers(
        definition,
        handlers,
        recorder,
        now,
        options.hooks ?? {},
      ) as never,
      retryIntervalOverrides: Object.fromEntries(statesWithRetry(definition).map((name) => [name, 0])),
    },
    context: {
      // aws-local-stepfunctions has no $$.State: this makes $$.State.RetryCount resolve, and
      // StateRetryCounter puts the real count in each task input (state-retry-count.ts).
      State: { RetryCount: 0 },
      Execution: {
        Id: executionId,
        Name: executionName,
        StartTime: now.toISOString(),
        Input: input as never,
      },
    },
  });
  const events = recorder.consume(execution.eventLogs);
  try {
    output = await execution.result;
  } catch (failure) {
    status = 'FAILED';
    const cause =
      failure instanceof ExecutionError && failure.cause instanceof Error ? failure.cause : failure;
    error =
      cause instanceof Error
        ? { Error: cause.name, Cause: cause.message }
        : { Error: 'Unknown', Cause: String(cause) };
  }
  await events;
  return { status, output, error, executionName, executionId, recorder };
}
