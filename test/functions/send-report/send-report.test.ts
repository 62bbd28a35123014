import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/send-report/handler';
import type { Report } from '../../../functions/send-report/report-model';
import { sendReport, type SendReportDeps } from '../../../functions/send-report/send-report';
import type { DecisionsFile, KeyResult, Plan } from '../../../functions/shared/batch-files';
import { keyIndexSchema } from '../../../functions/shared/key-index';
import { layout } from '../../../functions/shared/report-layout';
import type { Run } from '../../../functions/shared/run';
import {
  ADMIN,
  FULL_KEY_ID,
  FakeBucket,
  NOW,
  PREFIX,
  SENDER,
  fakeContext,
  keyId,
  testConfig,
  testRun,
} from '../fixtures';
import { decisionsFile, planOf, record, result } from './report-fixtures';

const s3Mock = mockClient(S3Client);
const sesMock = mockClient(SESClient);
const BUCKET = 'reports-bucket';
const REPORT_KEY = `${PREFIX}report.json`;

let log: string[];
let bucket: FakeBucket;

beforeEach(() => {
  s3Mock.reset();
  sesMock.reset();
  log = [];
  bucket = new FakeBucket(log).install(s3Mock);
  sesMock.on(SendEmailCommand).callsFake(() => {
    log.push('ses:SendEmail');
    return { MessageId: 'message-1' };
  });
});

function deps(configOverrides: Record<string, unknown> = {}): SendReportDeps {
  return {
    s3: new S3Client({}),
    ses: new SESClient({}),
    bucket: BUCKET,
    config: testConfig(configOverrides),
    clock: () => new Date(NOW.getTime() + 95_500),
    intervalMs: 0,
    sleep: () => Promise.resolve(),
  };
}

const a = record('alice', 1, 'deactivate');
const b = record('bob', 2, 'delete');
const c = record('carol', 3, 'warn');
const d = record('dave', 4, 'deactivate');
const e = record('erin', 5, 'none');
const files: DecisionsFile[] = [
  decisionsFile(0, [a, b, c], { usersGone: ['zed'] }),
  decisionsFile(1, [e]),
  decisionsFile(2, [d]),
];

/** Puts the decisions and the results files of a run into the bucket. */
function stored(decisions: DecisionsFile[], results: Record<number, KeyResult[]> = {}): void {
  for (const file of decisions) bucket.put(layout.decisionsOfBatch(PREFIX, file.batchIndex), file);
  for (const [index, list] of Object.entries(results))
    bucket.put(layout.resultsOfBatch(PREFIX, Number(index)), list);
}

function event(
  plan: Plan | undefined,
  run: Partial<Run> = {},
  sweepError?: { Error?: string; Cause?: string },
) {
  return {
    run: testRun({ batchCount: 3, ...run }),
    ...(plan ? { plan } : {}),
    ...(sweepError ? { sweepError } : {}),
  };
}

const ALL_DONE = {
  0: [result(a, { result: 'done', detail: 'deactivated' }), result(b, { result: 'done', detail: 'deleted' })],
  2: [result(d, { result: 'skipped', detail: 'already inactive' })],
};

