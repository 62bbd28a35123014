/** The files of a local run (DESIGN's output folder), from the simulated report bucket and account. */
import { layout } from '../functions/shared/report-layout';
import type { WorkflowRun } from './run-workflow';
import { LOCAL_BUCKET } from './run-workflow';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** execution.json and stats.json, what every local run writes (the sweep's and the exposure path's). */
export function executionFiles(
  run: Pick<WorkflowRun, 'executionName' | 'executionId' | 'now' | 'status' | 'error' | 'output' | 'stats'>,
): Record<string, string> {
  return {
    'execution.json': json({
      executionName: run.executionName,
      executionId: run.executionId,
      startedAt: run.now.toISOString(),
      status: run.status,
      error: run.error,
      output: run.output,
    }),
    'stats.json': json(run.stats),
  };
}

/**
 * `accountAfter` (default true): whether to write account-after.json, the simulated account after
 * the run; `npm run plan` leaves it out, as its IAM is a real account, not a simulated one.
 */
export function outputFiles(
  run: WorkflowRun,
  options: { accountAfter?: boolean } = {},
): Record<string, string> {
  const files = executionFiles(run);
  if (options.accountAfter ?? true) files['account-after.json'] = json(run.account.toFile());
  const read = (key: string) => run.account.getObjectText(LOCAL_BUCKET, key) ?? '';
  if (run.files !== null && run.organizationReport !== null) {
    // An organization run: its summary, and each account's report, email and owner emails.
    files['report.json'] = json(run.organizationReport);
    files['email.html'] = read(run.files.emailHtml);
    files['email.txt'] = read(run.files.emailText);
    for (const account of run.organizationReport.accounts) {
      const prefix = layout.accountPrefix(run.files.prefix, account.accountId);
      for (const key of run.account.listObjectKeys(LOCAL_BUCKET, prefix)) {
        const name = key.slice(prefix.length);
        if (name === 'report.json' || name.startsWith('email.') || name.startsWith('owners/'))
          files[`accounts/${account.accountId}/${name}`] = read(key);
      }
    }
  } else if (run.files !== null) {
    files['report.json'] = json(run.report);
    files['email.html'] = read(run.files.emailHtml);
    files['email.txt'] = read(run.files.emailText);
    const ownersPrefix = `${run.files.prefix}owners/`;
    for (const key of run.account.listObjectKeys(LOCAL_BUCKET, ownersPrefix)) {
      files[`owners/${key.slice(ownersPrefix.length)}`] = read(key);
    }
  }
  return files;
}
