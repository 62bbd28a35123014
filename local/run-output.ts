/** The files of a local run (DESIGN's output folder), from the simulated report bucket and account. */
import type { WorkflowRun } from './run-workflow';
import { LOCAL_BUCKET } from './run-workflow';

/**
 * `accountAfter` (default true): whether to write account-after.json, the simulated account after
 * the run; `npm run plan` leaves it out, as its IAM is a real account, not a simulated one.
 */
export function outputFiles(
  run: WorkflowRun,
  options: { accountAfter?: boolean } = {},
): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, string> = {
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
  if (options.accountAfter ?? true) files['account-after.json'] = json(run.account.toFile());
  if (run.files !== null) {
    const read = (key: string) => run.account.getObjectText(LOCAL_BUCKET, key) ?? '';
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
