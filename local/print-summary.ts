/** The short summary `npm start` prints: counts, masked keys, and where the files are. */
import { redactAccessKeyIds } from '../functions/shared/masking';
import type { ReportEntry } from '../functions/send-report/report-model';
import { organizationSummaryLines } from './print-organization-summary';
import type { WorkflowRun } from './run-workflow';

const MAX_LISTED = 15;

function line(entry: ReportEntry, what: string): string {
  return `    ${entry.userName.padEnd(16)} ${entry.maskedAccessKeyId}  ${String(entry.ageDays).padStart(4)} days  ${what}`;
}

/** `written`: the files written to `outDir`, by name relative to it. */
export function summaryLines(run: WorkflowRun, outDir: string, written: readonly string[]): string[] {
  const out: string[] = [];
  const report = run.report;
  out.push(
    `keysweep local run ${run.executionName}: ${run.status}${run.error ? ` (${run.error.Error})` : ''}`,
  );
  if (run.error) out.push(`  cause: ${run.error.Cause}`);
  if (run.kind === 'organization') {
    out.push(...organizationSummaryLines(run.organizationReport));
  } else if (report === null) {
    out.push('  no report was stored (the run stopped before send-report)');
  } else {
    const { byAction, byResult } = report.counts;
    const dry = report.mode === 'report' || report.limitExceeded;
    if (report.deletionPaused !== null) out.push(`  deletion paused: ${report.deletionPaused}`);
    out.push(
      `  mode ${report.mode}; ${report.discovery.source === 'full-scan' ? 'full scan' : 'credential-report candidates'}: ` +
        `${report.usersRead} of ${report.discovery.usersInAccount} users read, ${report.entries.length} keys examined`,
    );
    out.push(
      `  ${dry ? 'would deactivate' : 'deactivated'} ${dry ? byAction.deactivate : report.entries.filter((e) => e.action === 'deactivate' && e.result === 'done').length}` +
        `, ${dry ? 'would delete' : 'deleted'} ${dry ? byAction.delete : report.entries.filter((e) => e.action === 'delete' && e.result === 'done').length}` +
        `, warned ${byAction.warn}, exempt ${byAction.exempt}, skipped ${byResult.skipped}, failed ${byResult.failed}`,
    );
    if (report.overLimit && !report.limitExceeded) {
      out.push(
        `  enforcing would trip the circuit breaker: ${report.plannedActions} planned changes, ` +
          `maxActionsPerRun ${report.policy.maxActionsPerRun} (an enforced run would change nothing and fail)`,
      );
    }
    const groups: [string, (e: ReportEntry) => boolean, (e: ReportEntry) => string][] = [
      [
        dry ? 'Would change' : 'Changed',
        (e) =>
          e.result === 'done' || e.result === 'dry-run' || (report.limitExceeded && e.result === 'skipped'),
        (e) => `${e.action}: ${e.reason}`,
      ],
      ['Failed', (e) => e.result === 'failed', (e) => e.error ?? ''],
      ['Skipped on re-check', (e) => e.result === 'skipped' && !report.limitExceeded, (e) => e.detail ?? ''],
      [
        'Warned',
        (e) => e.action === 'warn',
        (e) =>
          e.rule === 'delete'
            ? `deletion on ${e.deletionDate ?? '?'}`
            : `deactivation on ${e.deactivationDate ?? '?'}`,
      ],
      ['Exempt', (e) => e.action === 'exempt', (e) => e.exemption?.description ?? ''],
    ];
    for (const [title, match, describe] of groups) {
      const entries = report.entries.filter(match);
      if (entries.length === 0) continue;
      out.push(`  ${title} (${entries.length}):`);
      for (const entry of entries.slice(0, MAX_LISTED)) out.push(line(entry, describe(entry)));
      if (entries.length > MAX_LISTED)
        out.push(`    ... and ${entries.length - MAX_LISTED} more in report.json`);
    }
    const exposed = report.exposures?.entries ?? [];
    if (exposed.length > 0) {
      out.push(`  Deactivated after exposure since the last run (${exposed.length}):`);
      for (const e of exposed.slice(0, MAX_LISTED)) {
        out.push(
          `    ${(e.userName ?? '(no user)').padEnd(16)} ${e.maskedAccessKeyId}  ${e.result} (${e.executionName})`,
        );
      }
    }
    if (report.invalidExemptions.length > 0) {
      out.push(
        `  Invalid exemptions: ${report.invalidExemptions.map((x) => `${x.userName} ("${x.value}")`).join(', ')}`,
      );
    }
  }
  const denials = run.account.denials;
  if (denials.length > 0) {
    out.push(`  Denied by the deployment's permissions or an SCP (${denials.length}):`);
    for (const d of denials.slice(0, MAX_LISTED))
      out.push(`    ${d.caller}: ${d.operation} (${d.action} on ${d.resource})`);
  }
  for (const loss of run.degraded) out.push(`  Lost: ${loss}`);
  const s = run.stats;
  out.push(
    `  stats: ${s.wallMs} ms, ${s.lambdaInvocations.total} Lambda invocations, ${s.awsCalls.total} AWS calls, ` +
      `${s.transitions.total} state transitions (largest execution ${s.transitions.largestExecution}), ` +
      `est. $${s.estimatedCostUsd.perRun.toFixed(6)} a run`,
  );
  const top = written.filter((name) => !name.includes('/'));
  const owners = written.filter((name) => name.startsWith('owners/')).length;
  const accounts = new Set(
    written.filter((name) => name.startsWith('accounts/')).map((name) => name.split('/')[1]),
  );
  out.push(
    `  files: ${outDir}/ (${top.join(', ')}${owners > 0 ? `, owners/: ${owners} files` : ''}` +
      `${accounts.size > 0 ? `, accounts/: ${accounts.size} accounts' reports and emails` : ''})`,
  );
  return out.map(redactAccessKeyIds);
}
