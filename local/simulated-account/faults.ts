/**
 * Faults a simulated account can inject: throttling, SES down, a slow, failing or malformed
 * credential report, Lambda timeouts, hooks.
 */
import { LimitExceededException, ServiceFailureException } from '@aws-sdk/client-iam';
import type { SimulatedAccount, SimulatedService } from './simulated-account';
import { iamThrottling, sesError } from './aws-errors';
import { mulberry32 } from './prng';
import {
  currentInvocation,
  InvocationTimedOutError,
  type LambdaTimeoutErrorName,
} from '../lambda-invocation';

/**
 * How a user's credential report row is written malformed: 'unquoted' without RFC 4180 quotes
 * (a comma in the user name, and so in its ARN, then splits fields), 'truncated' cut off halfway.
 */
export type MalformedReportRow = 'unquoted' | 'truncated';

/** Errors a credential report operation can be made to fail with (see `credentialReportFailure`). */
export type CredentialReportFailure = 'LimitExceededException' | 'ServiceFailureException' | 'Throttling';

export interface Faults {
  /** Fraction (0..1) of IAM calls that throw a Throttling error, deterministic from `seed`. */
  throttleRate?: number;
  /** PRNG seed for throttling (default 1). */
  seed?: number;
  /** Every SES SendEmail rejects with 'ServiceUnavailable'. */
  sesDown?: boolean;
  /**
   * When a new credential report is generated, GenerateCredentialReport answers STARTED, then
   * INPROGRESS this many times, then COMPLETE (default 1).
   */
  credentialReportPolls?: number;
  /** Users whose row of the credential report is written malformed, and how. */
  malformedCredentialReportRows?: Readonly<Record<string, MalformedReportRow>>;
  /**
   * What the credential report writes as an Inactive key's access_key_N_last_rotated: 'N/A' (the
   * default, the strict reading of AWS's "N/A if the user does not have an active access key") or
   * 'shown' (its date, the other reading, and what moto writes). See credential-report.ts.
   */
  credentialReportInactiveLastRotated?: 'N/A' | 'shown';
  /**
   * Every call of this credential report operation fails with this error: GenerateCredentialReport
   * documents LimitExceeded (409) and ServiceFailure (500); any IAM call may be throttled.
   */
  credentialReportFailure?: {
    operation: 'GenerateCredentialReport' | 'GetCredentialReport';
    error: CredentialReportFailure;
  };
  /**
   * A Lambda timeout right after a call succeeded: return true and the Lambda invocation that
   * made the call times out there, its effect applied (UpdateAccessKey went through, say). The
   * runner fails the task as Step Functions reports a function timeout (lambdaTimeoutError) and
   * abandons the handler, whose calls from then on change nothing (../lambda-invocation.ts).
   */
  timeOutAfter?: (
    call: { service: SimulatedService; operation: string; input: Record<string, unknown> },
    account: SimulatedAccount,
  ) => boolean;
  /** The task error of such a timeout (default 'Sandbox.Timedout'; see LambdaTimeoutErrorName). */
  lambdaTimeoutError?: LambdaTimeoutErrorName;
  /** Runs before every call (IAM, S3, SES), before throttling; may mutate the account. */
  beforeCall?: (
    call: { service: SimulatedService; operation: string; input: Record<string, unknown> },
    account: SimulatedAccount,
  ) => void;
}

export class FaultInjector {
  private readonly random: () => number;
  private readonly throttleRate: number;

  constructor(readonly faults: Faults) {
    const rate = faults.throttleRate ?? 0;
    if (!(rate >= 0 && rate <= 1))
      throw new Error(`SimulatedAccount: throttleRate must be in 0..1 (got ${rate})`);
    this.throttleRate = rate;
    this.random = mulberry32(faults.seed ?? 1);
  }

  /** A call of an invocation that timed out is not made: its rejection, or null for any other call. */
  deadCall(): Promise<never> | null {
    return currentInvocation()?.timedOut ? Promise.reject(new InvocationTimedOutError()) : null;
  }

  /** After a call succeeded: times out its invocation when timeOutAfter says so (the call's answer is lost). */
  afterCall(
    call: { service: SimulatedService; operation: string; input: Record<string, unknown> },
    account: SimulatedAccount,
  ): Promise<never> | null {
    if (!this.faults.timeOutAfter?.(call, account)) return null;
    const invocation = currentInvocation();
    if (invocation === undefined) {
      return Promise.reject(
        new Error(`timeOutAfter matched ${call.service} ${call.operation}, not made by a Lambda invocation`),
      );
    }
    invocation.timeOut(this.faults.lambdaTimeoutError ?? 'Sandbox.Timedout');
    return Promise.reject(new InvocationTimedOutError());
  }

  /** Throws the error this call fails with, if a fault hits it. */
  check(service: SimulatedService, operation: string): void {
    const reportFailure = this.faults.credentialReportFailure;
    if (service === 'IAM' && operation === reportFailure?.operation) throw reportError(reportFailure.error);
    if (service === 'IAM' && this.throttleRate > 0 && this.random() < this.throttleRate)
      throw iamThrottling();
    if (service === 'SES' && operation === 'SendEmail' && this.faults.sesDown) {
      // What SDK v3 surfaces for SES's unmodelled ServiceUnavailable code.
      throw sesError('ServiceUnavailable', 'Service Unavailable', 503);
    }
  }
}

/**
 * The error as SDK v3 surfaces it. AWS documents the codes and statuses, not the messages: these
 * messages are made up.
 */
function reportError(name: CredentialReportFailure): Error {
  switch (name) {
    case 'LimitExceededException':
      return new LimitExceededException({
        message: 'Credential report generation limit exceeded for the account.',
        $metadata: { httpStatusCode: 409 },
      });
    case 'ServiceFailureException':
      return new ServiceFailureException({
        message: 'The request processing has failed because of an unknown error.',
        $metadata: { httpStatusCode: 500 },
      });
    case 'Throttling':
      return iamThrottling();
  }
}
