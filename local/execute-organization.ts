/**
 * Executes the organization state machine (statemachine/organization-sweep.asl.json) once with
 * aws-local-stepfunctions, and each account's executions of the account state machine
 * (statemachine/key-sweep.asl.json) that it starts: the same two files that deploy.
 *
 * Modelled, not run by aws-local-stepfunctions: a `states:startExecution.sync:2` task. The runner
 * overrides that task (by state name, as it does every task) with a handler that runs the child
 * definition in-process with the task's Input and Name, as its own execution with its own history,
 * and answers as Step Functions documents the .sync:2 integration: the DescribeExecution fields with
 * the child's Output as JSON (not a string). A child that fails fails the task with States.TaskFailed
 * and a JSON cause holding the child's Error and Cause; that error name and cause shape are our
 * reading of AWS's behaviour, not something the runner checks against AWS. A name used twice is
 * refused (StepFunctions.ExecutionAlreadyExistsException), as StartExecution refuses a name that a
 * closed execution of the state machine already has.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  accountDefinition,
  functionArn,
  loadHandlers,
  LOCAL_ACCOUNT_ID,
  LOCAL_ORGANIZATION_STATE_MACHINE,
  LOCAL_REGION,
  LOCAL_STATE_MACHINE,
  runDefinition,
  stateMachineArn,
  type NestedExecution,
  type SweepExecution,
  type SweepExecutionOptions,
} from './execute-sweep';
import { loadDefinition, ORGANIZATION_ASL_PATH } from './state-machine-definition';

class NestedExecutionError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface OrganizationExecution extends SweepExecution {
  /** every account execution the run started, in the order they ended */
  accountExecutions: SweepExecution[];
}

export function organizationDefinition(bucket: string, version: string): StateMachineDefinition {
  return loadDefinition(
    {
      ListAccountsFunctionArn: functionArn('list-accounts'),
      CheckOrganizationLimitFunctionArn: functionArn('check-organization-limit'),
      SendOrganizationReportFunctionArn: functionArn('send-organization-report'),
      KeySweepStateMachineArn: stateMachineArn(LOCAL_STATE_MACHINE),
      ReportBucketName: bucket,
      Version: version,
    },
    ORGANIZATION_ASL_PATH,
  ) as unknown as StateMachineDefinition;
}

const executionArn = (account: string, machine: string, name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${account}:execution:${machine}:${name}`;

export async function executeOrganizationSweep(
  options: SweepExecutionOptions,
): Promise<OrganizationExecution> {
  const { now, executionName, version, input, bucket } = options;
  const hooks = options.hooks ?? {};
  // The hub: the account of every execution's ARN (and so of the summary's console link).
  const hub = options.accountId ?? LOCAL_ACCOUNT_ID;
  const handlers = await loadHandlers(options.config, version, bucket, options);
  const account = accountDefinition(bucket, version);
  const accountArn = stateMachineArn(LOCAL_STATE_MACHINE);
  const started = new Set<string>();
  const accountExecutions: SweepExecution[] = [];

  const nested: NestedExecution = async ({ StateMachineArn, Name, Input }) => {
    if (StateMachineArn !== accountArn) {
      throw new NestedExecutionError(
        'StepFunctions.StateMachineDoesNotExistException',
        `No state machine ${StateMachineArn}`,
      );
    }
    await hooks.beforeNestedExecution?.(LOCAL_STATE_MACHINE, Name);
    if (started.has(Name)) {
      throw new NestedExecutionError(
        'StepFunctions.ExecutionAlreadyExistsException',
        `Execution Already Exists: '${executionArn(hub, LOCAL_STATE_MACHINE, Name)}'`,
      );
    }
    started.add(Name);
    const child = await runDefinition({
      definition: account,
      handlers,
      machine: { kind: 'state-machine' },
      input: Input,
      now,
      executionName: Name,
      executionId: executionArn(hub, LOCAL_STATE_MACHINE, Name),
      hooks,
    });
    accountExecutions.push(child);
    const described = {
      ExecutionArn: child.executionId,
      StateMachineArn,
      Name,
      StartDate: now.toISOString(),
      StopDate: now.toISOString(),
      Input: JSON.stringify(Input),
    };
    if (child.status === 'SUCCEEDED') return { ...described, Status: 'SUCCEEDED', Output: child.output };
    throw new NestedExecutionError(
      'States.TaskFailed',
      JSON.stringify({
        ...described,
        Status: 'FAILED',
        Error: child.error?.Error,
        Cause: child.error?.Cause,
      }),
    );
  };

  const run = await runDefinition({
    definition: organizationDefinition(bucket, version),
    handlers,
    machine: { kind: 'organization-state-machine' },
    input,
    now,
    executionName,
    executionId: executionArn(hub, LOCAL_ORGANIZATION_STATE_MACHINE, executionName),
    hooks,
    nested,
  });
  for (const child of accountExecutions) run.recorder.absorb(child.recorder, `${child.executionName}:`);
  return { ...run, accountExecutions };
}
