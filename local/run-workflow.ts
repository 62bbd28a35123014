/**
 * Runs the real state machine (statemachine/key-sweep.asl.json) locally with
 * aws-local-stepfunctions: every Lambda task runs the real handler, every AWS call goes to the
 * simulated account. Used by `npm start`, the workflow tests and the benchmark.
 */
import './polyfills';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { KeysweepConfig } from '../functions/shared/config';
import { layout } from '../functions/shared/report-layout';
import type { Report } from '../functions/send-report/report-model';
import { SimulatedAccount, type AccountFile, type Faults, type SentEmail } from './simulated-account';
import { loadDefinition, statesWithRetry } from './state-machine-definition';
import { RunRecorder, type RunStats } from './run-stats';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_BUCKET = 'keysweep-reports-local';
export const LOCAL_STATE_MACHINE = 'KeySweep-KeySweep';

/** The Lambda functions of the stack, by folder name. */
export const FUNCTIONS = [
  'list-users',
  'find-stale-keys',
  'check-action-limit',
  'deactivate-key',
  'send-report',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const functionArn = (name: FunctionName) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:keysweep-${name}`;

type LambdaFn = (event: unknown, context: Context) => Promise<unknown>;

export interface WorkflowRunOptions {
  account: AccountFile;
  config: KeysweepConfig;
  /** execution input; the schedule starts runs with {} */
  input?: unknown;
  faults?: Faults;
  /** the run's clock; default the account file's `now`, else the real time */
  now?: Date;
  executionName?: string;
  listUsersPageSize?: number;
  version?: string;
  /** objects already in the report bucket (a previous run's key index and reports), by key */
  bucketObjects?: Readonly<Record<string, string>>;
}

export interface WorkflowRun {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: { Error: string; Cause: string } | null;
  executionName: string;
  executionId: string;
  now: Date;
  account: SimulatedAccount;
  emails: SentEmail[];
  /** report.json of the run, when send-report stored it */
  report: Report | null;
  /** keys of the run's files in the report bucket */
  files: { report: string; emailHtml: string; emailText: string; prefix: string } | null;
  stats: RunStats;
}

/** Lambda's own error shape: the task fails with the function's error type, and a JSON cause. */
class LambdaFunctionError extends Error {
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

function fakeLambdaContext(name: FunctionName): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `keysweep-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(name),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/keysweep-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function loadHandlers(
  config: KeysweepConfig,
  version: string,
): Promise<Record<FunctionName, LambdaFn>> {
  // The handler modules read their environment at load; give them this run's values.
  process.env.KEYSWEEP_CONFIG = JSON.stringify(config);
  process.env.REPORT_BUCKET ??= LOCAL_BUCKET;
  process.env.KEYSWEEP_VERSION ??= version;
  process.env.KEYSWEEP_RETRY_BASE_MS ??= '1';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Handler logs are JSON lines on stdout, as in Lambda; set POWERTOOLS_LOG_LEVEL=INFO to see them.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
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
  const { iam, s3, ses } = clients;
  const retryOptions = retry.retryOptionsFromEnv();
  const bucket = LOCAL_BUCKET;
  return {
    'list-users': listUsers.createHandler({
      iam,
      s3,
      bucket,
      config,
      version,
      retry: retryOptions,
      reportPolling: { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined },
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
  };
}

type TaskHandler = (input: unknown) => Promise<unknown>;

/**
 * One invocation at a time, as in a single Lambda container: the Powertools logger and metrics
 * are module singletons that assume it.
 */
function serialized(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}

interface TaskState {
  Type?: string;
  Resource?: string;
  ItemProcessor?: { States?: Record<string, TaskState> };
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

function buildTaskHandlers(
  definition: StateMachineDefinition,
  handlers: Record<FunctionName, LambdaFn>,
  recorder: RunRecorder,
  now: Date,
): Record<string, TaskHandler> {
  const byArn = new Map(FUNCTIONS.map((name) => [functionArn(name), name]));
  const s3 = new S3Client({ region: LOCAL_REGION });
  const oneAtATime = serialized();
  const result: Record<string, TaskHandler> = {};
  const guardSize = (stateName: string, value: unknown) => {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (bytes > MAX_PAYLOAD_BYTES) {
      throw new DataLimitExceededError(`${stateName} returned ${bytes} bytes, over the 256 KiB state limit`);
    }
  };
  for (const [stateName, state] of Object.entries(
    taskStates(definition.States as Record<string, TaskState>),
  )) {
    const resource = state.Resource ?? '';
    if (resource === 'arn:aws:states:::lambda:invoke') {
      result[stateName] = async (input) => {
        const { FunctionName, Payload } = input as { FunctionName: string; Payload: unknown };
        const name = byArn.get(FunctionName);
        if (name === undefined) throw new Error(`${stateName}: no local function for ${FunctionName}`);
        recorder.lambdaInvoked(name);
        let payload: unknown;
        try {
          payload = await oneAtATime(() =>
            handlers[name](withSimulatedStartTime(name, Payload, now), fakeLambdaContext(name)),
          );
        } catch (error) {
          throw new LambdaFunctionError(error);
        }
        const output = { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
        guardSize(stateName, output);
        return output;
      };
    } else if (resource === 'arn:aws:states:::aws-sdk:s3:getObject') {
      result[stateName] = async (input) => {
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
          // Step Functions names SDK errors <Service>.<ErrorName>
          const failure = new Error(error instanceof Error ? error.message : String(error));
          failure.name = `S3.${error instanceof Error ? error.name : 'S3Exception'}`;
          throw failure;
        }
      };
    } else if (resource === 'arn:aws:states:::aws-sdk:s3:putObject') {
      result[stateName] = async (input) => {
        const { Bucket, Key, Body, ContentType } = input as {
          Bucket: string;
          Key: string;
          Body: string;
          ContentType?: string;
        };
        const response = await s3.send(new PutObjectCommand({ Bucket, Key, Body, ContentType }));
        return { ETag: response.ETag ?? '"local"' };
      };
    } else {
      throw new Error(`The local runner cannot run task ${stateName} (${resource})`);
    }
  }
  return result;
}

/** Everything in the report bucket after a run, to start the next day's run with. */
export function bucketObjectsOf(run: WorkflowRun): Record<string, string> {
  return Object.fromEntries(
    run.account
      .listObjectKeys(LOCAL_BUCKET)
      .map((key) => [key, run.account.getObjectText(LOCAL_BUCKET, key) ?? '']),
  );
}

export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRun> {
  const now = options.now ?? (options.account.now ? new Date(options.account.now) : new Date());
  const version = options.version ?? 'local';
  const executionName = options.executionName ?? `local-${now.toISOString().replace(/[:.]/g, '-')}`;
  const executionId = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${LOCAL_STATE_MACHINE}:${executionName}`;
  const handlers = await loadHandlers(options.config, version);

  const definition = loadDefinition({
    ListUsersFunctionArn: functionArn('list-users'),
    FindStaleKeysFunctionArn: functionArn('find-stale-keys'),
    CheckActionLimitFunctionArn: functionArn('check-action-limit'),
    DeactivateKeyFunctionArn: functionArn('deactivate-key'),
    SendReportFunctionArn: functionArn('send-report'),
    ReportBucketName: LOCAL_BUCKET,
    Version: version,
  }) as unknown as StateMachineDefinition;

  const account = new SimulatedAccount(options.account, {
    now,
    faults: options.faults,
    ...(options.listUsersPageSize ? { listUsersPageSize: options.listUsersPageSize } : {}),
  });
  for (const [key, body] of Object.entries(options.bucketObjects ?? {}))
    account.putObjectText(LOCAL_BUCKET, key, body);
  const recorder = new RunRecorder(definition);
  const stateMachine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const input = options.input ?? {};
  const started = Date.now();
  account.install();
  let status: WorkflowRun['status'] = 'SUCCEEDED';
  let output: unknown = null;
  let error: WorkflowRun['error'] = null;
  try {
    const execution = stateMachine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: buildTaskHandlers(definition, handlers, recorder, now) as never,
        retryIntervalOverrides: Object.fromEntries(statesWithRetry(definition).map((name) => [name, 0])),
      },
      context: {
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
  } finally {
    account.uninstall();
  }

  const prefix = `runs/${now.toISOString().slice(0, 10)}/${executionName}/`;
  const reportText = account.getObjectText(LOCAL_BUCKET, layout.report(prefix));
  const report = reportText === undefined ? null : (JSON.parse(reportText) as Report);
  return {
    status,
    output,
    error,
    executionName,
    executionId,
    now,
    account,
    emails: account.emails,
    report,
    files:
      report === null
        ? null
        : {
            prefix,
            report: layout.report(prefix),
            emailHtml: layout.emailHtml(prefix),
            emailText: layout.emailText(prefix),
          },
    stats: recorder.finish(Date.now() - started, account.calls),
  };
}
