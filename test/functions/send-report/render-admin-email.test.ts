import { buildReport, resultKey, type ReportInputs } from '../../../functions/send-report/build-report';
import { MAX_ROWS, renderAdminEmail } from '../../../functions/send-report/render-admin-email';
import type { Report } from '../../../functions/send-report/report-model';
import { maskAccessKeyId } from '../../../functions/shared/masking';
import type { KeyResult } from '../../../functions/shared/batch-files';
import { EXECUTION_ID, FULL_KEY_ID, NOW, keyId, testConfig, testRun } from '../fixtures';
import { decisionsFile, planOf, record, result } from './report-fixtures';

const LOCATION = 's3://keysweep-reports/runs/2026-11-28/run-2026-11-28/report.json';
const CONSOLE_URL = `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ID}`;
const FULL_KEY_ID_G = new RegExp(FULL_KEY_ID.source, 'g');

const deactivated = record('alice', 1, 'deactivate');
const failed = record('bob', 2, 'deactivate');
const warned = record('carol', 3, 'warn');
const exempt = record('dave', 4, 'exempt');
const young = record('erin', 5, 'none');
const decisions = [
  decisionsFile(0, [deactivated, failed, warned, exempt, young], {
    usersGone: ['frank'],
    invalidExemptions: [{ userName: 'carol', value: '<b>soon</b>' }],
  }),
];
const ERROR_WITH_KEY = `AccessDenied: cannot update access key ${failed.accessKeyId} of user bob <img src=x onerror=alert(1)>`;

function build(more: Partial<ReportInputs> = {}, results: KeyResult[] = []): Report {
  return buildReport({
    run: testRun(),
    plan: planOf(more.decisions ?? decisions),
    decisions,
    results: new Map(results.map((r) => [resultKey(r.userName, r.accessKeyId), r])),
    sweepError: null,
    config: testConfig({ unusedAfterDays: 45, exemptGroups: ['break-glass'] }),
    finishedAt: new Date(NOW.getTime() + 60_000),
    ...more,
  });
}

const enforced = () =>
  build({}, [
    result(deactivated, { result: 'done', detail: 'deactivated' }),
    result(failed, { result: 'failed', error: ERROR_WITH_KEY }),
  ]);

describe('renderAdminEmail: key IDs', () => {
  it.each<[string, () => Report]>([
    ['an enforced run with a failure whose error holds a key ID', enforced],
    ['a report-mode run', () => build({ run: testRun({ mode: 'report', modeSource: 'input' }) })],
    ['a run over the action limit', () => build({ plan: planOf(decisions, 1) })],
    [
      'a sweep that failed with a key ID in its cause',
      () =>
        build({
          plan: null,
          sweepError: {
            Error: 'Lambda.Unknown',
            Cause: JSON.stringify({ errorMessage: `boom on ${keyId(9)}` }),
          },
        }),
    ],
  ])('never shows a full key ID, only masked ones: %s', (_name, make) => {
    const email = renderAdminEmail(make(), LOCATION);
    for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(FULL_KEY_ID);
    for (const key of [deactivated, failed, warned, exempt]) {
      expect(email.html).toContain(maskAccessKeyId(key.accessKeyId));
      expect(email.text).toContain(maskAccessKeyId(key.accessKeyId));
    }
  });

  it('masks the key ID inside an error text and keeps the rest of it', () => {
    const { text } = renderAdminEmail(enforced(), LOCATION);
    expect(text).toContain(
      `AccessDenied: cannot update access key ${maskAccessKeyId(failed.accessKeyId)} of user bob`,
    );
  });

  it('never shows a full key ID when the report holds many', () => {
    const many = Array.from({ length: 30 }, (_, i) => record(`user${i}`, 100 + i, 'warn'));
    const report = build({ decisions: [decisionsFile(0, many)] });
    const email = renderAdminEmail(report, LOCATION);
    expect(`${email.subject}${email.html}${email.text}`.match(FULL_KEY_ID_G)).toBeNull();
  });

  // Regression (see masking.test.ts): a key ID glued to a word character is not masked. A Step Functions
  // cause that is not valid JSON (e.g. truncated) keeps its escaped "\n", so the ID follows an "n".
  it('masks a key ID that follows an escaped newline in a cause that is not JSON', () => {
    const report = build({
      plan: null,
      sweepError: { Error: 'Lambda.Unknown', Cause: `{"errorMessage":"keys failed:\\n${keyId(9)}\\n` },
    });
    const email = renderAdminEmail(report, LOCATION);
    expect(`${email.subject}${email.html}${email.text}`).not.toMatch(FULL_KEY_ID);
  });
});

