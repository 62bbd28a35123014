import { buildReport, resultKey, type ReportInputs } from '../../../functions/send-report/build-report';
import { MAX_HTML_BYTES, renderAdminEmail } from '../../../functions/send-report/render-admin-email';
import type { Report } from '../../../functions/send-report/report-model';
import { maskAccessKeyId } from '../../../functions/shared/masking';
import type { KeyRecord, KeyResult } from '../../../functions/shared/batch-files';
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

  it('shows, for a key to be deleted, since when keysweep has seen it inactive rather than its age', () => {
    const goingSoon = record('gina', 7, 'warn', {
      rule: 'delete',
      status: 'Inactive',
      ageDays: 400,
      deactivationDate: null,
      deletionDate: '2026-12-03',
      inactiveSince: '2026-11-03T08:00:00.000Z',
    });
    const { text } = renderAdminEmail(
      build({ decisions: [decisionsFile(0, [warned, goingSoon])] }),
      LOCATION,
    );
    expect(text).toContain('== Warned: deletion coming (1) ==');
    expect(text).toContain('Deletion on: 2026-12-03 | Seen inactive since: 2026-11-03');
    expect(text).not.toContain('Age (days): 400');
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
    expect(html).toContain(`<a href="${CONSOLE_URL}" style="color:#0b57d0">run-2026-11-28</a>`);
    expect(html).toContain(`Full report: <span style="word-break:break-all">${LOCATION}</span>`);
    expect(html).toContain('keysweep 1.2.3+abc1234 - run run-2026-11-28</p>');
  });

  it('shows the execution ID when there is no console link', () => {
    const report = build({ run: testRun({ executionId: 'local:demo-run' }) });
    const { html, text, subject } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('Execution: local:demo-run');
    expect(html).toContain('Execution: <span style="word-break:break-all">local:demo-run</span>');
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

/** `count` keys of one action for users userNNNNN, numbered from `from`. */
function many(count: number, action: KeyRecord['action'], from: number, more: Partial<KeyRecord> = {}) {
  return Array.from({ length: count }, (_, i) =>
    record(`user${String(from + i).padStart(5, '0')}`, from + i, action, more),
  );
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('renderAdminEmail: size', () => {
  it('keeps MAX_HTML_BYTES under the ~102 KB at which Gmail clips a message', () => {
    expect(MAX_HTML_BYTES).toBeLessThanOrEqual(100 * 1024);
  });

  it('lists every key of a small run, with no "more in the report"', () => {
    const { html, text } = renderAdminEmail(enforced(), LOCATION);
    expect(`${html}${text}`).not.toMatch(/more in the report|are in the report/);
  });

  it('stays under MAX_HTML_BYTES at 10,000 keys in report mode, each list showing its first rows and how many more', () => {
    const keys = [...many(6000, 'deactivate', 0), ...many(3000, 'warn', 6000), ...many(1000, 'exempt', 9000)];
    const files = [decisionsFile(0, keys)];
    const report = build({ run: testRun({ mode: 'report' }), decisions: files, plan: planOf(files, 20_000) });
    const { html, text } = renderAdminEmail(report, LOCATION);
    expect(bytes(html)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    const shown = (title: string) => {
      const section = text.split(`== ${title} ==\n`)[1]?.split('\n\n')[0] ?? '';
      return section.split('\n').filter((line) => line.startsWith('- User: ')).length;
    };
    for (const [title, total] of [
      ['Would deactivate (6000)', 6000],
      ['Warned: deactivation coming (3000)', 3000],
      ['Exempt (1000)', 1000],
    ] as const) {
      const rows = shown(title);
      // a fair share each: no list crowds out the others
      expect(rows).toBeGreaterThan(50);
      expect(text).toContain(
        `... and ${total - rows} more in the report, ${LOCATION} (execution: ${CONSOLE_URL})`,
      );
      expect(html).toContain(
        `… and ${total - rows} more in the report, <span style="word-break:break-all">${LOCATION}</span>`,
      );
    }
    expect(
      Math.max(shown('Would deactivate (6000)'), shown('Exempt (1000)')) -
        shown('Warned: deactivation coming (3000)'),
    ).toBeLessThanOrEqual(1);
  });

  it('stays under MAX_HTML_BYTES with every part at its worst: long errors, causes, names and lists', () => {
    const longError = `AccessDenied: ${'x'.repeat(5000)}`;
    const keys = many(10_000, 'deactivate', 0, { userName: 'u'.repeat(64) }).map((k, i) => ({
      ...k,
      userName: `${'u'.repeat(58)}${String(i).padStart(6, '0')}`,
    }));
    const files = [
      decisionsFile(0, keys, {
        usersGone: Array.from({ length: 5000 }, (_, i) => `gone-${'g'.repeat(55)}${i}`),
        invalidExemptions: Array.from({ length: 5000 }, (_, i) => ({
          userName: `bad${i}`,
          value: 'v'.repeat(256),
        })),
      }),
    ];
    const failedAll = keys.map((k) => result(k, { result: 'failed', error: longError }));
    const report: Report = {
      ...build({ decisions: files, plan: planOf(files, 20_000) }, failedAll),
      deletionPaused: `the key index is unreadable: ${'y'.repeat(50_000)}`,
      cause: `The sweep stopped early: ${'z'.repeat(50_000)}`,
      outcome: 'sweep-failed',
    };
    const { html, text } = renderAdminEmail(report, LOCATION);
    expect(bytes(html)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    for (const part of [html, text]) {
      expect(part).toContain('Failed (10000)');
      expect(part).toContain('Invalid exemptions (5000)');
      expect(part).toContain('Users deleted during the run (5000)');
      expect(part).toContain('cut; report.json has the rest');
    }
  });
});

describe('renderAdminEmail: order', () => {
  it('puts the banners, counts, links, policy and failures before any long list', () => {
    const paused: Report = { ...enforced(), deletionPaused: 'the key index is missing' };
    const { html, text } = renderAdminEmail(paused, LOCATION);
    for (const [part, marks] of [
      [
        text,
        [
          '!! 1 of 2 key actions failed',
          '!! DELETION PAUSED',
          'Failed: 1',
          `Execution: ${CONSOLE_URL}`,
          `Full report: ${LOCATION}`,
          '== Policy in force ==',
          '== Failed (1) ==',
          '== Deactivated (1) ==',
          '== Warned: deactivation coming (1) ==',
          '== Exempt (1) ==',
        ],
      ],
      [
        html,
        [
          '1 of 2 key actions failed',
          'DELETION PAUSED',
          '>Failed</td>',
          '>run-2026-11-28</a>',
          LOCATION,
          '>Policy in force</h2>',
          '>Failed (1)</h2>',
          '>Deactivated (1)</h2>',
          '>Exempt (1)</h2>',
        ],
      ],
    ] as const) {
      const at = marks.map((mark) => part.indexOf(mark));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    }
  });
});

describe('renderAdminEmail: a paused deletion', () => {
  it('says so in the subject and in a banner above the counts', () => {
    const report: Report = { ...enforced(), deletionPaused: 'the key index is missing <b>' };
    const { subject, html, text } = renderAdminEmail(report, LOCATION);
    expect(subject).toBe(
      'keysweep 123456789012 2026-11-28: 1 deactivated, 1 warned, 1 FAILED, deletion paused',
    );
    expect(text).toContain('!! DELETION PAUSED: the key index is missing <b>. No key was deleted this run.');
    expect(html).toContain(
      'DELETION PAUSED: the key index is missing &lt;b&gt;. No key was deleted this run.',
    );
  });

  it('says nothing of deletion when it was not paused', () => {
    const { subject, text } = renderAdminEmail(enforced(), LOCATION);
    expect(`${subject}${text}`).not.toContain('paused');
  });
});

describe('renderAdminEmail: last used', () => {
  it('says where each date came from, and never shows an unexplained N/A', () => {
    const keys = [
      record('ann', 1, 'warn', { lastUsedDate: '2026-11-20T09:00:00Z', lastUsedSource: 'iam' }),
      record('ben', 2, 'warn', { lastUsedDate: null, lastUsedSource: 'iam' }),
      record('cid', 3, 'warn', { lastUsedDate: '2026-11-21T09:00:00Z', lastUsedSource: 'credential-report' }),
      record('dee', 4, 'warn', { lastUsedDate: null, lastUsedSource: 'credential-report' }),
    ];
    const { html, text } = renderAdminEmail(build({ decisions: [decisionsFile(0, keys)] }), LOCATION);
    for (const part of [html, text]) {
      expect(part).toContain('Last used: 2026-11-20 (IAM)');
      expect(part).toContain('Last used: never (IAM)');
      expect(part).toContain('Last used: 2026-11-21 (credential report)');
      expect(part).toContain('Last used: none in the credential report');
      expect(part).toContain('GetAccessKeyLastUsed');
      expect(part).not.toContain('N/A');
    }
  });
});

describe('renderAdminEmail: deletion warnings', () => {
  it('lists a key to be deleted with its deletion date', () => {
    const key = record('fay', 1, 'warn', {
      rule: 'delete',
      status: 'Inactive',
      deactivationDate: null,
      deletionDate: '2026-12-10',
    });
    const { html, text } = renderAdminEmail(build({ decisions: [decisionsFile(0, [key])] }), LOCATION);
    expect(text).toContain('== Warned: deletion coming (1) ==');
    expect(text).toContain('Deletion on: 2026-12-10');
    expect(text).not.toContain('Warned: deactivation coming');
    expect(html).toContain('>Warned: deletion coming (1)</h2>');
  });
});

describe('renderAdminEmail: owners not emailed', () => {
  it('lists the affected keys of every owner when owner emails are off', () => {
    const { html, text } = renderAdminEmail(enforced(), LOCATION);
    expect(text).toContain('== Owner notifications ==\nOwner emails are off (notifyOwners).');
    expect(text).toContain('== Owners not emailed (2) ==');
    expect(text).toContain(
      `- User: alice | Keys: ${maskAccessKeyId(deactivated.accessKeyId)} deactivated | Why: owner emails are off (notifyOwners)`,
    );
    expect(text).toContain(
      `- User: carol | Keys: ${maskAccessKeyId(warned.accessKeyId)} warned, deactivation 2026-12-08`,
    );
    // bob's key failed and dave's is exempt: their owners had nothing to be told
    expect(text).not.toMatch(/- User: (bob|dave) \| Keys/);
    expect(html).toContain('>Owners not emailed (2)</h2>');
  });

  it('lists the owners whose email failed, had no address or ran out of time, not those emailed', () => {
    const gone = record('gina', 7, 'delete');
    const late = record('hugo', 8, 'warn');
    const files = [decisionsFile(0, [deactivated, warned, gone, late, exempt])];
    const report: Report = {
      ...build({ decisions: files, plan: planOf(files) }, [
        result(deactivated, { result: 'done' }),
        result(gone, { result: 'done' }),
      ]),
      ownerNotifications: {
        enabled: true,
        withheld: null,
        sent: ['alice'],
        failed: [{ userName: 'carol', error: `MessageRejected: <bad> ${keyId(3)}` }],
        noAddress: ['gina'],
        notSent: [
          { userName: 'hugo', reason: 'out of time in this run (SES pacing); the next run warns again' },
        ],
      },
    };
    const { html, text } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('== Owner notifications ==\nOwner emails sent: 1 (alice)');
    expect(text).toContain('== Owners not emailed (3) ==');
    expect(text).toContain(
      `- User: carol | Keys: ${maskAccessKeyId(warned.accessKeyId)} warned, deactivation 2026-12-08 | Why: sending failed: MessageRejected: <bad> ${maskAccessKeyId(keyId(3))}`,
    );
    expect(text).toContain(
      `- User: gina | Keys: ${maskAccessKeyId(gone.accessKeyId)} deleted | Why: no valid address in tag email`,
    );
    expect(text).toContain('- User: hugo | Keys: ');
    expect(text).toContain('Why: out of time in this run (SES pacing); the next run warns again');
    expect(text).not.toContain('- User: alice | Keys');
    expect(html).toContain('MessageRejected: &lt;bad&gt;');
    expect(`${html}${text}`).not.toMatch(FULL_KEY_ID);
  });

  it('lists the owners of a run whose owner emails were withheld, with why', () => {
    const report: Report = {
      ...build({ run: testRun({ mode: 'report' }) }),
      ownerNotifications: {
        enabled: true,
        withheld: 'report mode: owners are not emailed',
        sent: [],
        failed: [],
        noAddress: [],
        notSent: [],
      },
    };
    const { text } = renderAdminEmail(report, LOCATION);
    expect(text).toContain('Owner emails were not sent: report mode: owners are not emailed.');
    expect(text).toContain('- User: carol | Keys: ');
    expect(text).toContain('| Why: report mode: owners are not emailed');
  });

  it('names at most 20 owners who were emailed', () => {
    const sent = Array.from({ length: 21 }, (_, i) => `owner${i}`);
    const report: Report = {
      ...enforced(),
      ownerNotifications: { enabled: true, withheld: null, sent, failed: [], noAddress: [], notSent: [] },
    };
    expect(renderAdminEmail(report, LOCATION).text).toContain(
      'Owner emails sent: 21 (report.json names them)',
    );
  });
});

describe('renderAdminEmail: keys deactivated after exposure since the last run', () => {
  const entry = (n: number, result: 'deactivated' | 'reported', accountId = '123456789012') => ({
    accountId,
    userName: `user-${n}`,
    accessKeyId: keyId(100 + n),
    maskedAccessKeyId: maskAccessKeyId(keyId(100 + n)),
    result,
    detail: null,
    error: null,
    exemption: n === 1 ? 'tag keysweep:exempt = always' : null,
    createDate: '2026-01-01T00:00:00Z',
    deactivatedAt: result === 'deactivated' ? '2026-11-27T14:03:00Z' : null,
    eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x',
    eventTime: '2026-11-27T14:02:00Z',
    executionName: `exposure-${n}`,
    reportKey: `runs/2026-11-27/exposure-${n}/exposure.json`,
  });
  const withExposures = (entries: ReturnType<typeof entry>[], problem: string | null = null): Report => ({
    ...enforced(),
    exposures: { entries, problem },
  });

  it('lists them after the failures, with the exemption overridden and the account when it is another', () => {
    const { text, html, subject } = renderAdminEmail(
      withExposures([entry(1, 'deactivated'), entry(2, 'reported', '222222222222')]),
      LOCATION,
    );
    expect(subject).toBe(
      'keysweep 123456789012 2026-11-28: 1 deactivated, 1 warned, 1 FAILED, 2 exposed since the last run',
    );
    expect(text).toContain('Exposed keys since the last run: 2 (1 deactivated at once)');
    const section = text.slice(text.indexOf('== Deactivated after exposure since the last run (2) =='));
    expect(text.indexOf('== Failed (1) ==')).toBeLessThan(text.indexOf('== Deactivated after exposure'));
    expect(section).toContain(
      `User: user-1 | Access key: ${maskAccessKeyId(keyId(101))} | What happened: deactivated at once | When: 2026-11-27 14:03 UTC | Exemption overridden: tag keysweep:exempt = always`,
    );
    expect(section).toContain(
      'Account: 222222222222 | What happened: NOT deactivated (exposedKeys is "report")',
    );
    expect(html).toContain('>Deactivated after exposure since the last run (2)</h2>');
    expect(html + text).not.toMatch(FULL_KEY_ID);
  });

  it('shows nothing of it when there were none, and says so when the listing was incomplete', () => {
    const none = renderAdminEmail(withExposures([]), LOCATION);
    expect(none.text).not.toContain('exposure');
    const incomplete = renderAdminEmail(
      withExposures([], 'the exposure runs could not be listed (SlowDown)'),
      LOCATION,
    );
    expect(incomplete.text).toContain('Incomplete: the exposure runs could not be listed (SlowDown).');
  });
});
