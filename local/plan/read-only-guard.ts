/**
 * The read-only guard of `npm run plan`: middleware on an IAM client that refuses every operation
 * that is not a read, so that a plan can never change the account it reads, even if a bug, a
 * configuration or a future change of the state machine asked for a write.
 *
 * It sits first in the SDK's middleware stack (step `initialize`, priority `high`): a refused
 * command is thrown back before its input is serialized, its request built, signed or sent, and
 * before any retry (the retry middleware is in `finalizeRequest`). The test that proves it
 * (test/local/plan-read-only-guard.test.ts) sends every command of @aws-sdk/client-iam through it.
 *
 * The allow-list is by operation name: List*, Get* and GenerateCredentialReport, which asks IAM to
 * compile the account's credential report and changes no user, key or policy. A command whose
 * name the SDK does not give is refused (fail closed).
 */
import type { IAMClient } from '@aws-sdk/client-iam';

export const READ_ONLY_GUARD = 'keysweepReadOnlyGuard';

/** Whether an IAM operation (e.g. `ListAccessKeys`) only reads. */
export function isReadOnlyIamOperation(operation: string): boolean {
  return /^(List|Get)[A-Z]/.test(operation) || operation === 'GenerateCredentialReport';
}

/** A command the guard refused. The name is what a task's error and a failed key in report.json show. */
export class ReadOnlyViolation extends Error {
  override name = 'KeysweepPlanIsReadOnly';
  constructor(readonly operation: string) {
    super(
      `keysweep plan is read-only: it refused IAM ${operation || '(an unnamed command)'}, which is not a read (only List*, Get* and GenerateCredentialReport are sent)`,
    );
  }
}

/** What the guard tells about each call: for the call log, the progress line, the credential check. */
export interface IamCallObserver {
  /** a read about to be sent */
  started?(operation: string, input: Readonly<Record<string, unknown>>): void;
  /** a read that ended: `error` undefined when it succeeded */
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

/** Adds the guard to an IAM client (in place) and returns it. */
export function guardReadOnly<C extends Pick<IAMClient, 'middlewareStack'>>(
  client: C,
  observer: IamCallObserver = {},
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context);
      if (!isReadOnlyIamOperation(operation)) {
        observer.refused?.(operation);
        throw new ReadOnlyViolation(operation);
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
