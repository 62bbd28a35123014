/**
 * Statistics of one local run: Lambda invocations, AWS calls, state transitions and history
 * events per execution (the parent, and each child of a distributed map on its own, as AWS keeps
 * their histories apart), the largest state payload, and an estimated AWS cost.
 */
import type { SimulatedCall } from './simulated-account';

/** AWS list prices (us-east-1, arm64 Lambda) used for the estimate. */
export const UNIT_PRICES = {
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaPerGbSecond: 0.0000133334,
  s3PerPut: 0.005 / 1000,
  s3PerGet: 0.0004 / 1000,
  sesPerEmail: 0.1 / 1000,
} as const;

/**
 * The monthly free tier: Step Functions standard transitions and Lambda requests and compute
 * (always free); S3 requests and SES messages (the first 12 months of an account).
 */
export const FREE_TIER_PER_MONTH = {
  stepFunctionsTransitions: 4000,
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  s3Puts: 2000,
  s3Gets: 20_000,
  sesMessages: 3000,
} as const;

/** Memory of each function in the stack, in MB (the estimate's GB-seconds use it). */
export const FUNCTION_MEMORY_MB: Record<string, number> = {
  'list-users': 512,
  'find-stale-keys': 512,
  'check-action-limit': 256,
  'deactivate-key': 256,
  'send-report': 1024,
  'list-accounts': 512,
  'check-organization-limit': 512,
  'send-organization-report': 1024,
};

export interface RunStats {
  wallMs: number;
  lambdaInvocations: { total: number } & Record<string, number>;
  awsCalls: { total: number } & Record<string, number>;
  transitions: { total: number; largestExecution: number; executions: number };
  historyEvents: { largestExecution: number; largestExecutionName: string };
  payloadBytes: { largest: number; largestState: string };
  estimatedCostUsd: {
    perRun: number;
    per30Days: number;
    per30DaysWithinFreeTier: number;
    breakdownPerRun: Record<string, number>;
    unitPrices: typeof UNIT_PRICES;
    freeTierPerMonth: typeof FREE_TIER_PER_MONTH;
    notes: string;
  };
}

interface StateInfo {
  type: string;
  /** the distributed map whose child executions run this state, or null for the parent */
  childOf: string | null;
  mode: 'INLINE' | 'DISTRIBUTED' | null;
}

interface RawState {
  Type?: string;
  ItemProcessor?: {
    ProcessorConfig?: { Mode?: string };
    StartAt?: string;
    States?: Record<string, RawState>;
  };
  Iterator?: { StartAt?: string; States?: Record<string, RawState> };
}

/** History events Step Functions records when a state of this type runs once. */
function eventsPerState(info: StateInfo): number {
  switch (info.type) {
    case 'Task':
      return 5; // Entered, Scheduled, Started, Succeeded, Exited
    case 'Map':
      return info.mode === 'DISTRIBUTED' ? 5 : 4; // Entered, (MapRun)Started, Succeeded, Exited (+MapRunSucceeded)
    case 'Fail':
      return 1;
    default:
      return 2; // Entered, Exited
  }
}

interface EventLike {
  type: string;
  index?: number;
  state?: { name: string; input?: unknown; output?: unknown };
}

/** All IAM calls of a run, whatever the operation. */
export function iamCallCount(stats: Pick<RunStats, 'awsCalls'>): number {
  return Object.entries(stats.awsCalls)
    .filter(([name]) => name.startsWith('IAM.'))
    .reduce((sum, [, count]) => sum + count, 0);
}

export class RunRecorder {
  private readonly states = new Map<string, StateInfo>();
  /** inline maps and the state each iteration starts with */
  private readonly inlineStartStates = new Set<string>();
  private readonly invocations: Record<string, number> = {};
  private readonly perExecution = new Map<string, { transitions: number; events: number }>();
  private largestPayload = 0;
  private largestPayloadState = '';

