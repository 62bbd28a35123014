/**
 * What an execution may be started with: nothing ({}, as the schedule does), or a request for a
 * safer run. Input can turn a run into report mode, never the other way round.
 */
import { z } from 'zod';
import type { Mode } from '../shared/config';
import {
  accountTargetSchema,
  organizationRunSchema,
  type AccountTarget,
  type OrganizationRun,
} from '../shared/organization';

export class InvalidExecutionInputError extends Error {
  override name = 'InvalidExecutionInput';
}

const HELP =
  'Start keysweep with {} (a normal run), {"mode": "report"} (change nothing, report what would be done) ' +
  'or {"fullScan": true} (read every user\'s keys today)';

const inputSchema = z.strictObject({
  mode: z.enum(['report', 'enforce']).optional(),
  fullScan: z.boolean().optional(),
  // The Step Functions console pre-fills new executions with {"Comment": "Insert your JSON here"}.
  Comment: z.string().optional(),
});

/**
 * What the organization state machine starts an account's plan execution with. The
 * AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID field links the execution to the organization run in
 * the console (Step Functions developer guide, "Start workflow executions from a task state").
 */
const accountInputSchema = z.strictObject({
  phase: z.literal('plan'),
  account: accountTargetSchema,
  organization: organizationRunSchema,
  AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: z.string().optional(),
});

export interface RunRequest {
  mode: Mode;
  modeSource: 'config' | 'input';
  fullScan: boolean;
  /** in an organization: the account this execution sweeps and the organization run it is part of */
  account?: { target: AccountTarget; organization: OrganizationRun };
}

const ORGANIZATION_HELP =
  'This deployment sweeps an organization: start the organization state machine (KeySweep-Organization) ' +
  'with {}, {"mode": "report"} or {"fullScan": true}; it starts one execution of this state machine per account';

/**
 * An account execution's input (organization.enabled): the account and its mode come from the
 * organization run (list-accounts has applied accountOverrides and the run's own input already).
 */
export function parseAccountExecutionInput(input: unknown): RunRequest {
  const parsed = accountInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new InvalidExecutionInputError(
      `Execution input ${JSON.stringify(input ?? {}).slice(0, 200)} is not an account execution's input. ${ORGANIZATION_HELP}.`,
    );
  }
  const { account, organization } = parsed.data;
  return {
    mode: account.mode,
    modeSource: account.modeSource === 'input' ? 'input' : 'config',
    fullScan: organization.fullScan,
    account: { target: account, organization },
  };
}

export function parseExecutionInput(input: unknown, configuredMode: Mode): RunRequest {
  const value = input === null || input === undefined ? {} : input;
  const parsed = inputSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : `${issue.path.join('.') || 'input'}: ${issue.message}`,
      )
      .join('; ');
    throw new InvalidExecutionInputError(
      `Execution input ${JSON.stringify(value).slice(0, 200)} is not valid (${problems}). ${HELP}.`,
    );
  }
  const { mode, fullScan } = parsed.data;
  if (mode === 'enforce' && configuredMode === 'report') {
    throw new InvalidExecutionInputError(
      'Execution input asks for mode "enforce" but the configuration says "report": execution input can make a run safer, never less safe. Change mode in cdk.json and redeploy to enforce.',
    );
  }
  const reportByInput = mode === 'report' && configuredMode !== 'report';
  return {
    mode: reportByInput ? 'report' : configuredMode,
    modeSource: reportByInput ? 'input' : 'config',
    fullScan: fullScan ?? false,
  };
}
