import {
  CredentialReportFormatError,
  csvLines,
  parseCredentialReport,
  parseCsvLine,
} from '../../../functions/list-users/credential-report-csv';
import { CREDENTIAL_REPORT_HEADER, REALISTIC_CREDENTIAL_REPORT } from '../fixtures';

const HEADER = CREDENTIAL_REPORT_HEADER;
const REALISTIC_CSV = REALISTIC_CREDENTIAL_REPORT;

/** One user row with 22 fields: no password, the given key slots (5 fields each), no certs. */
function userRow(userName: string, slot1 = 'false,N/A,N/A,N/A,N/A', slot2 = 'false,N/A,N/A,N/A,N/A'): string {
  return `${userName},arn:aws:iam::123456789012:user/${userName},2025-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,${slot1},${slot2},false,N/A,false,N/A`;
}
const KEY = 'true,2026-10-10T10:10:10+00:00,N/A,N/A,N/A';
const withRows = (...rows: string[]) => [HEADER, ...rows].join('\n');

describe('parseCsvLine (RFC 4180, one line)', () => {
  it.each<[string, string, string[]]>([
    ['a plain line', 'a,b,c', ['a', 'b', 'c']],
    ['a quoted field with a comma', 'x,"a,b",y', ['x', 'a,b', 'y']],
    ['a quoted first and last field', '"a,b",x,"c,d"', ['a,b', 'x', 'c,d']],
    ['a doubled quote inside quotes', '"say ""hi""",z', ['say "hi"', 'z']],
    ['a field that is one quote', '"""",z', ['"', 'z']],
    ['an empty quoted field', 'a,"",c', ['a', '', 'c']],
    ['empty fields', ',,', ['', '', '']],
    ['a trailing empty field', 'a,', ['a', '']],
    ['an empty line', '', ['']],
  ])('splits %s', (_name, line, fields) => {
    expect(parseCsvLine(line)).toEqual(fields);
  });

  it.each([
    ['an unclosed quote', 'a,"b,c'],
    ['a quote inside an unquoted field', 'a,b"c,d'],
    ['a quote closing a field that does not start with one', 'a,bc",d'],
    ['text after a closing quote', 'a,"b"c,d'],
    ['a lone quote at the end', 'a,"'],
  ])('rejects %s', (_name, line) => {
    expect(parseCsvLine(line)).toBeNull();
  });
});

describe('csvLines', () => {
  it('splits on LF, CRLF and CR, drops blank lines and keeps the line numbers', () => {
    expect(csvLines('a\r\nb\n\nc\rd\n  \ne\n')).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
      { line: 4, text: 'c' },
      { line: 5, text: 'd' },
      { line: 7, text: 'e' },
    ]);
  });
});

describe('parseCredentialReport', () => {
  const { rows, unreadable } = parseCredentialReport(REALISTIC_CSV);
  const row = (userName: string) => rows.find((r) => r.userName === userName);

  it('has one row per IAM user, in report order, without <root_account>', () => {
    expect(rows.map((r) => r.userName)).toEqual(['alice', 'bob', 'carol', 'ops,team']);
    expect(unreadable).toEqual([]);
  });

  it('reads both slots, normalizes +00:00 dates to ISO Z and N/A to null', () => {
    expect(row('alice')).toEqual({
      userName: 'alice',
      keys: [
        {
          active: true,
          lastRotated: '2026-05-01T10:00:00.000Z',
          lastUsedDate: '2026-11-20T09:00:00.000Z',
        },
        { active: true, lastRotated: '2026-11-01T12:30:45.000Z', lastUsedDate: null },
      ],
    });
  });

  it('gives a user without keys no slots', () => {
    expect(row('bob')).toEqual({ userName: 'bob', keys: [] });
  });

  it('keeps a key that only slot 2 holds', () => {
    expect(row('carol')).toEqual({
      userName: 'carol',
      keys: [
        { active: false, lastRotated: '2026-01-03T08:15:00.000Z', lastUsedDate: '2026-02-01T00:00:00.000Z' },
      ],
    });
  });

  it('unquotes a user name and an ARN with a comma', () => {
    expect(row('ops,team')).toEqual({
      userName: 'ops,team',
      keys: [{ active: true, lastRotated: '2026-10-10T10:10:10.000Z', lastUsedDate: null }],
    });
  });

  it('reads CRLF line ends and a trailing newline the same way', () => {
    expect(parseCredentialReport(`${REALISTIC_CSV.replace(/\n/g, '\r\n')}\r\n`)).toEqual({
      rows,
      unreadable,
    });
  });

  it('reads TRUE and FALSE in capitals, as the IAM User Guide spells them', () => {
    const parsed = parseCredentialReport(withRows(userRow('dana', KEY.replace('true', 'TRUE'))));
    expect(parsed.rows).toEqual([
      {
        userName: 'dana',
        keys: [{ active: true, lastRotated: '2026-10-10T10:10:10.000Z', lastUsedDate: null }],
      },
    ]);
  });

  it('finds the columns by name, not by position', () => {
    const [header = '', ...lines] = REALISTIC_CSV.split('\n');
    // move the slot-2 block before the slot-1 block, in the header and in every line alike
    const swap = (line: string) => {
      const fields = parseCsvLine(line) ?? [];
      const quote = (f: string) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
      return [...fields.slice(0, 8), ...fields.slice(13, 18), ...fields.slice(8, 13), ...fields.slice(18)]
        .map(quote)
        .join(',');
    };
    const swapped = parseCredentialReport([swap(header), ...lines.map(swap)].join('\n'));
    expect(swap(header)).toMatch(/^user,arn,.*,access_key_2_active,.*,access_key_1_active,/);
    expect(swapped).toEqual({ rows, unreadable });
  });

  it('returns no rows for a report with only the header and the root account', () => {
    const [header = '', root = ''] = REALISTIC_CSV.split('\n');
    expect(parseCredentialReport(`${header}\n${root}\n`)).toEqual({ rows: [], unreadable: [] });
  });

  it.each([
    'user',
    'access_key_1_active',
    'access_key_1_last_rotated',
    'access_key_1_last_used_date',
    'access_key_2_active',
    'access_key_2_last_rotated',
    'access_key_2_last_used_date',
  ])('throws a CredentialReportFormatError naming a missing column %s', (column) => {
    const header = HEADER.split(',')
      .filter((c) => c !== column)
      .join(',');
    const csv = `${header}\nalice,arn`;
    expect(() => parseCredentialReport(csv)).toThrow(CredentialReportFormatError);
    expect(() => parseCredentialReport(csv)).toThrow(`the credential report has no column ${column}`);
  });

  it.each([
    ['an empty report', '', 'the credential report is empty'],
    ['a report of blank lines', '\n\r\n  \n', 'the credential report is empty'],
    ['a header that is not CSV', `"${HEADER}\nalice`, 'the credential report header is not valid CSV'],
  ])('throws a CredentialReportFormatError on %s', (_name, csv, message) => {
    expect(() => parseCredentialReport(csv)).toThrow(new CredentialReportFormatError(message));
  });

  it('ignores columns keysweep does not read (a report without cert and arn columns parses)', () => {
    const header = HEADER.split(',').filter((c) => !c.startsWith('cert_') && c !== 'arn');
    const csv = `${header.join(',')}\nerin,2025-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-09-09T09:09:09+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A`;
    expect(parseCredentialReport(csv)).toEqual({
      rows: [
        {
          userName: 'erin',
          keys: [{ active: true, lastRotated: '2026-09-09T09:09:09.000Z', lastUsedDate: null }],
        },
      ],
      unreadable: [],
    });
  });
});

