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
import { fetchCredentialReport, type FetchOptions } from '../../../functions/list-users/credential-report';
import { parseCredentialReport } from '../../../functions/list-users/credential-report-csv';
import type { RetryOptions } from '../../../functions/shared/retry';
import { throttlingError, REALISTIC_CREDENTIAL_REPORT } from '../fixtures';

const iamMock = mockClient(IAMClient);

beforeEach(() => {
  iamMock.reset();
});

const REALISTIC_CSV = REALISTIC_CREDENTIAL_REPORT;

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
      report: { generatedAt: '2026-11-28T06:30:00.000Z', ...parseCredentialReport(REALISTIC_CSV) },
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
