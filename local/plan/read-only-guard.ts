/**
 * The read-only guard of `npm run plan`: middleware on an SDK client that refuses every operation
 * its service's allow-list does not name, so that a plan can never change the accounts it reads,
 * even if a bug, a configuration or a future change of the state machines asked for a write.
 *
 * It sits first in the SDK's middleware stack (step `initialize`, priority `high`): a refused
 * command is thrown back before its input is serialized, its request built, signed or sent, and
 * before any retry (the retry middleware is in `finalizeRequest`). The tests that prove it
 * (test/local/plan/read-only-guard.test.ts, organization-guard.test.ts) send every command of
 * @aws-sdk/client-iam, client-sts and client-organizations through it.
 *
 * The allow-lists are by operation name, one per service a plan talks to:
 * - IAM: List*, Get* and GenerateCredentialReport, which asks IAM to compile the account's
 *   credential report and changes no user, key or policy;
 * - STS (`--org`): AssumeRole, to enter each account through its member role (and the management
 *   account through the org reader role), and GetCallerIdentity, to name the hub;
 * - Organizations (`--org` with `accounts: "ALL"`): List* and Describe*.
 * A command whose name the SDK does not give is refused (fail closed).
 */

/** The services a plan's clients talk to, named as the run's statistics name them. */
export type GuardedService = 'IAM' | 'STS' | 'ORGANIZATIONS';

export const READ_ONLY_GUARD = 'keysweepReadOnlyGuard';

interface AllowList {
  allows: (operation: string) => boolean;
  /** for the refusal's message: what is sent */
  describe: string;
}

const ALLOW_LISTS: Record<GuardedService, AllowList> = {
  IAM: {
    allows: (operation) => /^(List|Get)[A-Z]/.test(operation) || operation === 'GenerateCredentialReport',
    describe: 'List*, Get* and GenerateCredentialReport',
  },
  STS: {
    allows: (operation) => operation === 'AssumeRole' || operation === 'GetCallerIdentity',
    describe: 'AssumeRole and GetCallerIdentity',
  },
  ORGANIZATIONS: {
    allows: (operation) => /^(List|Describe)[A-Z]/.test(operation),
    describe: 'List* and Describe*',
  },
};

/** Whether the guard lets `operation` (e.g. `ListAccessKeys`) of `service` through. */
export function isReadOnlyOperation(service: GuardedService, operation: string): boolean {
  return ALLOW_LISTS[service].allows(operation);
}

/** Whether an IAM operation only reads. */
export const isReadOnlyIamOperation = (operation: string): boolean => isReadOnlyOperation('IAM', operation);

/** A command the guard refused. The name is what a task's error and a failed key in report.json show. */
export class ReadOnlyViolation extends Error {
  override name = 'KeysweepPlanIsReadOnly';
  constructor(
    readonly service: GuardedService,
    readonly operation: string,
  ) {
    super(
      `keysweep plan is read-only: it refused ${service} ${operation || '(an unnamed command)'}, which is not a read (only ${ALLOW_LISTS[service].describe} are sent)`,
    );
  }
}

/** What the guard tells about each call of one client: for the call log and the progress line. */
export interface CallObserver {
  /** a call allowed, about to be sent */
  started?(operation: string, input: Readonly<Record<string, unknown>>): void;
  /** a call that ended: `error` undefined when it succeeded */
  ended?(operation: string, error: unknown): void;
  /** a command refused */
  refused?(operation: string): void;
}

/** `ListAccessKeysCommand` → `ListAccessKeys`; anything else (no name) → ''. */
function operationOf(context: unknown): string {
  const name: unknown =
    context !== null && typeof context === 'object' ? Reflect.get(context, 'commandName') : undefined;
  return typeof name === 'string' ? name.replace(/Command$/, '') : '';
}

/**
 * The one method of an SDK v3 client's middleware stack the guard uses, as it uses it: each
 * client's stack is typed by its own service's inputs and outputs, which the guard never reads.
 */
interface InitializeStack {
  add(
    middleware: (
      next: (args: { input?: unknown }) => Promise<unknown>,
      context: unknown,
    ) => (args: { input?: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; priority: 'high'; name: string; override: boolean },
  ): void;
}

/** Adds the guard of `service` to a client of that service (in place) and returns it. */
export function guardReadOnly<C extends { middlewareStack: object }>(
  client: C,
  service: GuardedService,
  observer: CallObserver = {},
): C {
  const stack = client.middlewareStack as InitializeStack;
  stack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context);
      if (!isReadOnlyOperation(service, operation)) {
        observer.refused?.(operation);
        throw new ReadOnlyViolation(service, operation);
      }
      observer.started?.(operation, (args.input ?? {}) as Readonly<Record<string, unknown>>);
      try {
        const result = await next(args);
        observer.ended?.(operation, undefined);
        return result;
      } catch (error) {
        observer.ended?.(operation, error);
        throw error;
      }
    },
    { step: 'initialize', priority: 'high', name: READ_ONLY_GUARD, override: true },
  );
  return client;
}
