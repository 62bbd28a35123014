import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  LimitExceededException,
  ServiceFailureException,
  type ReportStateType,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  CredentialReportFormatError,
  fetchCredentialReport,
  parseCredentialReport,
  parseCsv,
  type FetchOptions,
} from '../../../functions/list-users/credential-report';
import type { RetryOptions } from '../../../functions/shared/retry';
import { throttlingError, CREDENTIAL_REPORT_HEADER } from '../fixtures';

const iamMock = mockClient(IAMClient);

beforeEach(() => {
  iamMock.reset();
});

const HEADER = CREDENTIAL_REPORT_HEADER;

/** A report as AWS writes it: CRLF-free lines, +00:00 dates, N/A where there is nothing. */
const REALISTIC_CSV = [
  HEADER,
  '<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,' +
    '2026-11-27T10:00:00+00:00,not_supported,not_supported,true,true,2020-02-02T02:02:02+00:00,' +
    '2026-11-01T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // two keys: one used, one never used
  'alice,arn:aws:iam::123456789012:user/alice,2025-01-01T00:00:00+00:00,true,2026-11-20T09:00:00+00:00,' +
    '2025-01-01T00:00:00+00:00,N/A,true,true,2026-05-01T10:00:00+00:00,2026-11-20T09:00:00+00:00,' +
    'eu-west-1,s3,true,2026-11-01T12:30:45+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
  // no keys at all (console user)
  'bob,arn:aws:iam::123456789012:user/bob,2025-03-01T00:00:00+00:00,true,no_information,' +
    '2025-03-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // key 1 deleted: only slot 2 holds a key, inactive
  'carol,arn:aws:iam::123456789012:user/carol,2024-06-01T00:00:00+00:00,false,N/A,N/A,N/A,false,' +
    'false,N/A,N/A,N/A,N/A,false,2026-01-03T08:15:00+00:00,2026-02-01T00:00:00+00:00,us-east-1,ec2,' +
    'false,N/A,false,N/A',
  // an IAM user name may hold a comma: the report quotes it
  '"ops,team",arn:aws:iam::123456789012:user/ops/"ops,team",2025-01-01T00:00:00+00:00,false,N/A,N/A,' +
    'N/A,false,true,2026-10-10T10:10:10+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
].join('\n');