describe('sendReport', () => {
  it('stores report.json and the rendered email before it calls SES', async () => {
    stored(files, ALL_DONE);
    await sendReport(event(planOf(files)), deps());
    const stores = [`s3:${REPORT_KEY}`, `s3:${PREFIX}email.html`, `s3:${PREFIX}email.txt`];
    const positions = stores.map((entry) => log.indexOf(entry));
    const sent = log.indexOf('ses:SendEmail');
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(sent).toBeGreaterThan(Math.max(...positions));
    expect(log.filter((entry) => entry === 'ses:SendEmail')).toHaveLength(1);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: REPORT_KEY,
      ContentType: 'application/json',
    });
    expect(bucket.objects.get(`${PREFIX}email.html`)?.contentType).toBe('text/html; charset=utf-8');
    expect(bucket.objects.get(`${PREFIX}email.txt`)?.contentType).toBe('text/plain; charset=utf-8');
  });

  it('reads every batch’s decisions and the results of the batches that acted', async () => {
    stored(files, ALL_DONE);
    await sendReport(event(planOf(files)), deps());
    for (const index of [0, 1, 2]) {
      expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, {
        Bucket: BUCKET,
        Key: layout.decisionsOfBatch(PREFIX, index),
      });
    }
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Key: layout.resultsOfBatch(PREFIX, 0) });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Key: layout.resultsOfBatch(PREFIX, 2) });
    expect(s3Mock).not.toHaveReceivedCommandWith(GetObjectCommand, { Key: layout.resultsOfBatch(PREFIX, 1) });
  });

  it('stores the full report, with full key IDs, and returns a summary', async () => {
    stored(files, ALL_DONE);
    const summary = await sendReport(event(planOf(files)), deps());
    const report = bucket.json(REPORT_KEY) as Report;
    expect(report.entries.map((x) => [x.userName, x.accessKeyId, x.action, x.result])).toEqual([
      ['alice', keyId(1), 'deactivate', 'done'],
      ['bob', keyId(2), 'delete', 'done'],
      ['carol', keyId(3), 'warn', 'n/a'],
      ['dave', keyId(4), 'deactivate', 'skipped'],
      ['erin', keyId(5), 'none', 'n/a'],
    ]);
    expect(report.usersGone).toEqual(['zed']);
    expect(summary).toEqual({
      outcome: 'ok',
      cause: '',
      reportKey: REPORT_KEY,
      counts: {
        byAction: { deactivate: 2, delete: 1, warn: 1, exempt: 0, none: 1 },
        byResult: { done: 2, 'dry-run': 0, skipped: 1, failed: 0, 'n/a': 2 },
      },
      done: { deactivate: 1, delete: 1 },
      usersRead: 5,
      durationSeconds: 95.5,
    });
  });

  it('writes the key index: a key deactivated this run is inactive since the run’s start, not the report’s time', async () => {
    stored(files, ALL_DONE);
    await sendReport(event(planOf(files), { startedAt: '2026-11-28T07:59:00.000Z' }), deps());
    const index = keyIndexSchema.parse(bucket.json(layout.keyIndex()));
    expect(index.updatedAt).toBe(new Date(NOW.getTime() + 95_500).toISOString());
    expect(index.users.alice?.keys).toEqual([
      expect.objectContaining({
        accessKeyId: keyId(1),
        status: 'Inactive',
        deactivatedByKeysweep: true,
        inactiveSince: '2026-11-28T07:59:00.000Z',
      }),
    ]);
    // dave's key was found already inactive by someone else: keysweep did not see it inactive yet
    expect(index.users.dave?.keys[0]).not.toHaveProperty('inactiveSince');
    expect(index.users.bob?.keys).toEqual([]); // deleted
  });

  it('lists the keys deactivated after exposure since the last run, and marks them in the key index as keysweep’s', async () => {
    stored(files, ALL_DONE);
    const exposureKey = 'runs/2026-11-28/exposure-1/exposure.json';
    bucket.put('state/exposures/runs/2026-11-28/exposure-1.json', { reportKey: exposureKey });
    bucket.put(exposureKey, {
      kind: 'exposure',
      keysweepVersion: '1',
      executionId: 'arn:aws:states:eu-west-1:123456789012:execution:KeySweep-ExposedKey:exposure-1',
      executionName: 'exposure-1',
      consoleUrl: null,
      hubAccountId: '123456789012',
      startedAt: '2026-11-28T03:00:00Z',
      finishedAt: '2026-11-28T03:00:04Z',
      event: {
        id: 'e',
        eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x',
        time: '2026-11-28T02:59:00Z',
        account: '123456789012',
        affectedAccount: '123456789012',
      },
      exposedKeys: 'deactivate',
      outcome: 'ok',
      cause: '',
      keys: [
        {
          accountId: '123456789012',
          accessKeyId: keyId(9),
          maskedAccessKeyId: 'AKIA************AAAJ',
          result: 'deactivated',
          userName: 'ivan',
          createDate: '2026-11-01T00:00:00Z',
          deactivatedAt: '2026-11-28T03:00:01Z',
        },
      ],
      notifications: { admins: 'sent', owners: [] },
    });
    await sendReport(event(planOf(files)), deps());
    const report = bucket.json(REPORT_KEY) as Report;
    expect(report.exposures?.entries).toEqual([
      expect.objectContaining({ userName: 'ivan', accessKeyId: keyId(9), result: 'deactivated' }),
    ]);
    const index = keyIndexSchema.parse(bucket.json(layout.keyIndex()));
    expect(index.users.ivan?.keys).toEqual([
      expect.objectContaining({
        accessKeyId: keyId(9),
        status: 'Inactive',
        deactivatedByKeysweep: true,
        inactiveSince: '2026-11-28T03:00:01Z',
      }),
    ]);
    expect(index.deactivatedByKeysweep).toContain('ivan');
    expect(index.exposures?.seen).toEqual([exposureKey]);
    const email = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(email?.Message?.Body?.Text?.Data).toContain(
      '== Deactivated after exposure since the last run (1) ==',
    );
  });

  it('emails the admins from the sender, in HTML and text, with masked key IDs only', async () => {
    stored(files, ALL_DONE);
    await sendReport(event(planOf(files)), deps({ adminEmails: [ADMIN, 'second@example.com'] }));
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: SENDER,
      Destination: { ToAddresses: [ADMIN, 'second@example.com'] },
    });
    const input = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Message?.Subject?.Data).toBe(
      'keysweep 123456789012 2026-11-28: 1 deactivated, 1 deleted, 1 warned',
    );
    expect(input?.Message?.Body?.Html?.Data).toBe(bucket.text(`${PREFIX}email.html`));
    expect(input?.Message?.Body?.Text?.Data).toBe(bucket.text(`${PREFIX}email.txt`));
    expect(JSON.stringify(input)).not.toMatch(FULL_KEY_ID);
    expect(input?.Message?.Body?.Text?.Data).toContain(`Full report: s3://${BUCKET}/${REPORT_KEY}`);
  });

  it('fails with EmailNotSent when SES fails, after storing the report', async () => {
    stored(files, ALL_DONE);
    sesMock.on(SendEmailCommand).rejects(
      Object.assign(new Error(`Email address is not verified: ${ADMIN} (${keyId(7)})`), {
        name: 'MessageRejected',
      }),
    );
    const attempt = sendReport(event(planOf(files)), deps());
    await expect(attempt).rejects.toMatchObject({ name: 'EmailNotSent' });
    await expect(attempt).rejects.toThrow(
      `The summary email could not be sent (MessageRejected: Email address is not verified: ${ADMIN} (AKIA************`,
    );
    await expect(attempt).rejects.toThrow(`the report is stored at s3://${BUCKET}/${REPORT_KEY}`);
    await expect(attempt).rejects.not.toThrow(FULL_KEY_ID);
    expect(bucket.objects.has(REPORT_KEY)).toBe(true);
    expect(bucket.objects.has(`${PREFIX}email.html`)).toBe(true);
    expect(bucket.objects.has(`${PREFIX}email.txt`)).toBe(true);
  });

  it('reports the keys of a batch without a results file as failed', async () => {
    stored(files, { 0: ALL_DONE[0] });
    const summary = await sendReport(event(planOf(files)), deps());
    expect(summary.outcome).toBe('keys-failed');
    expect(summary.cause).toBe(
      '1 of 3 key actions failed; the email and report.json list each with its reason.',
    );
    const report = bucket.json(REPORT_KEY) as Report;
    expect(report.entries.find((x) => x.userName === 'dave')).toMatchObject({
      result: 'failed',
      error: 'no result was recorded for this key (its batch did not finish); check the key by hand',
    });
  });

  it('records a failure from the act step with its error', async () => {
    stored(files, { ...ALL_DONE, 2: [result(d, { result: 'failed', error: 'States.TaskFailed' })] });
    const summary = await sendReport(event(planOf(files)), deps());
    expect(summary.outcome).toBe('keys-failed');
    expect(summary.counts.byResult.failed).toBe(1);
  });

  it.each<[string, Plan, Partial<Run>, string]>([
    ['report mode', planOf(files), { mode: 'report', modeSource: 'input' }, 'ok'],
    ['a tripped action limit', planOf(files, 2), {}, 'action-limit-exceeded'],
  ])('reads no results file in %s', async (_name, plan, run, outcome) => {
    stored(files, ALL_DONE);
    const summary = await sendReport(event(plan, run), deps());
    expect(summary.outcome).toBe(outcome);
    expect(summary.done).toEqual({ deactivate: 0, delete: 0 });
    for (const index of [0, 2]) {
      expect(s3Mock).not.toHaveReceivedCommandWith(GetObjectCommand, {
        Key: layout.resultsOfBatch(PREFIX, index),
      });
    }
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('names the limit in the cause when the action limit was exceeded', async () => {
    stored(files);
    const summary = await sendReport(event(planOf(files, 2)), deps());
    expect(summary.cause).toContain(
      '3 deactivations and deletions were planned, more than maxActionsPerRun (2)',
    );
    const report = bucket.json(REPORT_KEY) as Report;
    expect(report.entries.filter((x) => x.result === 'skipped')).toHaveLength(3);
  });

  it('fails when a batch’s decisions are missing and the sweep did not fail', async () => {
    stored([files[0] as DecisionsFile, files[2] as DecisionsFile], ALL_DONE);
    await expect(sendReport(event(planOf(files)), deps())).rejects.toThrow(
      `The decisions of batch 1 are missing from s3://${BUCKET}/${PREFIX}`,
    );
    expect(sesMock).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('reports what there is when the sweep failed, and says so', async () => {
    stored([files[0] as DecisionsFile]);
    const summary = await sendReport(
      event(
        undefined,
        {},
        { Error: 'States.TaskFailed', Cause: '{"errorMessage":"batch 1 could not be read"}' },
      ),
      deps(),
    );
    expect(summary.outcome).toBe('sweep-failed');
    expect(summary.cause).toContain('The sweep stopped early: States.TaskFailed: batch 1 could not be read.');
    const report = bucket.json(REPORT_KEY) as Report;
    expect(report.entries.map((x) => x.userName)).toEqual(['alice', 'bob', 'carol']);
    expect(report.entries.find((x) => x.userName === 'alice')).toMatchObject({
      result: 'skipped',
      detail: 'not done: the sweep stopped before acting',
    });
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it.each<[string, unknown, string]>([
    ['no run', { plan: planOf(files) }, 'run'],
    [
      'a plan without batches',
      { run: testRun(), plan: { ...planOf(files), batches: undefined } },
      'plan.batches',
    ],
  ])('rejects an event with %s before reading anything', async (_name, bad, problem) => {
    const attempt = sendReport(bad, deps());
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidEvent' });
    await expect(attempt).rejects.toThrow(`send-report received an event it cannot use: ${problem}`);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('send-report handler', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('passes the event through the middy wrapper to sendReport', async () => {
    stored(files, ALL_DONE);
    const summary = await handler(
      { ...event(planOf(files)), batches: [{ index: 0, userCount: 3 }], found: [] },
      fakeContext('keysweep-send-report'),
    );
    expect(summary).toMatchObject({
      outcome: 'ok',
      reportKey: REPORT_KEY,
      done: { deactivate: 1, delete: 1 },
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'keysweep-reports-test',
      Key: REPORT_KEY,
    });
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: 'keysweep@example.com',
      Destination: { ToAddresses: ['security-admins@example.com'] },
    });
  });
});
