/**
 * The SDK terms of the retry budget are what the SDK does: the clients take the budget's
 * attempts and timeouts, and the standard strategy never waits longer than SDK_BACKOFF says.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import {
  SDK_BACKOFF,
  SDK_CLIENTS,
  sdkCallWorstMs,
  sdkClientConfig,
  type SdkClientBudget,
} from '../../../functions/shared/retry-budget';

/** The parts of a client's resolved configuration the budget relies on (SDK internals, typed here). */
interface ResolvedRetryConfig {
  maxAttempts: () => Promise<number>;
  retryStrategy: () => Promise<{
    acquireInitialRetryToken(scope: string): Promise<RetryToken>;
    refreshRetryTokenForRetry(
      token: RetryToken,
      info: { errorType: 'THROTTLING' | 'TRANSIENT'; retryAfterHint?: Date },
    ): Promise<RetryToken>;
  }>;
  requestHandler: { configProvider: Promise<Record<string, unknown>> };
}
interface RetryToken {
  getRetryCount(): number;
}

const CLIENTS: [
  string,
  SdkClientBudget,
  (config: ReturnType<typeof sdkClientConfig>) => { config: unknown },
][] = [
  ['IAM', SDK_CLIENTS.iam, (config) => new IAMClient(config)],
  ['S3', SDK_CLIENTS.s3, (config) => new S3Client(config)],
  ['SES', SDK_CLIENTS.ses, (config) => new SESClient(config)],
];

describe.each(CLIENTS)('the %s client built from the budget', (_name, budget, create) => {
  const resolved = () => create(sdkClientConfig(budget)).config as ResolvedRetryConfig;

  afterEach(() => jest.restoreAllMocks());

  it('makes the budget’s attempts, in standard mode', async () => {
    expect(await resolved().maxAttempts()).toBe(budget.maxAttempts);
  });

  it('cuts each HTTP attempt at the request timeout, as an error, and a slow connect sooner', async () => {
    const handlerConfig = await resolved().requestHandler.configProvider;
    expect(handlerConfig).toMatchObject({
      requestTimeout: budget.requestTimeoutMs,
      connectionTimeout: budget.connectionTimeoutMs,
      throwOnRequestTimeout: true,
    });
    expect(budget.connectionTimeoutMs).toBeLessThan(budget.requestTimeoutMs);
  });

  it('never waits longer between attempts than the budget allows, nor tries more often', async () => {
    // The longest jitter, a throttling error (the larger base) and a Retry-After far away.
    jest.spyOn(Math, 'random').mockReturnValue(0.999999999);
    const waits: number[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      waits.push(ms ?? 0);
      callback();
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    const strategy = await resolved().retryStrategy();
    let token = await strategy.acquireInitialRetryToken('budget-test');
    const hint = { errorType: 'THROTTLING' as const, retryAfterHint: new Date(Date.now() + 3_600_000) };
    for (let retry = 0; retry < budget.maxAttempts - 1; retry++) {
      token = await strategy.refreshRetryTokenForRetry(token, hint);
    }
    await expect(strategy.refreshRetryTokenForRetry(token, hint)).rejects.toThrow();
    expect(waits).toHaveLength(budget.maxAttempts - 1);
    waits.forEach((wait, i) => {
      expect(wait).toBeLessThanOrEqual(
        Math.min(SDK_BACKOFF.capMs, SDK_BACKOFF.baseMs * 2 ** i) + SDK_BACKOFF.retryAfterExtraMs,
      );
    });
    // the bound is not loose by more than a millisecond a wait: the model is the SDK's
    expect(sdkCallWorstMs(budget) - budget.maxAttempts * budget.requestTimeoutMs).toBeLessThanOrEqual(
      waits.reduce((a, b) => a + b, 0) + waits.length,
    );
  });
});

describe('sdkCallWorstMs', () => {
  it('adds every attempt at its timeout and every wait at its longest', () => {
    expect(sdkCallWorstMs({ maxAttempts: 1, requestTimeoutMs: 3_000, connectionTimeoutMs: 1_000 })).toBe(
      3_000,
    );
    expect(sdkCallWorstMs({ maxAttempts: 3, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000 })).toBe(
      15_000 + (1_000 + 5_000) + (2_000 + 5_000),
    );
  });
});
