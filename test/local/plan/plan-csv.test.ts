/** plan.csv: one row per key, masked IDs, RFC 4180 quoting, no formula for a spreadsheet to run. */
import type { Report, ReportEntry } from '../../../functions/send-report/report-model';
import { PLAN_CSV_COLUMNS, planCsv } from '../../../local/plan/plan-csv';
import { EXAMPLE_KEY_ID, FULL_KEY_ID } from '../../key-ids';

const entry = (overrides: Partial<ReportEntry>): ReportEntry => ({
  userName: 'alice',
  accessKeyId: EXAMPLE_KEY_ID,
  maskedAccessKeyId: 'AKIA************MPLE',
  status: 'Active',
  createDate: '2026-05-01T10:00:00.000Z',
  ageDays: 210,
  lastUsedDate: '2026-11-20T09:00:00.000Z',
  lastUsedSource: 'iam',
  action: 'deactivate',
  rule: 'age',
  reason: 'created 2026-05-01, 210 days ago; limit 90',
  result: 'dry-run',
  detail: null,
  error: null,
  deactivationDate: null,
  deletionDate: null,
  inactiveSince: null,
  exemption: null,
  ownerEmail: null,
  ...overrides,
});

const report = (entries: ReportEntry[]) =>
  ({ accountId: '111122223333', startedAt: '2026-11-28T08:00:00.000Z', entries }) as unknown as Report;

/** A minimal RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('plan.csv', () => {
  it('has one row per key with the planned action and its date', () => {
    const rows = parseCsv(
      planCsv(
        report([
          entry({}),
          entry({
            userName: 'carol',
            action: 'warn',
            deactivationDate: '2026-12-09',
            lastUsedDate: null,
            reason: 'created 2026-09-10, 79 days ago; will be deactivated on or after 2026-12-09 (limit 90)',
          }),
          entry({ userName: 'ivan', action: 'none', rule: 'none', status: 'Inactive' }),
          entry({
            userName: 'frank',
            action: 'warn',
            rule: 'delete',
            status: 'Inactive',
            deletionDate: '2026-12-20',
          }),
        ]),
      ),
    );
    expect(rows[0]).toEqual([...PLAN_CSV_COLUMNS]);
    expect(rows.slice(1)).toEqual([
      [
        '111122223333',
        'alice',
        'AKIA************MPLE',
        '210',
        '2026-11-20T09:00:00.000Z',
        'Active',
        'deactivate',
        'age',
        'created 2026-05-01, 210 days ago; limit 90',
        '2026-11-28',
      ],
      [
        '111122223333',
        'carol',
        'AKIA************MPLE',
        '210',
        'never',
        'Active',
        'warn',
        'age',
        'created 2026-09-10, 79 days ago; will be deactivated on or after 2026-12-09 (limit 90)',
        '2026-12-09',
      ],
      [
        '111122223333',
        'ivan',
        'AKIA************MPLE',
        '210',
        '2026-11-20T09:00:00.000Z',
        'Inactive',
        'none',
        'none',
        expect.any(String),
        '',
      ],
      [
        '111122223333',
        'frank',
        'AKIA************MPLE',
        '210',
        '2026-11-20T09:00:00.000Z',
        'Inactive',
        'warn',
        'delete',
        expect.any(String),
        '2026-12-20',
      ],
    ]);
  });

  it('never holds a full key ID', () => {
    expect(planCsv(report([entry({}), entry({ reason: `mentions ${EXAMPLE_KEY_ID}` })]))).not.toMatch(
      FULL_KEY_ID,
    );
  });

  it('quotes what needs quoting and defuses what a spreadsheet would run as a formula', () => {
    const rows = parseCsv(
      planCsv(
        report([
          entry({ userName: '=HYPERLINK("x")', reason: 'a "quoted", text' }),
          entry({ userName: '+deploy' }),
          entry({ userName: '@ops' }),
          entry({ userName: '-svc' }),
        ]),
      ),
    );
    expect(rows.slice(1).map((row) => [row[1], row[8]])).toEqual([
      [`'=HYPERLINK("x")`, 'a "quoted", text'],
      ["'+deploy", expect.any(String)],
      ["'@ops", expect.any(String)],
      ["'-svc", expect.any(String)],
    ]);
  });

  it("puts an organization's accounts in one file: one header, each account's keys under its ID", () => {
    const inAccount = (accountId: string, entries: ReportEntry[]) =>
      ({ ...report(entries), accountId }) as Report;
    const rows = parseCsv(
      planCsv(
        inAccount('222222222222', [entry({ userName: 'alice' }), entry({ userName: 'bob' })]),
        inAccount('333333333333', []),
        inAccount('444444444444', [entry({ userName: 'alice' })]),
      ),
    );
    expect(rows[0]).toEqual([...PLAN_CSV_COLUMNS]);
    expect(rows.slice(1).map((row) => `${row[0]} ${row[1]}`)).toEqual([
      '222222222222 alice',
      '222222222222 bob',
      '444444444444 alice',
    ]);
    expect(parseCsv(planCsv())).toEqual([[...PLAN_CSV_COLUMNS]]);
  });
});
