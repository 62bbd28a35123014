/**
 * moto's server in a Python process of its own (moto_host.py), for the emulator suite: started on
 * 127.0.0.1 at a free port, driven by JSON lines on its stdin, stopped by closing it. Every wait is
 * bounded; an error message never holds a full access key ID (Python's texts are redacted).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { redactAccessKeyIds } from '../../functions/shared/masking';

const HOST_SCRIPT = path.join(__dirname, 'moto_host.py');
/** What moto_host.py imports: moto's server needs the moto[server] extras (flask, werkzeug). */
const PROBE = 'import moto, moto.server, moto.iam.models, moto.ses.models; print(moto.__version__)';

/** The Python that runs moto: KEYSWEEP_PYTHON, else python3 on the PATH. */
export const python = (): string => process.env.KEYSWEEP_PYTHON || 'python3';

export type MotoAvailability = { available: true; version: string } | { available: false; reason: string };

/** Whether `python` can import moto's server, and if not, why. */
export function motoAvailability(timeoutMs = 30_000): MotoAvailability {
  const probe = spawnSync(python(), ['-c', PROBE], { encoding: 'utf8', timeout: timeoutMs });
  if (probe.error) {
    return { available: false, reason: `${python()} could not be run (${probe.error.message})` };
  }
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').at(-1) || `exit status ${probe.status ?? probe.signal}`;
    return { available: false, reason: `${python()} cannot import moto's server (${last})` };
  }
  return { available: true, version: probe.stdout.trim() };
}

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const TAIL = 4000;

/** moto's server in its Python process. `start()` gives one that listens; `stop()` ends it. */
export class MotoHost {
  /** the replies awaited, in the order the commands were sent */
  private readonly pending: Pending[] = [];
  private readonly ready: Promise<number>;
  private readonly exited: Promise<void>;
  /** why no more commands can be sent, once that is so */
  private broken: string | undefined;
  private stderrTail = '';
  private port = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-TAIL);
    });
    // 'exit', not 'close': a grandchild holding the pipes open must not make stop() wait forever.
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.broken ??= 'moto has exited';
        resolve();
      });
      child.once('error', () => {
        if (child.pid === undefined) resolve(); // never started
      });
    });
    let onReady: (port: number) => void = () => undefined;
    let onNotReady: (error: Error) => void = () => undefined;
    this.ready = new Promise<number>((resolve, reject) => {
      onReady = resolve;
      onNotReady = reject;
    });
    child.once('error', (error) => onNotReady(this.failure(`${python()} could not be run`, error.message)));
    void this.readLines(onReady, onNotReady);
  }

  /** Starts moto and waits (at most `timeoutMs`) until it listens. */
  static async start(timeoutMs = 30_000): Promise<MotoHost> {
    const host = new MotoHost(spawn(python(), [HOST_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] }));
    let timer: NodeJS.Timeout | undefined;
    try {
      host.port = await Promise.race([
        host.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(host.failure('moto did not start', `no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      return host;
    } catch (error) {
      await host.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends one command to moto_host.py and waits (at most `timeoutMs`) for its answer. */
  command<T>(command: { op: string } & Record<string, unknown>, timeoutMs = 15_000): Promise<T> {
    if (this.broken !== undefined)
      return Promise.reject(new Error(`moto: cannot ${command.op}: ${this.broken}`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A late answer would be taken for the next command's: no more commands after this.
        this.broken = `${command.op} got no answer within ${timeoutMs} ms`;
        reject(new Error(`moto: ${this.broken}`));
      }, timeoutMs);
      this.pending.push({
        op: command.op,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  /** Stops moto: asks it to, closes its stdin, and kills it if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.stdin.writable) {
      this.child.stdin.end(`${JSON.stringify({ op: 'stop' })}\n`);
    }
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!inTime) await this.kill();
  }

  /** Whether the Python process has ended. */
  get stopped(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private async kill(): Promise<void> {
    if (!this.stopped) this.child.kill('SIGKILL');
    await this.exited;
  }

  private failure(what: string, why: string): Error {
    const stderr = redactAccessKeyIds(this.stderrTail.trim());
    return new Error(`${what}: ${why}${stderr ? `\n${stderr}` : ''}`);
  }

  /** The first line says moto listens; each later one answers the oldest command awaiting it. */
  private async readLines(onReady: (port: number) => void, onNotReady: (error: Error) => void) {
    let first = true;
    for await (const line of createInterface({ input: this.child.stdout })) {
      if (first) {
        first = false;
        const ready = parseJson(line) as { ready?: unknown; port?: unknown } | undefined;
        if (ready?.ready === true && typeof ready.port === 'number') onReady(ready.port);
        else onNotReady(this.failure('moto did not start', 'its first line was not {"ready": true, ...}'));
        continue;
      }
      const waiting = this.pending.shift();
      if (!waiting) continue;
      const reply = parseJson(line) as { ok?: unknown; error?: unknown } | undefined;
      if (reply === undefined)
        waiting.reject(new Error(`moto: ${waiting.op} got an answer that is not JSON`));
      else if (reply.error !== undefined)
        waiting.reject(new Error(`moto: ${waiting.op}: ${redactAccessKeyIds(String(reply.error))}`));
      else waiting.resolve(reply.ok);
    }
    await this.exited;
    onNotReady(this.failure('moto did not start', 'the Python process exited'));
    for (const waiting of this.pending.splice(0))
      waiting.reject(this.failure('moto', 'the Python process exited'));
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