describe('renderAdminEmail: content', () => {
  it('has a subject with the account, the day and the counts', () => {
    expect(renderAdminEmail(enforced(), LOCATION).subject).toBe(
      'keysweep 123456789012 2026-11-28: 1 deactivated, 1 warned, 1 FAILED',
    );
  });

  it.each<[string, () => Report, string]>([
    [
      'report mode',
      () => build({ run: testRun({ mode: 'report' }) }),
      'keysweep [report mode] 123456789012 2026-11-28: would deactivate 2, 1 warned',
    ],
    [
      'the action limit',
      () => build({ plan: planOf(decisions, 1) }),
      'keysweep [ACTION LIMIT EXCEEDED] 123456789012 2026-11-28: would deactivate 2, 1 warned',
    ],
    [
      'a failed sweep',
      () => build({ plan: null, sweepError: { Error: 'States.TaskFailed' } }),
      'keysweep [SWEEP FAILED] 123456789012 2026-11-28: 0 deactivated, 1 warned',
    ],
    [
      'deletions',
      () => {
        const gone = record('gina', 7, 'delete');
        return build({ decisions: [decisionsFile(0, [gone])] }, [result(gone, { result: 'done' })]);
      },
      'keysweep 123456789012 2026-11-28: 0 deactivated, 1 deleted, 0 warned',
    ],
  ])('tags the subject for %s', (_name, make, subject) => {
    expect(renderAdminEmail(make(), LOCATION).subject).toBe(subject);
  });

  it('lists each group of keys with its count, in both renderings', () => {
    const { html, text } = renderAdminEmail(enforced(), LOCATION);
    for (const title of ['Failed (1)', 'Deactivated (1)', 'Warned: deactivation coming (1)', 'Exempt (1)']) {
      expect(text).toContain(`== ${title} ==`);
      expect(html).toContain(`>${title}</h2>`);
    }
    expect(text).toContain('Deactivation on: 2026-12-08');
    expect(text).toContain('Exemption: member of group break-glass | Until: no end date');
    expect(text).not.toContain('User: erin');
  });

  it('lists deletion warnings apart from deactivation warnings, with the deletion day', () => {
    const goingSoon = record('gina', 7, 'warn', {
      rule: 'delete',
      status: 'Inactive',
      ageDays: 400,
      deactivationDate: null,
      deletionDate: '2026-12-03',
      inactiveSince: '2026-11-03T08:00:00.000Z',
      reason:
        'inactive, created 2025-10-24, 400 days ago; deactivated by keysweep since 2026-11-03 (25 days); will be deleted on or after 2026-12-03 (delete limit 30 days inactive)',
    });
    const report = build({ decisions: [decisionsFile(0, [warned, goingSoon])] });
    const { text, html } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('== Warned: deactivation coming (1) ==');
    expect(text).toContain('== Warned: deletion coming (1) ==');
    expect(text).toContain('User: gina | Access key: AKIA************');
    expect(text).toContain('Seen inactive since: 2026-11-03 | Deletion on: 2026-12-03');
    expect(text).not.toContain('Deactivation on: 2026-12-03');
    expect(html).toContain('>Warned: deletion coming (1)</h2>');
  });

  it('says in a banner, in both renderings, that deletion was paused and why', () => {
    const why =
      'first run: keysweep has no key index yet, so it cannot tell how long inactive keys have been inactive';
    const { text, html } = renderAdminEmail(build({ run: testRun({ deletionPaused: why }) }), LOCATION);
    expect(text).toContain(`!! DELETION PAUSED: ${why}.`);
    expect(html).toContain(`<strong>DELETION PAUSED: ${why}.</strong>`);
    expect(renderAdminEmail(enforced(), LOCATION).text).not.toContain('DELETION PAUSED');
  });

  it('says what deleteAfterDays counts in the policy', () => {
    const report = build({ config: testConfig({ deleteAfterDays: 30 }) });
    expect(renderAdminEmail(report, LOCATION).text).toContain(
      'deleteAfterDays: 30 (days keysweep has seen a key inactive, unused since)',
    );
  });

  it('shows what a report-mode run would do, and who asked for it', () => {
    const { text } = renderAdminEmail(
      build({ run: testRun({ mode: 'report', modeSource: 'input' }) }),
      LOCATION,
    );
    expect(text).toContain(
      '!! REPORT MODE: nothing was changed. This is what keysweep would do (report mode was requested by the execution input).',
    );
    expect(text).toContain('== Would deactivate (2) ==');
    expect(text).toContain('Would deactivate: 2');
    expect(text).not.toContain('== Deactivated');
  });

  it('puts the cause of a tripped action limit in a banner', () => {
    const { text, html } = renderAdminEmail(build({ plan: planOf(decisions, 1) }), LOCATION);
    expect(text).toContain('!! 2 deactivations and deletions were planned, more than maxActionsPerRun (1)');
    expect(html).toContain('2 deactivations and deletions were planned, more than maxActionsPerRun (1)');
    expect(text).toContain('== Would deactivate (2) ==');
    expect(text).not.toContain('skipped on re-check (');
  });

  it('lists keys skipped on re-check with what was found', () => {
    const report = build({}, [
      result(deactivated, { result: 'skipped', detail: 'already inactive' }),
      result(failed, { result: 'done' }),
    ]);
    const { text } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('== Planned to deactivate, skipped on re-check (1) ==');
    expect(text).toContain('What happened: already inactive');
    expect(text).toContain('Skipped on re-check: 1');
  });

  it('has the summary, the users gone, the invalid exemptions and the policy', () => {
    const { text } = renderAdminEmail(enforced(), LOCATION);
    for (const line of [
      'Deactivated: 1',
      'Deleted: 0',
      'Warned: 1',
      'Exempt: 1',
      'Failed: 1',
      'Keys examined: 5',
      'Users read: 5 (full scan of 3 users)',
      'Why these users: every user is read',
      '== Users deleted during the run (1) ==\nfrank',
      '- carol: keysweep:exempt = "<b>soon</b>" (use YYYY-MM-DD or always)',
      '== Policy in force ==\nmode: enforce\ndeactivateAfterDays: 90\nwarnBeforeDays: 14\nunusedAfterDays: 45\ndeleteAfterDays: off\nexemptTag: keysweep:exempt\nexemptGroups: break-glass\nmaxActionsPerRun: 100\nnotifyOwners: no',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('links the execution in the console, names the report and the version', () => {
    const { html, text } = renderAdminEmail(enforced(), LOCATION);
    expect(text).toContain(`Execution: ${CONSOLE_URL}\nFull report: ${LOCATION}`);
    expect(text).toContain('keysweep 1.2.3+abc1234 - run run-2026-11-28');
    expect(html).toContain(`<a href="${CONSOLE_URL}">run-2026-11-28</a>`);
    expect(html).toContain(`Full report: ${LOCATION}`);
    expect(html).toContain('keysweep 1.2.3+abc1234</p>');
  });

  it('shows the execution ID when there is no console link', () => {
    const report = build({ run: testRun({ executionId: 'local:demo-run' }) });
    const { html, text, subject } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('Execution: local:demo-run');
    expect(html).toContain('Execution: local:demo-run');
    expect(subject).toMatch(/^keysweep 2026-11-28: /);
  });
});

describe('renderAdminEmail: HTML escaping', () => {
  it('escapes an error text with markup', () => {
    const { html } = renderAdminEmail(enforced(), LOCATION);
    expect(html).toContain('of user bob &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });

  it('escapes a tag value with markup', () => {
    const { html } = renderAdminEmail(enforced(), LOCATION);
    expect(html).toContain('&lt;b&gt;soon&lt;/b&gt;');
    expect(html).not.toContain('<b>soon');
  });

  it('escapes a sweep error in the banner', () => {
    const report = build({
      plan: null,
      sweepError: { Error: 'Lambda.Unknown', Cause: '<script>alert("x")</script> & more' },
    });
    const { html } = renderAdminEmail(report, LOCATION);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).not.toContain('<script>');
  });

  it('keeps the plain text unescaped', () => {
    const { text } = renderAdminEmail(enforced(), LOCATION);
    expect(text).toContain('of user bob <img src=x onerror=alert(1)>');
  });
});

describe('renderAdminEmail: long lists', () => {
  it.each([
    [MAX_ROWS, false],
    [MAX_ROWS + 1, true],
    [MAX_ROWS + 57, true],
  ])('shows at most MAX_ROWS rows of %i warned keys and says how many more', (count, truncated) => {
    const keys = Array.from({ length: count }, (_, i) =>
      record(`user${String(i).padStart(4, '0')}`, 1000 + i, 'warn'),
    );
    const report = build({ decisions: [decisionsFile(0, keys)] });
    const { html, text } = renderAdminEmail(report, LOCATION);
    const rows = text.split('\n').filter((line) => line.startsWith('- User: '));
    expect(MAX_ROWS).toBe(1000);
    expect(rows).toHaveLength(Math.min(count, MAX_ROWS));
    expect(text).toContain(`== Warned: deactivation coming (${count}) ==`);
    const note = `... and ${count - MAX_ROWS} more in report.json`;
    if (truncated) {
      expect(text).toContain(note);
      expect(html).toContain(`<p>${note}</p>`);
    } else {
      expect(text).not.toContain('more in report.json');
      expect(html).not.toContain('more in report.json');
    }
  });
});

describe('renderAdminEmail: owner notifications', () => {
  it('says nothing about owner emails when notifyOwners is off', () => {
    const { text } = renderAdminEmail(enforced(), LOCATION);
    expect(text).not.toContain('Owner notifications');
  });

  it('lists sent, failed and unaddressed owner emails, masked and escaped', () => {
    const report: Report = {
      ...enforced(),
      ownerNotifications: {
        enabled: true,
        withheld: null,
        sent: ['alice'],
        failed: [{ userName: 'carol', error: `MessageRejected: <bad> ${keyId(3)}` }],
        noAddress: ['bob'],
        notSent: [],
      },
    };
    const { html, text } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('== Owner notifications ==\nOwner emails sent: 1 (alice)');
    expect(text).toContain(
      `Owner emails that failed: carol (MessageRejected: <bad> ${maskAccessKeyId(keyId(3))})`,
    );
    expect(text).toContain('Owners without a valid address in tag email (not notified): bob');
    expect(html).toContain('MessageRejected: &lt;bad&gt;');
    expect(`${html}${text}`).not.toMatch(FULL_KEY_ID);
  });
});