  constructor(definition: { States: unknown }) {
    const walk = (states: Record<string, RawState>, childOf: string | null) => {
      for (const [name, state] of Object.entries(states)) {
        const processor = state.ItemProcessor ?? state.Iterator;
        const mode =
          state.Type === 'Map'
            ? state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED'
              ? 'DISTRIBUTED'
              : 'INLINE'
            : null;
        this.states.set(name, { type: state.Type ?? 'Task', childOf, mode });
        if (processor?.States) {
          if (mode === 'INLINE' && processor.StartAt) this.inlineStartStates.add(processor.StartAt);
          walk(processor.States, mode === 'DISTRIBUTED' ? name : childOf);
        }
      }
    };
    walk(definition.States as Record<string, RawState>, null);
  }

  /**
   * Takes in what another execution's recorder saw (a nested execution: its own history, as AWS
   * keeps it), its executions' keys prefixed with `prefix`.
   */
  absorb(other: RunRecorder, prefix: string): void {
    for (const [key, entry] of other.perExecution) this.perExecution.set(`${prefix}${key}`, { ...entry });
    for (const [name, count] of Object.entries(other.invocations))
      this.invocations[name] = (this.invocations[name] ?? 0) + count;
    if (other.largestPayload > this.largestPayload) {
      this.largestPayload = other.largestPayload;
      this.largestPayloadState = `${prefix}${other.largestPayloadState}`;
    }
  }

  lambdaInvoked(functionName: string): void {
    this.invocations[functionName] = (this.invocations[functionName] ?? 0) + 1;
  }

  private execution(key: string) {
    let entry = this.perExecution.get(key);
    if (!entry) {
      entry = { transitions: 0, events: 2 }; // ExecutionStarted, ExecutionSucceeded/Failed
      this.perExecution.set(key, entry);
    }
    return entry;
  }

  private measure(stateName: string, value: unknown) {
    if (value === undefined) return;
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (bytes > this.largestPayload) {
      this.largestPayload = bytes;
      this.largestPayloadState = stateName;
    }
  }

  /** Reads the execution's event log to its end. */
  async consume(events: AsyncIterable<unknown>): Promise<void> {
    for await (const raw of events) {
      const event = raw as EventLike;
      const name = event.state?.name;
      if (name === undefined) continue;
      const info = this.states.get(name);
      if (!info) continue;
      const key = info.childOf === null ? 'parent' : `${info.childOf}#${event.index ?? 0}`;
      const execution = this.execution(key);
      if (event.type === 'StateEntered') {
        execution.transitions++;
        execution.events += eventsPerState(info);
        if (this.inlineStartStates.has(name)) execution.events += 2; // MapIterationStarted/Succeeded
        this.measure(name, event.state?.input);
      } else if (event.type === 'StateExited') {
        this.measure(name, event.state?.output);
      } else if (event.type === 'StateRetried') {
        execution.transitions++;
        execution.events += 3; // TaskFailed, TaskScheduled, TaskStarted
      } else if (event.type === 'StateFailed' || event.type === 'StateCaught') {
        execution.events += 1;
      }
    }
  }

  finish(wallMs: number, calls: readonly SimulatedCall[]): RunStats {
    const awsCalls: Record<string, number> = {};
    for (const call of calls) {
      const key = `${call.service}.${call.operation}`;
      awsCalls[key] = (awsCalls[key] ?? 0) + 1;
    }
    let transitions = 0;
    let largestTransitions = 0;
    let largestEvents = 0;
    let largestName = 'parent';
    for (const [key, entry] of this.perExecution) {
      transitions += entry.transitions;
      largestTransitions = Math.max(largestTransitions, entry.transitions);
      if (entry.events > largestEvents) {
        largestEvents = entry.events;
        largestName = key;
      }
    }
    const lambdaTotal = Object.values(this.invocations).reduce((a, b) => a + b, 0);
    const awsTotal = calls.length;
    return {
      wallMs,
      lambdaInvocations: { total: lambdaTotal, ...this.invocations },
      awsCalls: { total: awsTotal, ...awsCalls },
      transitions: {
        total: transitions,
        largestExecution: largestTransitions,
        executions: this.perExecution.size,
      },
      historyEvents: { largestExecution: largestEvents, largestExecutionName: largestName },
      payloadBytes: { largest: this.largestPayload, largestState: this.largestPayloadState },
      estimatedCostUsd: estimateCost(transitions, this.invocations, awsCalls),
    };
  }
}

