/**
 * What the local command-line entry points share (`npm start`, local/main.ts, and `npm run plan`,
 * local/plan/main.ts): a bad option reported with the usage, the output folder's check, writing
 * a run's files and printing its summary, the Node version warning filter, and how an error ends
 * the process.
 *
 * Exit codes: 0 the run succeeded; 3 it ran and failed, or its deployment's permissions would not
 * let it start; 2 bad input (an ExitError says its own code); 1 a crash.
 */
import { redactAccessKeyIds } from '../functions/shared/masking';
import { DeploymentError, ExecutionNotStartedError } from './deployment-authorization';
import { InputError } from './load-inputs';
import { summaryLines } from './print-summary';
import type { WorkflowRun } from './run-workflow';
import { assertReplaceableOutput, UnsafeOutputError, writeOutputAtomically } from './write-output';

/** An error that ends the command with its own one-line message and exit code. */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The AWS SDK warns that it will soon need Node 22; the Lambdas run on Node 22, locally it is noise. */
export function quietNodeVersionWarning(): void {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (
      /NodeVersionSupportWarning|require node >=22/.test(text) ||
      rest.includes('NodeVersionSupportWarning')
    )
      return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** What node:util's parseArgs threw for an unknown or malformed option, as bad input followed by the usage. */
export function usageError(error: unknown, usage: string): InputError {
  return new InputError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
}

/** Refuses an output folder that writing the run's files would harm (write-output.ts), as bad input. */
export function checkOutputFolder(outDir: string): void {
  try {
    assertReplaceableOutput(outDir);
  } catch (error) {
    if (error instanceof UnsafeOutputError) throw new InputError(error.message);
    throw error;
  }
}

/** Writes the run's files to `outDir` all at once, then prints the run's summary. */
export function writeAndSummarize(
  outDir: string,
  run: WorkflowRun,
  files: Readonly<Record<string, string>>,
): void {
  writeOutputAtomically(outDir, files);
  for (const text of summaryLines(run, outDir, Object.keys(files))) console.log(text);
}

/** Ends the process with the command's exit code, or the one its error calls for. */
export function exitWith(command: Promise<number>): void {
  command.then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ExitError) {
        console.error(`keysweep: ${redactAccessKeyIds(error.message)}`);
        process.exit(error.exitCode);
      }
      if (error instanceof InputError) {
        console.error(`keysweep: ${error.message}`);
        process.exit(2);
      }
      if (error instanceof DeploymentError || error instanceof ExecutionNotStartedError) {
        // The deployment's own permissions stop the run before it starts, as they would in AWS.
        console.error(`keysweep: the run could not start: ${redactAccessKeyIds(error.message)}`);
        process.exit(3);
      }
      console.error('keysweep: the local run crashed:', error);
      process.exit(1);
    },
  );
}
