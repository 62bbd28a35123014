/** Organization reports of any size, for the email's budget and layout tests. */
import type { AccountRecord, SkippedAccount } from '../../../functions/shared/account-files';
import type { OrganizationRun } from '../../../functions/shared/organization';
import {
  buildOrganizationReport,
  type AccountFiles,
  type OrganizationReport,
} from '../../../functions/send-organization-report/organization-report';

export const ORG_RUN: OrganizationRun = {
  executionId: 'arn:aws:states:eu-west-1:123456789012:execution:KeySweep-Organization:org-2026-11-28',
  executionName: 'org-2026-11-28',
  startedAt: '2026-11-28T08:00:00.000Z',
  prefix: 'runs/2026-11-28/org-2026-11-28/',
  version: '0.1.0',
  fullScan: false,
};

const id = (n: number) => String(200000000000 + n);

/**
 * `accounts` accounts, every 20th unreachable and every 25th with a failed key; `skipped` left out.
 * Account names are long (64 characters), as Organizations allows up to 50... and more in OU paths.
 */
export function organizationReportOf(accounts: number, skipped = 0): OrganizationReport {
  const plans: AccountRecord[] = [];
  const files = new Map<string, AccountFiles>();
  for (let n = 0; n < accounts; n++) {
    const accountId = id(n);
    const target = {
      accountId,
      name: `workload-team-${String(n).padStart(4, '0')}-production-eu-west`,
      ouPath: `Root/Workloads/Business-Unit-${n % 7}/Team-${n % 31}`,
      mode: n % 9 === 0 ? ('report' as const) : ('enforce' as const),
      modeSource: 'config',
      adminEmails: [],
      prefix: `${ORG_RUN.prefix}accounts/${accountId}/`,
    };
    const item = {
      target,
      planExecutionName: `${accountId}-plan-${ORG_RUN.executionName}`,
      actExecutionName: `${accountId}-act-${ORG_RUN.executionName}`,
      planKey: `${target.prefix}plan.json`,
    };
    if (n % 20 === 7) {
      plans.push({ ...item, error: 'States.TaskFailed' });
      files.set(accountId, {
        unreachable: {
          reason: `AccountUnreachable: Account ${accountId} could not be reached: sts:AssumeRole on arn:aws:iam::${accountId}:role/keysweep-member failed (AccessDenied: User: arn:aws:sts::123456789012:assumed-role/keysweep-list-users/keysweep-list-users is not authorized to perform: sts:AssumeRole)`,
        },
      });
      continue;
    }
    const failed = n % 25 === 3 ? 1 : 0;
    plans.push({
      ...item,
      result: {
        report: {
          outcome: failed ? 'keys-failed' : 'ok',
          reportKey: `${target.prefix}report.json`,
          counts: {
            byAction: { deactivate: n % 13, delete: 0, warn: n % 5, exempt: n % 3, none: 20 },
            byResult: { done: (n % 13) - failed, 'dry-run': 0, skipped: 0, failed, 'n/a': 20 },
          },
        },
      },
    });
  }
  const left: SkippedAccount[] = Array.from({ length: skipped }, (_, i) => ({
    accountId: id(100000 + i),
    name: `retired-account-${i}`,
    ouPath: 'Root/Suspended',
    status: i % 2 ? 'SUSPENDED' : 'ACTIVE',
    why: i % 2 ? 'suspended' : 'excluded',
  }));
  return buildOrganizationReport({
    organization: ORG_RUN,
    organizationId: 'o-a1b2c3d4e5',
    plans,
    acted: new Map(),
    files,
    skipped: left,
    decision: { plannedActions: 100, maxActionsPerOrgRun: 1000, limitExceeded: false, accountsToAct: 10 },
    sweepError: null,
    finishedAt: new Date('2026-11-28T08:20:00Z'),
  });
}
