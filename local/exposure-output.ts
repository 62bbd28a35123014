/**
 * What `npm start -- --event` writes and prints for an exposure run: its files (exposure.json, the
 * emails, account-after.json, execution.json, stats.json) and a short summary with masked key IDs.
 */
import { redactAccessKeyIds } from '../functions/shared/masking';
import { layout } from '../functions/shared/report-layout';
import { LOCAL_BUCKET } from './execute-sweep';
import type { ExposureRun } from './run-exposure';
import { executionFiles } from './run-output';

export function exposureOutputFiles(run: ExposureRun): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const read = (key: string) => run.account.getObjectText(LOCAL_BUCKET, key);
  const files: Record<string, string> = {
    ...executionFiles(run),
    'account-after.json': json(run.account.toFile()),
  };
  if (run.exposure !== null) files['exposure.json'] = json(run.exposure);
  for (const [name, key] of [
    ['email.html', layout.emailHtml(run.prefix)],
    ['email.txt', layout.emailText(run.prefix)],
  ] as const) {
    const text = read(key);
    if (text !== undefined) files[name] = text;
  }
  const owners = `${run.prefix}owners/`;
  for (const key of run.account.listObjectKeys(LOCAL_BUCKET, owners)) {
    files[`owners/${key.slice(owners.length)}`] = read(key) ?? '';
  }
  return files;
}

export function exposureSummaryLines(run: ExposureRun, outDir: string, written: readonly string[]): string[] {
  const out = [
    `keysweep local exposure run ${run.executionName}: ${run.status}${run.error ? ` (${run.error.Error})` : ''}`,
  ];
  if (run.error) out.push(`  cause: ${run.error.Cause}`);
  const report = run.exposure;
  if (report === null) {
    out.push('  no exposure report was stored (the run stopped before notify-exposure)');
  } else {
    out.push(
      `  event ${report.event.eventArn}; account ${report.event.affectedAccount}; exposedKeys ${report.exposedKeys}`,
    );
    for (const key of report.keys) {
      out.push(
        `    ${(key.userName ?? '(no user)').padEnd(16)} ${key.maskedAccessKeyId}  ${key.result}: ${key.detail ?? key.error ?? ''}`,
      );
    }
    out.push(`  admins: ${report.notifications.admins}`);
    for (const owner of report.notifications.owners) out.push(`  owner ${owner.userName}: ${owner.status}`);
  }
  for (const d of run.account.denials)
    out.push(`  Denied: ${d.caller}: ${d.operation} (${d.action} on ${d.resource})`);
  for (const loss of run.degraded) out.push(`  Lost: ${loss}`);
  const s = run.stats;
  out.push(
    `  stats: ${s.wallMs} ms, ${s.lambdaInvocations.total} Lambda invocations, ${s.awsCalls.total} AWS calls, ` +
      `${s.transitions.total} state transitions, est. $${s.estimatedCostUsd.perRun.toFixed(6)} a run`,
  );
  const top = written.filter((name) => !name.includes('/'));
  const owners = written.length - top.length;
  out.push(`  files: ${outDir}/ (${top.join(', ')}${owners > 0 ? `, owners/: ${owners} files` : ''})`);
  return out.map(redactAccessKeyIds);
}