describe('parseCredentialReport: rows it cannot trust are set aside, never guessed at', () => {
  it.each<[string, string, string]>([
    [
      'a user name with an unquoted comma (a field too many)',
      userRow('ops,team', KEY), // its ARN holds the comma too
      '24 fields where the header has 22',
    ],
    [
      'a truncated row',
      userRow('trunc', KEY).slice(0, 80), // trunc,arn:...,2025-01-01T00:00:00+00:00,false,N/A,N
      '6 fields where the header has 22',
    ],
    [
      'a stray quote',
      userRow('stray', KEY).replace('arn:', 'a"rn:'),
      'not valid CSV (a stray or unclosed quote)',
    ],
    [
      'fields shifted with the count intact (the ARN is not its user)',
      userRow('shifted', KEY).replace('shifted,arn:aws:iam::123456789012:user/shifted,', 'shifted,x,'),
      'its arn is not the ARN of its user',
    ],
    ['an empty user name', userRow('', KEY).replace('user/', 'user/x'), 'no user name'],
    [
      'an active column that is neither true nor false',
      userRow('odd', KEY.replace('true', 'yes')),
      'access_key_1_active is neither true nor false',
    ],
    [
      'a last_rotated that is not a date',
      userRow('odd', KEY.replace('2026-10-10T10:10:10+00:00', 'us-east-1')),
      'access_key_1_last_rotated is neither N/A nor a date',
    ],
    [
      'a last_rotated that is almost a date',
      userRow('odd', KEY.replace('2026-10-10T10:10:10+00:00', '2026-10-10')),
      'access_key_1_last_rotated is neither N/A nor a date',
    ],
    [
      'a last_used_date that is not a date',
      userRow('odd', 'false,N/A,N/A,N/A,N/A', 'false,2026-01-01T00:00:00+00:00,s3,N/A,N/A'),
      'access_key_2_last_used_date is neither N/A nor a date',
    ],
    [
      'an active key without a last_rotated date',
      userRow('odd', 'true,N/A,N/A,N/A,N/A'),
      'access_key_1 is active without a last_rotated date',
    ],
  ])('%s', (_name, bad, problem) => {
    const csv = withRows(userRow('before', KEY), bad, userRow('after', KEY));
    expect(parseCredentialReport(csv)).toEqual({
      rows: [expect.objectContaining({ userName: 'before' }), expect.objectContaining({ userName: 'after' })],
      unreadable: [{ line: 3, problem }],
    });
  });

  it('sets aside every row of a user name found twice', () => {
    const csv = withRows(userRow('twice', KEY), userRow('once', KEY), userRow('twice'));
    expect(parseCredentialReport(csv)).toEqual({
      rows: [expect.objectContaining({ userName: 'once' })],
      unreadable: [
        { line: 2, problem: 'its user name is on another row too' },
        { line: 4, problem: 'its user name is on another row too' },
      ],
    });
  });

  it('counts a malformed root row as unreadable and reads the rest', () => {
    const [header = '', root = '', ...users] = REALISTIC_CSV.split('\n');
    const parsed = parseCredentialReport([header, root.slice(0, 40), ...users].join('\n'));
    expect(parsed.rows.map((r) => r.userName)).toEqual(['alice', 'bob', 'carol', 'ops,team']);
    expect(parsed.unreadable).toHaveLength(1);
  });

  it('numbers lines as in the file, blank lines included', () => {
    const csv = `${HEADER}\n\n${userRow('a,b', KEY)}\r\n${userRow('fine', KEY)}`;
    expect(parseCredentialReport(csv).unreadable).toEqual([
      { line: 3, problem: '24 fields where the header has 22' },
    ]);
  });
});
