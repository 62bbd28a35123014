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
import { buildVersion } from '../infra/version';
import { checkOutputFolder, exitWith, quietNodeVersionWarning, usageError, writeAndSummarize } from './cli';
import { InputError, DEMO_ACCOUNT, DEMO_CONFIG, loadAccount, loadConfig } from './load-inputs';
import { outputFiles } from './run-output';
import { runWorkflow } from './run-workflow';

quietNodeVersionWarning();

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
    throw usageError(error, USAGE);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  checkOutputFolder(args.out);
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
  writeAndSummarize(args.out, run, outputFiles(run));
  return run.status === 'SUCCEEDED' ? 0 : 3;
}

exitWith(main(process.argv.slice(2)));
