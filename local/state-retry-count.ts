/**
 * `$$.State.RetryCount` in a local run. aws-local-stepfunctions 3.0 puts only what the runner
 * passes (Execution, and Map inside maps) in the Context object: it has no `State` at all, and
 * re-runs a retried task with the same Context. So the runner gives the Context a constant
 * `State: { RetryCount: 0 }` (the path resolves, as in AWS), and this counter replaces that 0 in
 * a task's input with the real retry count: the attempts of the same state with the same input,
 * counted per execution, minus one. A state entered twice with identical input in one execution
 * would count on; keysweep's ASL has none (each DeactivateKey has its own key).
 */
const RETRY_COUNT_PATH = '$$.State.RetryCount';

type Path = readonly string[];

/** Where a state's Parameters put $$.State.RetryCount, as paths into the task's input. */
export function retryCountPaths(parameters: unknown, prefix: Path = []): Path[] {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) return [];
  return Object.entries(parameters as Record<string, unknown>).flatMap(([key, value]) => {
    if (key.endsWith('.$')) return value === RETRY_COUNT_PATH ? [[...prefix, key.slice(0, -2)]] : [];
    return retryCountPaths(value, [...prefix, key]);
  });
}

function setAt(value: unknown, path: Path, count: number | undefined): unknown {
  const [head, ...rest] = path;
  if (head === undefined || value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length > 0) copy[head] = setAt(copy[head], rest, count);
  else if (count === undefined) delete copy[head];
  else copy[head] = count;
  return copy;
}

export class StateRetryCounter {
  private readonly paths = new Map<string, Path[]>();
  private readonly attempts = new Map<string, number>();

  constructor(states: Readonly<Record<string, { Parameters?: unknown }>>) {
    for (const [name, state] of Object.entries(states)) {
      const paths = retryCountPaths(state.Parameters);
      if (paths.length > 0) this.paths.set(name, paths);
    }
  }

  /** The task input of this attempt, with its RetryCount: 0 on the first attempt, then 1, 2, ... */
  stamp(stateName: string, input: unknown): unknown {
    const paths = this.paths.get(stateName);
    if (paths === undefined) return input;
    const identity = `${stateName}\u0000${JSON.stringify(paths.reduce((v, p) => setAt(v, p, undefined), input))}`;
    const retryCount = this.attempts.get(identity) ?? 0;
    this.attempts.set(identity, retryCount + 1);
    return paths.reduce((v, p) => setAt(v, p, retryCount), input);
  }
}
