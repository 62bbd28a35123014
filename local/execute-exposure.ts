/**
 * Executes the exposure path's real state machine (statemachine/exposed-key.asl.json) once with
 * aws-local-stepfunctions, its input an AWS Health event: each Lambda task runs the real handler as
 * its function's principal, through local-lambda.ts, as the sweep's do (execute-sweep.ts).
 *
 * What differs from AWS here, as for the sweep: the runner gives `$$.Execution.StartTime` the run's
 * clock (aws-local-stepfunctions stamps the real time) and `$$.State.RetryCount` the attempt's count
 * (state-retry-count.ts); retry waits are zero.
 */
import './polyfills';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { KeysweepConfig } from '../functions/shared/config';
import { EXPOSURE_FUNCTIONS, runAs, type ExposureFunctionName } from './callers';
import { LOCAL_BUCKET, quietObservability, type SweepExecution } from './execute-sweep';
import {
  functionArn,
  invokeLocally,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  serialized,
  type LambdaFn,
} from './local-lambda';
import { outcomeOf } from './execution-outcome';
import { RunRecorder } from './run-stats';
import { EXPOSED_KEY_ASL_PATH, loadDefinition, statesWithRetry } from './state-machine-definition';
import { StateRetryCounter } from './state-retry-count';

export const LOCAL_EXPOSURE_STATE_MACHINE = 'KeySweep-ExposedKey';
export const EXPOSURE_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${LOCAL_EXPOSURE_STATE_MACHINE}`;

export interface ExposureExecutionOptions {
  config: KeysweepConfig;
  /** the AWS Health event, as EventBridge starts the execution with it */
  event: unknown;
  /** the run's clock */
  now: Date;
  executionName: string;
  version: string;
  bucket?: string;
  /** what AWS authorizes before invoking a function for the state machine (deployment-authorization.ts) */
  beforeInvoke?: (name: ExposureFunctionName) => Promise<void>;
}

async function loadHandlers(config: KeysweepConfig, version: string, bucket: string, now: Date) {
  // The handler modules read their environment at load; give them this run's values.
  process.env.KEYSWEEP_CONFIG = JSON.stringify(config);
  process.env.REPORT_BUCKET ??= bucket;
  process.env.KEYSWEEP_VERSION ??= version;
  process.env.KEYSWEEP_RETRY_BASE_MS ??= '1';
  quietObservability();
  const [deactivate, notify, clients, retry, member] = await Promise.all([
    import('../functions/deactivate-exposed-key/handler'),
    import('../functions/notify-exposure/handler'),
    import('../functions/shared/clients'),
    import('../functions/shared/retry'),
    import('../functions/shared/account-iam'),
  ]);
  const lambdas: Record<ExposureFunctionName, LambdaFn> = {
    'deactivate-exposed-key': deactivate.createHandler({
      iam: clients.iam,
      s3: clients.s3,
      bucket,
      config,
      retry: retry.retryOptionsFromEnv(),
      memberIam: (accountId, partition, actions) =>
        member.narrowedMemberIam(
          clients.sts,
          config.organization,
          clients.iamWithCredentials,
          { accountId, partition },
          'keysweep-exposed-key',
          actions,
        ),
      clock: () => now,
    }),
    'notify-exposure': notify.createHandler({
      s3: clients.s3,
      ses: clients.ses,
      bucket,
      config,
      version,
      clock: () => now,
    }),
  };
  return lambdas;
}

/** $$.Execution.StartTime as the run's clock, where the functions read it. */
function withRunClock(payload: unknown, now: Date): unknown {
  if (payload === null || typeof payload !== 'object') return payload;
  const event = payload as { execution?: Record<string, unknown> };
  return event.execution
    ? { ...event, execution: { ...event.execution, startTime: now.toISOString() } }
    : payload;
}

export async function executeExposure(options: ExposureExecutionOptions): Promise<SweepExecution> {
  const { now, executionName, version, config } = options;
  const bucket = options.bucket ?? LOCAL_BUCKET;
  const executionId = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${LOCAL_EXPOSURE_STATE_MACHINE}:${executionName}`;
  const lambdas = await loadHandlers(config, version, bucket, now);
  const definition = loadDefinition(
    {
      DeactivateExposedKeyFunctionArn: functionArn('deactivate-exposed-key'),
      NotifyExposureFunctionArn: functionArn('notify-exposure'),
      Version: version,
    },
    EXPOSED_KEY_ASL_PATH,
  ) as unknown as StateMachineDefinition;

  const recorder = new RunRecorder(definition);
  const byArn = new Map<string, ExposureFunctionName>(
    EXPOSURE_FUNCTIONS.map((name) => [functionArn(name), name]),
  );
  const oneAtATime = serialized();
  const taskStates = { DeactivateExposedKey: {}, NotifyExposure: {} };
  const states = definition.States as Record<
    string,
    { Parameters?: unknown; ItemProcessor?: { States?: Record<string, { Parameters?: unknown }> } }
  >;
  const retryCounts = new StateRetryCounter({
    NotifyExposure: states.NotifyExposure ?? {},
    DeactivateExposedKey: states.DeactivateExposedKeys?.ItemProcessor?.States?.DeactivateExposedKey ?? {},
  });
  const handlers = Object.fromEntries(
    Object.keys(taskStates).map((stateName) => [
      stateName,
      async (input: unknown) => {
        const { FunctionName, Payload } = retryCounts.stamp(stateName, input) as {
          FunctionName: string;
          Payload: unknown;
        };
        const name = byArn.get(FunctionName);
        if (name === undefined) throw new Error(`${stateName}: no local function for ${FunctionName}`);
        if (options.beforeInvoke) {
          const check = options.beforeInvoke;
          await runAs({ kind: 'exposure-state-machine' }, () => check(name));
        }
        recorder.lambdaInvoked(name);
        return invokeLocally(name, lambdas[name], withRunClock(Payload, now), oneAtATime);
      },
    ]),
  );

  const stateMachine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = stateMachine.run(options.event as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: Object.fromEntries(statesWithRetry(definition).map((name) => [name, 0])),
    },
    context: {
      State: { RetryCount: 0 },
      Execution: {
        Id: executionId,
        Name: executionName,
        StartTime: now.toISOString(),
        Input: options.event as never,
      },
    },
  });
  return { ...(await outcomeOf(execution, recorder)), executionName, executionId, recorder };
}
