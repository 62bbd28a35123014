/**
 * Executes the real state machine (statemachine/key-sweep.asl.json) once with
 * aws-local-stepfunctions: every Lambda task runs the real handler, every ASL SDK task makes its
 * SDK call, each as its own principal (callers.ts). Where those calls go is the caller's choice:
 * the simulated account (run-workflow.ts) or a real endpoint such as the AWS emulator.
 */
import './polyfills';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { KeysweepConfig } from '../functions/shared/config';
import {
  FUNCTIONS,
  ORGANIZATION_FUNCTIONS,
  runAs,
  type AnyFunctionName,
  type LocalCaller,
  type OrganizationFunctionName,
  type SweepFunctionName,
} from './callers';
import { loadHandlers, type HandlerOverrides, type Handlers } from './load-handlers';
import { functionArn, guardSize, invokeLocally, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-lambda';
import { outcomeOf } from './execution-outcome';
import { loadDefinition, statesWithRetry } from './state-machine-definition';
import { RunRecorder } from './run-stats';
import { StateRetryCounter } from './state-retry-count';

export { FUNCTIONS, type FunctionName } from './callers';
export { functionArn, LOCAL_ACCOUNT_ID, LOCAL_REGION, stateMachineArn } from './local-lambda';
export {
  loadHandlers,
  quietObservability,
  type HandlerOverrides,
  type Handlers,
  type ReportPolling,
} from './load-handlers';

export const LOCAL_BUCKET = 'keysweep-reports-local';
export const LOCAL_STATE_MACHINE = 'KeySweep-KeySweep';
export const LOCAL_ORGANIZATION_STATE_MACHINE = 'KeySweep-Organization';

/**
 * What the runner checks around the work AWS would authorize for the state machine: invoking a
 * function, starting a distributed map's child execution. A hook throws the error the state fails
 * with (as Step Functions reports it).
 */
export interface SweepHooks {
  beforeInvoke?: (name: AnyFunctionName, stateMachine: StateMachineCaller) => Promise<void>;
  beforeChildExecution?: (mapState: string, stateMachine: StateMachineCaller) => Promise<void>;
  /** a nested execution (states:startExecution.sync:2) of `stateMachineName`, by the organization state machine */
  beforeNestedExecution?: (stateMachineName: string, executionName: string) => Promise<void>;
}

/** The state machine whose role makes a definition's own calls. */
export type StateMachineCaller = Extract<
  LocalCaller,
  { kind: 'state-machine' | 'organization-state-machine' }
>;

export interface SweepExecutionOptions extends HandlerOverrides {
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
  /** the account in the execution's ARN (and so in the report and email); default LOCAL_ACCOUNT_ID */
  accountId?: string;
}

export interface SweepExecution {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: { Error: string; Cause: string } | null;
  executionName: string;
  executionId: string;
  recorder: RunRecorder;
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
function withSimulatedStartTime(name: AnyFunctionName, payload: unknown, now: Date): unknown {
  if ((name !== 'list-users' && name !== 'list-accounts') || payload === null || typeof payload !== 'object')
    return payload;
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

/** Runs a nested execution (states:startExecution.sync:2) in-process and returns what AWS would. */
export type NestedExecution = (parameters: {
  StateMachineArn: string;
  Name: string;
  Input: unknown;
}) => Promise<unknown>;

function buildTaskHandlers(
  definition: StateMachineDefinition,
  handlers: Handlers,
  recorder: RunRecorder,
  now: Date,
  hooks: SweepHooks,
  machine: StateMachineCaller,
  nested?: NestedExecution,
): Record<string, TaskHandler> {
  const byArn = new Map(
    [...FUNCTIONS, ...ORGANIZATION_FUNCTIONS].map((name) => [
      functionArn(name),
      name as SweepFunctionName | OrganizationFunctionName,
    ]),
  );
  const { s3 } = handlers;
  const { oneAtATime } = handlers;
  const tasks = taskStates(definition.States as Record<string, TaskState>);
  const retryCounts = new StateRetryCounter(tasks);
  const result: Record<string, TaskHandler> = {};
  const asStateMachine = <T>(work: () => Promise<T>) => runAs(machine, work);
  const states = definition.States as Record<string, TaskState>;
  const childStarts = childStartStates(states);
  // A child execution starts once, whatever its first state's retries (items told apart by input).
  const childrenStarted = new Set<string>();
  const startChild = async (stateName: string, input: unknown) => {
    const mapState = childStarts.get(stateName);
    if (mapState === undefined || !hooks.beforeChildExecution) return;
    const id = `${stateName}\0${JSON.stringify(input)}`;
    if (childrenStarted.has(id)) return;
    const before = hooks.beforeChildExecution;
    await asStateMachine(() => before(mapState, machine));
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
        const lambda = handlers.lambdas[name];
        if (lambda === undefined) throw new Error(`${stateName}: function ${name} is not loaded`);
        const beforeInvoke = hooks.beforeInvoke;
        if (beforeInvoke) await asStateMachine(() => beforeInvoke(name, machine));
        recorder.lambdaInvoked(name);
        const output = await invokeLocally(
          name,
          lambda,
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
    } else if (resource === 'arn:aws:states:::states:startExecution.sync:2' && nested) {
      result[stateName] = async (input) => {
        await startChild(stateName, input);
        const output = await nested(input as Parameters<NestedExecution>[0]);
        guardSize(stateName, output);
        return output;
      };
    } else {
      throw new Error(`The local runner cannot run task ${stateName} (${resource})`);
    }
  }
  return result;
}

/** The account state machine's definition, its placeholders filled for a local run. */
export function accountDefinition(bucket: string, version: string): StateMachineDefinition {
  return loadDefinition({
    ListUsersFunctionArn: functionArn('list-users'),
    FindStaleKeysFunctionArn: functionArn('find-stale-keys'),
    CheckActionLimitFunctionArn: functionArn('check-action-limit'),
    DeactivateKeyFunctionArn: functionArn('deactivate-key'),
    SendReportFunctionArn: functionArn('send-report'),
    ReportBucketName: bucket,
    Version: version,
  }) as unknown as StateMachineDefinition;
}

/** One execution of a definition: its handlers, hooks and recorder, with its own history. */
export interface DefinitionRun {
  definition: StateMachineDefinition;
  handlers: Handlers;
  machine: StateMachineCaller;
  input: unknown;
  now: Date;
  executionName: string;
  executionId: string;
  hooks: SweepHooks;
  nested?: NestedExecution;
}

export async function runDefinition(run: DefinitionRun): Promise<SweepExecution> {
  const { definition, now, executionName, executionId, input } = run;
  const recorder = new RunRecorder(definition);
  const stateMachine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = stateMachine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: buildTaskHandlers(
        definition,
        run.handlers,
        recorder,
        now,
        run.hooks,
        run.machine,
        run.nested,
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
  return { ...(await outcomeOf(execution, recorder)), executionName, executionId, recorder };
}

export async function executeSweep(options: SweepExecutionOptions): Promise<SweepExecution> {
  const { now, executionName, version, input } = options;
  const executionId = `arn:aws:states:${LOCAL_REGION}:${options.accountId ?? LOCAL_ACCOUNT_ID}:execution:${LOCAL_STATE_MACHINE}:${executionName}`;
  const handlers = await loadHandlers(options.config, version, options.bucket, options);
  return runDefinition({
    definition: accountDefinition(options.bucket, version),
    handlers,
    machine: { kind: 'state-machine' },
    input,
    now,
    executionName,
    executionId,
    hooks: options.hooks ?? {},
  });
}
