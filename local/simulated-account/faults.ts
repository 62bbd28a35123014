/** Faults a simulated account can inject: throttling, SES down, a slow credential report, hooks. */
import type { SimulatedAccount, SimulatedService } from './simulated-account';
import { iamThrottling, sesError } from './aws-errors';
import { mulberry32 } from './prng';

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

  /** Throws the error this call fails with, if a fault hits it. */
  check(service: SimulatedService, operation: string): void {
    if (service === 'IAM' && this.throttleRate > 0 && this.random() < this.throttleRate)
      throw iamThrottling();
    if (service === 'SES' && operation === 'SendEmail' && this.faults.sesDown) {
      // What SDK v3 surfaces for SES's unmodelled ServiceUnavailable code.
      throw sesError('ServiceUnavailable', 'Service Unavailable', 503);
    }
  }
}
