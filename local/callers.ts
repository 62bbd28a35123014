/**
 * Who is making an AWS call in a local run: one of the stack's functions (its role), or the state
 * machine itself (its role, for the ASL's own SDK tasks, invoking functions and starting child
 * executions). The runner sets it around each piece of work; the simulated account reads it to
 * authorize the call as AWS would authorize that principal.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The Lambda functions of the sweep, by folder name. */
export const FUNCTIONS = [
  'list-users',
  'find-stale-keys',
  'check-action-limit',
  'deactivate-key',
  'send-report',
] as const;
export type SweepFunctionName = (typeof FUNCTIONS)[number];

/** The Lambda functions of the exposure path (an AWS Health exposed-key event), by folder name. */
export const EXPOSURE_FUNCTIONS = ['deactivate-exposed-key', 'notify-exposure'] as const;
export type ExposureFunctionName = (typeof EXPOSURE_FUNCTIONS)[number];

export type FunctionName = SweepFunctionName | ExposureFunctionName;

/** The organization run's own functions (organization.enabled). */
export const ORGANIZATION_FUNCTIONS = [
  'list-accounts',
  'check-organization-limit',
  'send-organization-report',
] as const;
export type OrganizationFunctionName = (typeof ORGANIZATION_FUNCTIONS)[number];
export type AnyFunctionName = FunctionName | OrganizationFunctionName;

export type LocalCaller =
  | { kind: 'function'; name: AnyFunctionName }
  | { kind: 'state-machine' }
  /** the organization state machine (organization.enabled) */
  | { kind: 'organization-state-machine' }
  /** the EventBridge rule that starts the scheduled run */
  | { kind: 'schedule' }
  /** the exposure state machine */
  | { kind: 'exposure-state-machine' }
  /** the EventBridge rule that starts it on an AWS Health exposed-key event */
  | { kind: 'exposure-rule' };

const storage = new AsyncLocalStorage<LocalCaller>();

/** Runs `work` with `caller` as the principal of every AWS call it makes. */
export function runAs<T>(caller: LocalCaller, work: () => Promise<T>): Promise<T> {
  return storage.run(caller, work);
}

/** The principal of the AWS call being made now, if the runner named one. */
export function currentCaller(): LocalCaller | undefined {
  return storage.getStore();
}

/** The key that names a caller's principal in the deployment's policies. */
export function callerKey(caller: LocalCaller): string {
  return caller.kind === 'function' ? `function:${caller.name}` : caller.kind;
}

export function describeCaller(caller: LocalCaller): string {
  return caller.kind === 'function' ? `function ${caller.name}` : caller.kind;
}