/** Billed Lambda duration assumed per invocation, ms (a conservative figure, not measured locally). */
const ASSUMED_MS_PER_INVOCATION: Record<string, number> = {
  'list-users': 2000,
  'find-stale-keys': 3000,
  'check-action-limit': 50,
  'deactivate-key': 300,
  'send-report': 3000,
  'list-accounts': 5000,
  'check-organization-limit': 1000,
  'send-organization-report': 5000,
};

function estimateCost(
  transitions: number,
  invocations: Record<string, number>,
  awsCalls: Record<string, number>,
): RunStats['estimatedCostUsd'] {
  const requests = Object.values(invocations).reduce((a, b) => a + b, 0);
  const gbSeconds = Object.entries(invocations).reduce(
    (sum, [name, count]) =>
      sum +
      count * ((ASSUMED_MS_PER_INVOCATION[name] ?? 1000) / 1000) * ((FUNCTION_MEMORY_MB[name] ?? 512) / 1024),
    0,
  );
  const puts = awsCalls['S3.PutObject'] ?? 0;
  const gets =
    (awsCalls['S3.GetObject'] ?? 0) + (awsCalls['S3.HeadObject'] ?? 0) + (awsCalls['S3.ListObjectsV2'] ?? 0);
  const emails = awsCalls['SES.SendEmail'] ?? 0;
  const breakdown = {
    stepFunctions: transitions * UNIT_PRICES.stepFunctionsPerTransition,
    lambdaRequests: requests * UNIT_PRICES.lambdaPerRequest,
    lambdaCompute: gbSeconds * UNIT_PRICES.lambdaPerGbSecond,
    s3: puts * UNIT_PRICES.s3PerPut + gets * UNIT_PRICES.s3PerGet,
    ses: emails * UNIT_PRICES.sesPerEmail,
  };
  const perRun = Object.values(breakdown).reduce((a, b) => a + b, 0);
  const month = 30;
  const billableTransitions = Math.max(0, transitions * month - FREE_TIER_PER_MONTH.stepFunctionsTransitions);
  const billableRequests = Math.max(0, requests * month - FREE_TIER_PER_MONTH.lambdaRequests);
  const billableGbSeconds = Math.max(0, gbSeconds * month - FREE_TIER_PER_MONTH.lambdaGbSeconds);
  const billable = (perRun: number, free: number) => Math.max(0, perRun * month - free);
  const withinFreeTier =
    billableTransitions * UNIT_PRICES.stepFunctionsPerTransition +
    billableRequests * UNIT_PRICES.lambdaPerRequest +
    billableGbSeconds * UNIT_PRICES.lambdaPerGbSecond +
    billable(puts, FREE_TIER_PER_MONTH.s3Puts) * UNIT_PRICES.s3PerPut +
    billable(gets, FREE_TIER_PER_MONTH.s3Gets) * UNIT_PRICES.s3PerGet +
    billable(emails, FREE_TIER_PER_MONTH.sesMessages) * UNIT_PRICES.sesPerEmail;
  return {
    perRun: round(perRun),
    per30Days: round(perRun * month),
    per30DaysWithinFreeTier: round(withinFreeTier),
    breakdownPerRun: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, round(v)])),
    unitPrices: UNIT_PRICES,
    freeTierPerMonth: FREE_TIER_PER_MONTH,
    notes:
      'Same run every day for 30 days. Lambda compute assumes ' +
      Object.entries(ASSUMED_MS_PER_INVOCATION)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ') +
      ' per invocation at the stack memory sizes; the S3 and SES free tiers last the first 12 months of an account; ' +
      'CloudWatch Logs, alarms, X-Ray, KMS and data transfer are not included; IAM is free.',
  };
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
