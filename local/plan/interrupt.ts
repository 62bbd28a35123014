/**
 * Ctrl-C (SIGINT) or SIGTERM during a plan: stop at once, with nothing half-written, and exit 130
 * (or 143), as shells expect of a program a signal stopped.
 *
 * Nothing needs undoing: a plan only reads the account, and it writes its output in one go at the
 * end (write-output.ts: into a temporary folder, then renamed into place), synchronously, so a
 * signal is handled either before the output is written (the output folder is as it was) or after
 * (it is complete). The message says which.
 */

export interface InterruptOptions {
  outDir: string;
  /** called first, e.g. to clear the progress line */
  beforeExit?: () => void;
  /** default process.exit */
  exit?: (code: number) => void;
  /** default: to stderr */
  print?: (line: string) => void;
}

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export class InterruptHandling {
  private written = false;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  constructor(private readonly options: InterruptOptions) {
    for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES) as [NodeJS.Signals, number][]) {
      const handler = () => this.stop(signal, code);
      this.handlers.set(signal, handler);
      process.once(signal, handler);
    }
  }

  /** The output has been written in full. */
  markWritten(): void {
    this.written = true;
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.removeListener(signal, handler);
    this.handlers.clear();
  }

  private stop(signal: NodeJS.Signals, code: number): void {
    this.options.beforeExit?.();
    const print = this.options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
    print(
      this.written
        ? `keysweep: ${signal}: stopped; the plan's output in ${this.options.outDir} was already complete`
        : `keysweep: ${signal}: stopped before writing anything; ${this.options.outDir} is as it was`,
    );
    this.dispose();
    (this.options.exit ?? ((exitCode: number) => process.exit(exitCode)))(code);
  }
}
