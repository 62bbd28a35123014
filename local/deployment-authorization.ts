/**
 * What AWS authorizes around a run besides the handlers' own SDK calls, checked against the
 * deployment's policies with the same engine as the simulated account (simulated-account/
 * permissions.ts). Each check fails, or degrades the run, the way AWS does:
 * - deploying: a state machine with logging needs its role to manage log deliveries, or
 *   CreateStateMachine fails (InvalidLoggingConfiguration);
 * - the schedule: EventBridge starts the execution with the rule's role (states:StartExecution);
 *   denied, no execution starts at all (EventBridge retries, then dead-letters the event);
 * - invoking a function: the state machine's role needs lambda:InvokeFunction, else the task fails
 *   with Lambda.AWSLambdaException (an AccessDeniedException from Lambda);
 * - a distributed map's child execution: started with the state machine's role
 *   (states:StartExecution on itself) and watched (states:DescribeExecution); denied, the item
 *   fails and the Map Run with it (modelled as States.ExceedToleratedFailureThreshold, the Map
 *   Run's error when more items fail than tolerated, here none);
 * - logs and traces: a function's logs reach CloudWatch Logs with its role's
 *   logs:CreateLogStream/PutLogEvents, its and the state machine's traces reach X-Ray with
 *   xray:PutTraceSegments/PutTelemetryRecords; denied, the run goes on and they are lost.
 */
import {
  callerKey,
  runAs,
  type AnyFunctionName,
  type ExposureFunctionName,
  type LocalCaller,
} from './callers';
import { EXPOSURE_STATE_MACHINE_ARN } from './execute-exposure';
import {
  functionArn,
  LOCAL_ACCOUNT_ID,
  LOCAL_ORGANIZATION_STATE_MACHINE,
  LOCAL_REGION,
  LOCAL_STATE_MACHINE,
  stateMachineArn,
  type StateMachineCaller,
  type SweepHooks,
} from './execute-sweep';
import {
  PermissionChecker,
  type AccessPolicies,
  type AuthorizationRequest,
} from './simulated-account/permissions';
import { currentCaller } from './callers';

const STATE_MACHINE_ARN = stateMachineArn(LOCAL_STATE_MACHINE);

/** The state machine a caller's role belongs to. */
const machineName = (machine: StateMachineCaller) =>
  machine.kind === 'organization-state-machine' ? LOCAL_ORGANIZATION_STATE_MACHINE : LOCAL_STATE_MACHINE;

/**
 * What a .sync nested execution needs of the starting state machine's role (Step Functions
 * developer guide, stepfunctions-iam.html, Synchronous): StartExecution on the state machine,
 * DescribeExecution/StopExecution on its executions, and the EventBridge managed rule through which
 * Step Functions learns the nested execution ended.
 */
const SYNC_RULE_ARN = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
const SYNC_RULE_ACTIONS = ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'];

/** What Step Functions needs of a state machine's role when its logging goes to CloudWatch Logs. */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const STATE_MACHINE_TRACING = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
const FUNCTION_TRACING = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** The deployment as synthesized would not work: AWS would refuse to create it. */
export class DeploymentError extends Error {
  override name = 'DeploymentError';
}

/** The schedule could not start an execution. */
export class ExecutionNotStartedError extends Error {
  override name = 'ExecutionNotStarted';
}

class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class DeploymentAuthorization {
  /** what the run lost without failing (logs or traces that AWS would not have accepted) */
  readonly degraded: string[] = [];
  private readonly checker: PermissionChecker;
  private readonly telemetryChecked = new Set<string>();

  /** with organization.enabled: the organization state machine is deployed too, and the schedule starts it */
  private readonly organization: boolean;

  constructor(policies: AccessPolicies, options: { organization?: boolean } = {}) {
    this.organization = options.organization ?? false;
    this.checker = new PermissionChecker(policies, LOCAL_ACCOUNT_ID, () => {
      const caller = currentCaller();
      return caller && callerKey(caller);
    });
  }

  /** The first denied request of `requests` for `caller`, as AWS words it, or null when all are allowed. */
  private async denied(caller: LocalCaller, requests: AuthorizationRequest[]): Promise<string | null> {
    return runAs(caller, async () => {
      for (const request of requests) {
        const decision = await this.checker.check(request);
        if (!decision.allowed) {
          return `User: ${decision.principalArn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${decision.reason}`;
        }
      }
      return null;
    });
  }

  /**
   * Throws when CreateStateMachine would refuse the deployment: of the sweep's state machine (and the
   * organization's), or of the one named (the exposure path's).
   */
  async checkDeployment(stateMachine?: LocalCaller): Promise<void> {
    if (stateMachine) return this.checkStateMachine(stateMachine);
    await this.checkStateMachine({ kind: 'state-machine' });
    if (this.organization) await this.checkStateMachine({ kind: 'organization-state-machine' });
  }