describe('parseCsv', () => {
  it.each<[string, string, string[][]]>([
    ['empty input', '', []],
    ['a single newline', '\n', []],
    ['one row without a newline', 'a,b,c', [['a', 'b', 'c']]],
    [
      'a trailing LF',
      'a,b\nc,d\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'CRLF line ends',
      'a,b\r\nc,d\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'CRLF without a trailing newline',
      'a,b\r\nc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'a lone CR as a line end',
      'a,b\rc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['a quoted field with a comma', 'x,"a,b",y', [['x', 'a,b', 'y']]],
    ['a doubled quote inside quotes', '"say ""hi""",z', [['say "hi"', 'z']]],
    ['a quoted newline', '"line1\nline2",z\nnext', [['line1\nline2', 'z'], ['next']]],
    ['an empty quoted field', 'a,"",c', [['a', '', 'c']]],
    ['empty fields', ',,', [['', '', '']]],
    ['a trailing empty field', 'a,\n', [['a', '']]],
    ['a blank line between rows', 'a\n\nb\n', [['a'], ['b']]],
  ])('splits %s', (_name, text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });
});

describe('parseCredentialReport', () => {
  const rows = parseCredentialReport(REALISTIC_CSV);
  const row = (userName: string) => rows.find((r) => r.userName === userName);

  it('has one row per IAM user, in report order, without <root_account>', () => {
    expect(rows.map((r) => r.userName)).toEqual(['alice', 'bob', 'carol', 'ops,team']);
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

  it('unquotes a user name with a comma', () => {
    expect(row('ops,team')).toEqual({
      userName: 'ops,team',
      keys: [{ active: true, lastRotated: '2026-10-10T10:10:10.000Z', lastUsedDate: null }],
    });
  });

  it('reads CRLF line ends and a trailing newline the same way', () => {
    expect(parseCredentialReport(`${REALISTIC_CSV.replace(/\n/g, '\r\n')}\r\n`)).toEqual(rows);
  });

  it('finds the columns by name, not by position', () => {
    const [header = '', ...lines] = REALISTIC_CSV.split('\n');
    // move the slot-2 block before the slot-1 block, in the header and in every line alike
    const swap = (line: string) => {
      const fields = parseCsv(line)[0] ?? [];
      const quote = (f: string) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
      return [...fields.slice(0, 8), ...fields.slice(13, 18), ...fields.slice(8, 13), ...fields.slice(18)]
        .map(quote)
        .join(',');
    };
    const swapped = parseCredentialReport([swap(header), ...lines.map(swap)].join('\n'));
    expect(swap(header)).toMatch(/^user,arn,.*,access_key_2_active,.*,access_key_1_active,/);
    expect(swapped).toEqual(rows);
  });

  it('treats an unparseable date as no key', () => {
    const csv = `${HEADER}\n${'dave,arn,x,false,N/A,N/A,N/A,false,true,not-a-date,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A'}`;
    expect(parseCredentialReport(csv)).toEqual([{ userName: 'dave', keys: [] }]);
  });

  it('returns no rows for a report with only the header and the root account', () => {
    const [header = '', root = ''] = REALISTIC_CSV.split('\n');
    expect(parseCredentialReport(`${header}\n${root}\n`)).toEqual([]);
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

  it('throws a CredentialReportFormatError on an empty report', () => {
    expect(() => parseCredentialReport('')).toThrow(
      new CredentialReportFormatError('the credential report is empty'),
    );
  });

  it('ignores columns keysweep does not read (a report without cert columns parses)', () => {
    const header = HEADER.split(',').filter((c) => !c.startsWith('cert_'));
    const csv = `${header.join(',')}\nerin,arn,2025-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-09-09T09:09:09+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A`;
    expect(parseCredentialReport(csv)).toEqual([
      {
        userName: 'erin',
        keys: [{ active: true, lastRotated: '2026-09-09T09:09:09.000Z', lastUsedDate: null }],
      },
    ]);
  });
});

describe('fetchCredentialReport', () => {
  const GENERATED = new Date('2026-11-28T06:30:00Z');
  let log: string[];
  let retrySleep: jest.Mock<Promise<void>, [number]>;
  let pollSleep: jest.Mock<Promise<void>, [number]>;

  beforeEach(() => {
    log = [];
    retrySleep = jest.fn(async (_ms: number) => undefined);
    pollSleep = jest.fn(async (ms: number) => {
      log.push(`sleep ${ms}`);
    });
  });

  function options(maxPolls = 3): FetchOptions {
    const retry: RetryOptions = { attempts: 4, baseDelayMs: 0, maxDelayMs: 0, sleep: retrySleep };
    return { retry, maxPolls, pollDelayMs: 2_000, sleep: pollSleep };
  }

  /** GenerateCredentialReport answers these states in turn (the last one repeats). */
  function generateStates(...states: ReportStateType[]): void {
    let call = 0;
    iamMock.on(GenerateCredentialReportCommand).callsFake(() => {
      const state = states[Math.min(call, states.length - 1)];
      call++;
      log.push(`generate ${String(state)}`);
      return { State: state };
    });
  }

  function serveReport(csv = REALISTIC_CSV): void {
    iamMock.on(GetCredentialReportCommand).callsFake(() => {
      log.push('get');
      return { Content: new TextEncoder().encode(csv), ReportFormat: 'text/csv', GeneratedTime: GENERATED };
    });
  }

  it('reads a report that is COMPLETE at once, without sleeping', async () => {
    generateStates('COMPLETE');
    serveReport();
    await expect(fetchCredentialReport(new IAMClient({}), options())).resolves.toEqual({
      report: { generatedAt: '2026-11-28T06:30:00.000Z', rows: parseCredentialReport(REALISTIC_CSV) },
    });
    expect(log).toEqual(['generate COMPLETE', 'get']);
    expect(pollSleep).not.toHaveBeenCalled();
    expect(iamMock).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 1);
    expect(iamMock).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
  });

  it('polls STARTED → INPROGRESS → COMPLETE, sleeping pollDelayMs between polls', async () => {
    generateStates('STARTED', 'INPROGRESS', 'COMPLETE');
    serveReport();
    const result = await fetchCredentialReport(new IAMClient({}), options(5));
    expect(result).toEqual({ report: expect.objectContaining({ generatedAt: GENERATED.toISOString() }) });
    expect(log).toEqual([
      'generate STARTED',
      'sleep 2000',
      'generate INPROGRESS',
      'sleep 2000',
      'generate COMPLETE',
      'get',
    ]);
  });

  it.each<[ReportStateType, number]>([
    ['INPROGRESS', 3],
    ['STARTED', 1],
    ['INPROGRESS', 2],
  ])('gives up on a report still %s after maxPolls %i, naming the state', async (state, maxPolls) => {
    generateStates(state);
    serveReport();
    await expect(fetchCredentialReport(new IAMClient({}), options(maxPolls))).resolves.toEqual({
      unavailable: `the credential report was still ${state} after ${maxPolls} polls`,
    });
    expect(iamMock).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, maxPolls);
    expect(pollSleep).toHaveBeenCalledTimes(maxPolls - 1);
    expect(iamMock).not.toHaveReceivedCommand(GetCredentialReportCommand);
  });

  it.each([
    [
      'CredentialReportNotPresentException',
      new CredentialReportNotPresentException({ message: 'x', $metadata: {} }),
    ],
    [
      'CredentialReportExpiredException',
      new CredentialReportExpiredException({ message: 'x', $metadata: {} }),
    ],
    [
      'CredentialReportNotReadyException',
      new CredentialReportNotReadyException({ message: 'x', $metadata: {} }),
    ],
    // the raw IAM error codes, as an SDK that cannot map them would name them
    ['ReportNotPresent', Object.assign(new Error('x'), { name: 'ReportNotPresent' })],
    ['ReportExpired', Object.assign(new Error('x'), { name: 'ReportExpired' })],
    ['ReportInProgress', Object.assign(new Error('x'), { name: 'ReportInProgress' })],
    ['ServiceFailureException', new ServiceFailureException({ message: 'x', $metadata: {} })],
    ['AccessDenied', Object.assign(new Error('x'), { name: 'AccessDenied' })],
  ])('answers unavailable when GetCredentialReport throws %s', async (name, error) => {
    generateStates('COMPLETE');
    iamMock.on(GetCredentialReportCommand).rejects(error);
    await expect(fetchCredentialReport(new IAMClient({}), options())).resolves.toEqual({
      unavailable: `the credential report could not be read (GetCredentialReport: ${name}: x)`,
    });
    // not retried: only throttling is
    expect(iamMock).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
  });

  it.each([
    [
      'LimitExceededException',
      new LimitExceededException({ message: 'Report generation limit exceeded', $metadata: {} }),
    ],
    ['ServiceFailureException', new ServiceFailureException({ message: 'internal error', $metadata: {} })],
    ['AccessDenied', Object.assign(new Error('not authorized'), { name: 'AccessDenied' })],
  ])('answers unavailable when GenerateCredentialReport throws %s, naming it', async (name, error) => {
    iamMock.on(GenerateCredentialReportCommand).rejects(error);
    await expect(fetchCredentialReport(new IAMClient({}), options())).resolves.toEqual({
      unavailable: `the credential report could not be read (GenerateCredentialReport: ${name}: ${error.message})`,
    });
    expect(iamMock).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 1);
    expect(iamMock).not.toHaveReceivedCommand(GetCredentialReportCommand);
  });

  it('masks a key ID in the error message, keeps only its first line and cuts it short', async () => {
    const keyId = 'AKIAIOSFODNN7EXAMPLE';
    const message = `key ${keyId} is odd ${'x'.repeat(400)}\nsecond line ${keyId}`;
    iamMock
      .on(GenerateCredentialReportCommand)
      .rejects(new ServiceFailureException({ message, $metadata: {} }));
    const result = await fetchCredentialReport(new IAMClient({}), options());
    const reason = 'unavailable' in result ? result.unavailable : '';
    expect(reason).toContain(
      'GenerateCredentialReport: ServiceFailureException: key AKIA************MPLE is odd',
    );
    expect(reason).not.toContain(keyId);
    expect(reason).not.toContain('second line');
    expect(reason.length).toBeLessThan(300);
  });

  it('retries throttled GenerateCredentialReport and GetCredentialReport calls', async () => {
    iamMock
      .on(GenerateCredentialReportCommand)
      .rejectsOnce(throttlingError())
      .rejectsOnce(throttlingError('ThrottlingException'))
      .resolves({ State: 'COMPLETE' });
    iamMock
      .on(GetCredentialReportCommand)
      .rejectsOnce(throttlingError())
      .resolves({ Content: new TextEncoder().encode(REALISTIC_CSV), GeneratedTime: GENERATED });
    const result = await fetchCredentialReport(new IAMClient({}), options());
    expect('report' in result && result.report.rows).toHaveLength(4);
    expect(iamMock).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 3);
    expect(iamMock).toHaveReceivedCommandTimes(GetCredentialReportCommand, 2);
    expect(retrySleep).toHaveBeenCalledTimes(3);
    // a throttling retry is not a poll
    expect(pollSleep).not.toHaveBeenCalled();
  });

  it.each(['GenerateCredentialReport', 'GetCredentialReport'] as const)(
    'answers unavailable when throttling of %s outlasts the retries',
    async (operation) => {
      generateStates('COMPLETE');
      serveReport();
      const command =
        operation === 'GenerateCredentialReport'
          ? GenerateCredentialReportCommand
          : GetCredentialReportCommand;
      iamMock.on(command).rejects(throttlingError());
      await expect(fetchCredentialReport(new IAMClient({}), options())).resolves.toEqual({
        unavailable: `the credential report could not be read (${operation}: Throttling: Rate exceeded)`,
      });
      expect(iamMock).toHaveReceivedCommandTimes(command, 4);
    },
  );

  it.each<[string, object, string]>([
    ['no Content', { GeneratedTime: GENERATED }, 'the credential report came back empty'],
    [
      'an empty Content',
      { Content: new Uint8Array(), GeneratedTime: GENERATED },
      'the credential report came back empty',
    ],
    [
      'no GeneratedTime',
      { Content: new TextEncoder().encode(REALISTIC_CSV) },
      'the credential report came back without a valid GeneratedTime',
    ],
    [
      'a GeneratedTime that is no date',
      { Content: new TextEncoder().encode(REALISTIC_CSV), GeneratedTime: new Date('not a date') },
      'the credential report came back without a valid GeneratedTime',
    ],
  ])('answers unavailable for a report with %s', async (_name, response, reason) => {
    generateStates('COMPLETE');
    iamMock.on(GetCredentialReportCommand).resolves(response);
    await expect(fetchCredentialReport(new IAMClient({}), options())).resolves.toEqual({
      unavailable: reason,
    });
  });

  it('answers unavailable for a Content that is not bytes', async () => {
    generateStates('COMPLETE');
    iamMock
      .on(GetCredentialReportCommand)
      .resolves({ Content: { byteLength: 3 } as unknown as Uint8Array, GeneratedTime: GENERATED });
    const result = await fetchCredentialReport(new IAMClient({}), options());
    expect(result).toEqual({
      unavailable: expect.stringMatching(
        /^the credential report could not be read \(GetCredentialReport: TypeError: /,
      ),
    });
  });

  it('answers unavailable (not a crash) for a report in an unexpected format, saying what is wrong', async () => {
    generateStates('COMPLETE');
    serveReport('user,arn\nalice,arn:aws:iam::123456789012:user/alice\n');
    await expect(fetchCredentialReport(new IAMClient({}), options())).resolves.toEqual({
      unavailable:
        'the credential report could not be read (CredentialReportFormatError: the credential report has no column access_key_1_active)',
    });
  });
});
