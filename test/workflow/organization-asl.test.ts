/**
 * statemachine/organization-sweep.asl.json itself: valid Amazon States Language, and the AWS
 * details the local runner cannot check: each account's sweep is a nested execution of the account
 * state machine (startExecution.sync:2, linked to the organization run), one account's failure is
 * caught on its own, the maps are distributed with STANDARD children, the account lists travel as
 * S3 keys, and the run has the account runs' time limit.
 */
import validator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { loadDefinition, ORGANIZATION_ASL_PATH, placeholdersOf } from '../../local/state-machine-definition';
import { RUN_MAX_MS } from '../../functions/shared/policy';

const text = readFileSync(ORGANIZATION_ASL_PATH, 'utf8');
const definition = loadDefinition(
  Object.fromEntries(
    placeholdersOf(text).map((name) => [
      name,
      name.endsWith('FunctionArn')
        ? `arn:aws:lambda:us-east-1:123456789012:function:${name}`
        : name === 'KeySweepStateMachineArn'
          ? 'arn:aws:states:us-east-1:123456789012:stateMachine:KeySweep-KeySweep'
          : name.toLowerCase(),
    ]),
  ),
  ORGANIZATION_ASL_PATH,
);

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemsPath?: string;
  ItemProcessor?: {
    ProcessorConfig?: { Mode?: string; ExecutionType?: string };
    States: Record<string, State>;
  };
}
const all = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([n, s]) => [
    [n, s] as [string, State],
    ...(s.ItemProcessor ? all(s.ItemProcessor.States) : []),
  ]);
const states = new Map(all((definition as { States: Record<string, State> }).States));

describe('statemachine/organization-sweep.asl.json', () => {
  it('is valid Amazon States Language, paths included', () => {
    const result = validator(definition, { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
  });

  it('has the placeholders the stack substitutes, and no other', () => {
    expect(placeholdersOf(text)).toEqual([
      'CheckOrganizationLimitFunctionArn',
      'KeySweepStateMachineArn',
      'ListAccountsFunctionArn',
      'ReportBucketName',
      'SendOrganizationReportFunctionArn',
      'Version',
    ]);
  });

  it("runs each account's plan and act as an execution of the account state machine, linked to this run", () => {
    for (const [name, phase] of [
      ['PlanAccount', 'plan'],
      ['ActInAccount', 'act'],
    ] as const) {
      const state = states.get(name);
      expect(state?.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
      expect(state?.Parameters).toMatchObject({
        StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:KeySweep-KeySweep',
        'Name.$': `$.account.${phase}ExecutionName`,
        Input: { phase, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
      });
      expect(state?.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'] });
      expect(state?.Retry?.flatMap((r) => r.ErrorEquals)).toContain('StepFunctions.ExecutionLimitExceeded');
    }
  });

  it('fans out over batches of accounts read from S3 (no account list in a state), with STANDARD children', () => {
    for (const [name, items] of [
      ['PlanAccounts', '$.batches'],
      ['ActInAccounts', '$.limit.actBatches'],
    ] as const) {
      const map = states.get(name);
      expect(map?.ItemsPath).toBe(items);
      expect(map?.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(map?.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'SendOrganizationReport' });
    }
    expect(states.get('ReadAccounts')?.Resource).toBe('arn:aws:states:::aws-sdk:s3:getObject');
    expect(states.get('SavePlans')?.Resource).toBe('arn:aws:states:::aws-sdk:s3:putObject');
  });

  it('decides the organization breaker between the plans and the first change', () => {
    const next = (name: string) =>
      (definition as { States: Record<string, { Next?: string }> }).States[name]?.Next;
    expect(next('PlanAccounts')).toBe('CheckOrganizationLimit');
    expect(next('CheckOrganizationLimit')).toBe('ShouldActInAccounts');
  });

  it('has the time limit the deletion rule assumes of a run (accounts are judged at the organization run’s start)', () => {
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(RUN_MAX_MS / 1000);
  });
});