  private async checkStateMachine(stateMachine: LocalCaller): Promise<void> {
    const why = await this.denied(
      stateMachine,
      LOG_DELIVERY_ACTIONS.map((action) => ({ action, resource: '*' })),
    );
    if (why !== null) {
      throw new DeploymentError(
        `CreateStateMachine would fail with InvalidLoggingConfiguration (the state machine IAM role is not authorized to access the log destination): ${why}`,
      );
    }
    const tracing = await this.denied(
      stateMachine,
      STATE_MACHINE_TRACING.map((action) => ({ action, resource: '*' })),
    );
    if (tracing !== null) {
      const which =
        stateMachine.kind === 'state-machine' || stateMachine.kind === 'organization-state-machine'
          ? `${machineName(stateMachine)}: the state machine`
          : 'the exposure state machine';
      this.degraded.push(`${which}'s traces would not reach X-Ray: ${tracing}`);
    }
  }

  /** Throws when the exposed-key rule's role may not start the exposure state machine. */
  async checkExposureStart(): Promise<void> {
    const why = await this.denied({ kind: 'exposure-rule' }, [
      { action: 'states:StartExecution', resource: EXPOSURE_STATE_MACHINE_ARN },
    ]);
    if (why !== null) {
      throw new ExecutionNotStartedError(
        `The exposed-key rule could not start the exposure state machine (EventBridge would retry for 24 hours, then send the event to the dead-letter queue): ${why}`,
      );
    }
  }

  /** The check before the exposure state machine invokes a function, for executeExposure. */
  exposureInvoke(policies: AccessPolicies): (name: ExposureFunctionName) => Promise<void> {
    return async (name) => {
      const why = await this.denied({ kind: 'exposure-state-machine' }, [
        { action: 'lambda:InvokeFunction', resource: functionArn(name) },
      ]);
      if (why !== null) {
        throw new StepError(
          'Lambda.AWSLambdaException',
          `${why} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`,
        );
      }
      await this.checkTelemetry(
        name,
        policies.principals[callerKey({ kind: 'function', name })]?.logGroupArn,
      );
    };
  }

  /** Throws when the schedule's role may not start the state machine. */
  async checkScheduledStart(): Promise<void> {
    const started = this.organization ? stateMachineArn(LOCAL_ORGANIZATION_STATE_MACHINE) : STATE_MACHINE_ARN;
    const why = await this.denied({ kind: 'schedule' }, [
      { action: 'states:StartExecution', resource: started },
    ]);
    if (why !== null) {
      throw new ExecutionNotStartedError(
        `The schedule could not start the state machine (EventBridge would retry, then send the event to the dead-letter queue): ${why}`,
      );
    }
  }

  private async checkTelemetry(name: AnyFunctionName, logGroupArn: string | undefined): Promise<void> {
    if (this.telemetryChecked.has(name)) return;
    this.telemetryChecked.add(name);
    const fn: LocalCaller = { kind: 'function', name };
    const stream = `${(logGroupArn ?? '').replace(/:\*$/, '')}:log-stream:local`;
    const logs = await this.denied(fn, [
      { action: 'logs:CreateLogStream', resource: stream },
      { action: 'logs:PutLogEvents', resource: stream },
    ]);
    if (logs !== null) this.degraded.push(`${name}: its logs would not reach CloudWatch Logs: ${logs}`);
    const traces = await this.denied(
      fn,
      FUNCTION_TRACING.map((action) => ({ action, resource: '*' })),
    );
    if (traces !== null) this.degraded.push(`${name}: its traces would not reach X-Ray: ${traces}`);
  }

  /** The checks of the state machine's own work, for executeSweep. */
  hooks(policies: AccessPolicies): SweepHooks {
    return {
      beforeInvoke: async (name, machine) => {
        const why = await this.denied(machine, [
          { action: 'lambda:InvokeFunction', resource: functionArn(name) },
        ]);
        if (why !== null) {
          throw new StepError(
            'Lambda.AWSLambdaException',
            `${why} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`,
          );
        }
        await this.checkTelemetry(
          name,
          policies.principals[callerKey({ kind: 'function', name })]?.logGroupArn,
        );
      },
      beforeChildExecution: async (mapState, machine) => {
        const name = machineName(machine);
        const why = await this.denied(machine, [
          { action: 'states:StartExecution', resource: stateMachineArn(name) },
          {
            action: 'states:DescribeExecution',
            resource: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${name}/${mapState}:local`,
          },
        ]);
        if (why !== null) {
          throw new StepError(
            'States.ExceedToleratedFailureThreshold',
            `The Map Run of ${mapState} failed: a child execution could not be started or watched: ${why}`,
          );
        }
      },
      beforeNestedExecution: async (stateMachine, executionName) => {
        const why = await this.denied({ kind: 'organization-state-machine' }, [
          { action: 'states:StartExecution', resource: stateMachineArn(stateMachine) },
          {
            action: 'states:DescribeExecution',
            resource: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${stateMachine}:${executionName}`,
          },
          ...SYNC_RULE_ACTIONS.map((action) => ({ action, resource: SYNC_RULE_ARN })),
        ]);
        if (why !== null) {
          // Modelled: AWS fails the task; the error name it gives is not documented where we looked.
          throw new StepError(
            'States.TaskFailed',
            `The nested execution ${executionName} could not be started or watched: ${why}`,
          );
        }
      },
    };
  }
}
