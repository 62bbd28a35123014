/**
 * `npm start`: runs the real state machine locally against a simulated account (by default
 * the built-in demo account), prints a short summary and writes the run's files to out/.
 *
 *   npm start -- [--account FILE] [--config FILE] [--out DIR] [--mode report|enforce] [--input JSON]
 *
 * Exit codes: 0 the execution succeeded; 3 it failed, or its deployment's permissions would not let
 * it start (see the summary); 2 bad input; 1 crash.
 */
import { parseArgs } from 'node:util';
import { redactAccessKeyIds } from '../functions/shared/masking';
import { buildVersion } from '../infra/version';
import { DeploymentError, ExecutionNotStartedError } from './deployment-authorization';
import { InputError, DEMO_ACCOUNT, DEMO_CONFIG, loadAccount, loadConfig } from './load-inputs';
import { summaryLines } from './print-summary';
import { outputFiles } from './run-output';
import { runWorkflow } from './run-workflow';
import { assertReplaceableOutput, UnsafeOutputError, writeOutputAtomically } from './write-output';

// The AWS SDK warns that it will soon need Node 22; the Lambdas run on Node 22, locally it is noise.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/NodeVersionSupportWarning|require node >=22/.test(text) || rest.includes('NodeVersionSupportWarning'))
    return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const USAGE =
  'Usage: npm start -- [--account FILE] [--config FILE] [--out DIR] [--mode report|enforce] [--input JSON]';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        account: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string', default: 'out' },
        mode: { type: 'string' },
        input: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    assertReplaceableOutput(args.out);
  } catch (error) {
    if (error instanceof UnsafeOutputError) throw new InputError(error.message);
    throw error;
  }
  const demo = args.account === undefined;
  const configFile = args.config ?? (demo ? DEMO_CONFIG : undefined);
  const config = loadConfig({ configFile, mode: args.mode });
  const account = loadAccount(args.account ?? DEMO_ACCOUNT);
  let input: unknown = {};
  if (args.input !== undefined) {
    try {
      input = JSON.parse(args.input);
    } catch (error) {
      throw new InputError(`--input is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (demo) {
    console.log(
      `Using the built-in demo account${args.config === undefined ? ' and demo settings (local/demo-config.json)' : ''}.`,
    );
  }
  const run = await runWorkflow({ account, config, input, version: buildVersion().version });
  const files = outputFiles(run);
  writeOutputAtomically(args.out, files);
  for (const text of summaryLines(run, args.out, Object.keys(files))) console.log(text);
  return run.status === 'SUCCEEDED' ? 0 : 3;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
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
