import { MAX_HTML_BYTES } from '../../../functions/send-report/render-admin-email';
import {
  renderOrganizationEmail,
  subjectOf,
} from '../../../functions/send-organization-report/render-organization-email';
import { organizationReportOf } from './organization-report-fixtures';

const LOCATION = 's3://keysweep-reports/runs/2026-11-28/org-2026-11-28/report.json';

describe('the organization summary email', () => {
  it.each([5, 100, 1000, 5000])(
    'stays under the 100 KB budget with %i accounts, cut lists saying so',
    (n) => {
      const report = organizationReportOf(n, Math.floor(n / 10));
      const email = renderOrganizationEmail(report, LOCATION);
      expect(Buffer.byteLength(email.html)).toBeLessThanOrEqual(MAX_HTML_BYTES);
      expect(Buffer.byteLength(email.text)).toBeLessThanOrEqual(MAX_HTML_BYTES);
      // what an admin needs first is always there, whatever the size
      expect(email.text).toContain('Totals');
      expect(email.text).toContain(`Accounts swept: ${n}`);
      if (n >= 1000) expect(email.text).toMatch(/\.\.\. and \d+ more in the report, s3:\/\//);
      if (n >= 20) expect(email.text).toContain('Accounts not swept: unreachable or failed');
    },
  );

  it('names the accounts with the most keys out of policy, the unreachable ones with their reason, the skipped', () => {
    const email = renderOrganizationEmail(organizationReportOf(40, 2), LOCATION);
    expect(email.text).toMatch(
      /Accounts with the most keys out of policy\n- workload-team-0012-production-eu-west \(200000000012\): 12 to deactivate or delete/,
    );
    expect(email.text).toMatch(/200000000007\) unreachable: .*AccountUnreachable/);
    expect(email.text).toMatch(
      /retired-account-1 \(200000100001\): Root\/Suspended: suspended \(SUSPENDED\)/,
    );
  });

  it('says in the subject when accounts failed', () => {
    expect(subjectOf(organizationReportOf(40))).toMatch(
      /^keysweep \[ACCOUNTS FAILED\] organization o-a1b2c3d4e5 2026-11-28: 40 accounts, 2 unreachable/,
    );
    expect(subjectOf(organizationReportOf(5))).toMatch(
      /^keysweep \[ACCOUNTS FAILED\]|^keysweep organization/,
    );
  });
});
