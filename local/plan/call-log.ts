/**
 * Every call a plan's guarded clients made (read-only-guard.ts), as the run's statistics count
 * them (`IAM.ListAccessKeys`, `STS.AssumeRole`, `ORGANIZATIONS.ListAccounts`), and the errors among
 * them. One log serves every client of a plan: each gets the observer of its service (and, for a
 * member account's IAM, of its account).
 *
 * Inputs are not kept: the statistics count calls by operation, and an input may hold a key ID.
 */
import type { SimulatedCall } from '../simulated-account';
import type { CallObserver, GuardedService } from './read-only-guard';

/** A call about to be sent: what the progress line is told. */
export interface StartedCall {
  service: GuardedService;
  /** the member account whose IAM it reads (organization plans); undefined: the credentials' own account */
  account: string | undefined;
  operation: string;
  input: Readonly<Record<string, unknown>>;
}

export interface LoggedError {
  service: GuardedService;
  account: string | undefined;
  operation: string;
  error: unknown;
}

export class PlanCallLog {
  readonly calls: SimulatedCall[] = [];
  readonly errors: LoggedError[] = [];
  /** every command a guard refused, as `<service>.<operation>` */
  readonly refusedOperations: string[] = [];

  constructor(private readonly onStart?: (call: StartedCall) => void) {}

  /** The observer of one client: of `service`, in `account` when it reads a member account. */
  observer(service: GuardedService, account?: string): CallObserver {
    const where = account === undefined ? {} : { account };
    return {
      started: (operation, input) => this.onStart?.({ service, account, operation, input }),
      ended: (operation, error) => {
        if (error === undefined) {
          this.calls.push({ service, operation, input: {}, outcome: 'ok', ...where });
          return;
        }
        const name = error instanceof Error ? error.name : 'Error';
        this.calls.push({ service, operation, input: {}, outcome: 'error', error: name, ...where });
        this.errors.push({ service, account, operation, error });
      },
      refused: (operation) => {
        this.refusedOperations.push(`${service}.${operation}`);
        this.calls.push({
          service,
          operation,
          input: {},
          outcome: 'error',
          error: 'KeysweepPlanIsReadOnly',
          ...where,
        });
      },
    };
  }
}
