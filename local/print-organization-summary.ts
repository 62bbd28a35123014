/** The short summary `npm start` prints for an organization run: each account's outcome, and the totals. */
import type { OrganizationReport } from '../functions/send-organization-report/organization-report';

const MAX_LISTED = 30;

export function organizationSummaryLines(report: OrganizationReport | null): string[] {
  if (report === null)
    return ['  no organization report was stored (the run stopped before SendOrganizationReport)'];
  const t = report.totals;
  const out = [
    `  organization ${report.organizationId}: ${t.accountsSwept} accounts swept (${t.ok} ok, ${t.unreachable} unreachable, ` +
      `${t.failed + t.notRun} failed, ${t.held} held by the organization limit), ${t.skipped} left out`,
    `  keys: ${t.byResult.done} changed, ${t.byAction.deactivate + t.byAction.delete} planned to deactivate or delete, ` +
      `${t.byAction.warn} warned, ${t.byAction.exempt} exempt, ${t.byResult.failed} failed`,
  ];
  if (report.decision) {
    out.push(
      `  organization breaker: ${report.decision.plannedActions} planned changes, maxActionsPerOrgRun ` +
        `${report.decision.maxActionsPerOrgRun}${report.decision.limitExceeded ? ': EXCEEDED, no account changed anything' : ''}`,
    );
  }
  out.push('  Accounts:');
  for (const a of report.accounts.slice(0, MAX_LISTED)) {
    const counts = a.counts
      ? `${a.counts.byResult.done} changed, ${a.counts.byAction.deactivate + a.counts.byAction.delete} planned, ${a.counts.byAction.warn} warned, ${a.counts.byResult.failed} failed`
      : '';
    out.push(
      `    ${a.accountId} ${a.name.padEnd(16)} ${a.ouPath.padEnd(22)} ${a.mode.padEnd(7)} ${a.status.padEnd(11)} ${counts}`,
    );
    if (a.reason) out.push(`      ${a.reason}`);
  }
  if (report.accounts.length > MAX_LISTED)
    out.push(`    ... and ${report.accounts.length - MAX_LISTED} more in report.json`);
  if (report.skipped.length > 0) {
    out.push(`  Left out (${report.skipped.length}):`);
    for (const s of report.skipped.slice(0, MAX_LISTED))
      out.push(`    ${s.accountId} ${s.name.padEnd(16)} ${s.ouPath.padEnd(22)} ${s.why}`);
  }
  return out;
}
