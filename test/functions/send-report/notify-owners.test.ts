import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { buildReport, resultKey } from '../../../functions/send-report/build-report';
import {
  RESERVED_MS,
  notifyOwners,
  ownerNotificationsSchema,
  type NotifyOwnersDeps,
} from '../../../functions/send-report/notify-owners';
import type { Report } from '../../../functions/send-report/report-model';
import type { DecisionsFile, KeyResult } from '../../../functions/shared/batch-files';
import { maskAccessKeyId } from '../../../functions/shared/masking';
import type { Run } from '../../../functions/shared/run';
import { FULL_KEY_ID, FakeBucket, NOW, PREFIX, SENDER, keyId, testConfig, testRun } from '../fixtures';
import { decisionsFile, planOf, record, result } from './report-fixtures';

const s3Mock = mockClient(S3Client);
const sesMock = mockClient(SESClient);
const BUCKET = 'reports-bucket';
const RECORD_KEY = `${PREFIX}owner-notifications.json`;

let bucket: FakeBucket;

beforeEach(() => {
  s3Mock.reset();
  sesMock.reset();
  bucket = new FakeBucket().install(s3Mock);
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'm' });
});

const aliceOld = record('alice', 1, 'deactivate');
const aliceSoon = record('alice', 2, 'warn');
const bobSoon = record('bob', 3, 'warn', { ownerEmail: null });
const carolSkipped = record('carol', 4, 'deactivate');
const daveExempt = record('dave', 5, 'exempt');
const erinGone = record('erin', 6, 'delete');
const frankFailed = record('frank', 7, 'deactivate');
const ginaSoon = record('gina', 8, 'warn');
const ginaYoung = record('gina', 9, 'none', { ageDays: 5 });
const files: DecisionsFile[] = [
  decisionsFile(0, [
    aliceOld,
    aliceSoon,
    bobSoon,
    carolSkipped,
    daveExempt,
    erinGone,
    frankFailed,
    ginaSoon,
    ginaYoung,
  ]),
];
const results: KeyResult[] = [
  result(aliceOld, { result: 'done', detail: 'deactivated' }),
  result(carolSkipped, { result: 'skipped', detail: 'already inactive' }),
  result(erinGone, { result: 'done', detail: 'deleted' }),
  result(frankFailed, { result: 'failed', error: 'AccessDenied: no' }),
];

function report(run: Partial<Run> = {}, maxActionsPerRun = 100): Report {
  return buildReport({
    run: testRun(run),
    plan: planOf(files, maxActionsPerRun),
    decisions: files,
    results: new Map(results.map((r) => [resultKey(r.userName, r.accessKeyId), r])),
    sweepError: null,
    config: testConfig({ notifyOwners: true }),
    finishedAt: NOW,
  });
}

function deps(overrides: Partial<NotifyOwnersDeps> = {}, notify = true): NotifyOwnersDeps {
  return {
    s3: new S3Client({}),
    ses: new SESClient({}),
    bucket: BUCKET,
    config: testConfig({ notifyOwners: notify }),
    intervalMs: 1000,
    sleep: jest.fn(async () => undefined),
    remainingMs: () => 900_000,
    ...overrides,
  };
}

function recipients(): string[] {
  return sesMock
    .commandCalls(SendEmailCommand)
    .map((call) => call.args[0].input.Destination?.ToAddresses?.join(',') ?? '');
}

describe('notifyOwners', () => {
  it('does nothing when notifyOwners is off', async () => {
    await expect(notifyOwners(report(), PREFIX, deps({}, false))).resolves.toEqual({
      enabled: false,
      withheld: null,
      sent: [],
      failed: [],
      noAddress: [],
      notSent: [],
    });
    expect(sesMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it.each<[string, Partial<Run>, number, string]>([
    ['report mode', { mode: 'report' }, 100, 'report mode: owners are not emailed'],
    ['a tripped action limit', {}, 1, 'the action limit was exceeded: owners are not emailed'],
  ])('withholds every owner email in %s', async (_name, run, max, withheld) => {
    const outcome = await notifyOwners(report(run, max), PREFIX, deps());
    expect(outcome).toMatchObject({ enabled: true, withheld, sent: [] });
    expect(sesMock).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('emails each owner of a warned, deactivated or deleted key once, paced, and records it', async () => {
    const d = deps();
    const outcome = await notifyOwners(report(), PREFIX, d);
    expect(outcome).toEqual({
      enabled: true,
      withheld: null,
      sent: ['alice', 'erin', 'gina'],
      failed: [],
      noAddress: ['bob'],
      notSent: [],
    });
    expect(recipients()).toEqual(['alice@example.com', 'erin@example.com', 'gina@example.com']);
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, { Source: SENDER });
    expect(d.sleep).toHaveBeenCalledTimes(2);
    expect(d.sleep).toHaveBeenCalledWith(1000);
    expect(ownerNotificationsSchema.parse(bucket.json(RECORD_KEY))).toEqual(outcome);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: `${PREFIX}owners/alice.html` });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: `${PREFIX}owners/alice.txt` });
  });

  it('tells each owner about their own keys only, masked', async () => {
    await notifyOwners(report(), PREFIX, deps());
    const alice = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    const text = alice?.Message?.Body?.Text?.Data ?? '';
    expect(alice?.Destination?.ToAddresses).toEqual(['alice@example.com']);
    expect(alice?.Message?.Subject?.Data).toBe('keysweep: an access key of IAM user alice changed today');
    expect(text).toContain(`${maskAccessKeyId(aliceOld.accessKeyId)}, created`);
    expect(text).toContain('was deactivated today at 120 days old');
    expect(text).toContain(`${maskAccessKeyId(aliceSoon.accessKeyId)}, created`);
    expect(text).toContain('will be deactivated on or after 2026-12-08.');
    expect(text).toContain(
      `that used ${maskAccessKeyId(aliceOld.accessKeyId)} or uses ${maskAccessKeyId(aliceSoon.accessKeyId)} to the new key.`,
    );
    expect(text).not.toContain('gina');
    expect(text).not.toContain(maskAccessKeyId(ginaSoon.accessKeyId));
    expect(JSON.stringify(alice)).not.toMatch(FULL_KEY_ID);
  });

  it("writes each owner's steps from all of the user's keys, the untouched ones too", async () => {
    await notifyOwners(report(), PREFIX, deps());
    const gina = sesMock
      .commandCalls(SendEmailCommand)
      .find((call) => call.args[0].input.Destination?.ToAddresses?.includes('gina@example.com'));
    const text = gina?.args[0].input.Message?.Body?.Text?.Data ?? '';
    const young = maskAccessKeyId(ginaYoung.accessKeyId);
    expect(text).toContain(`Your other key, ${young}, created`);
    expect(text).toContain(`to your other key, ${young}.`);
    expect(text).not.toContain('create-access-key');
  });

  it('does not email again an owner a previous attempt of this run already emailed', async () => {
    bucket.put(RECORD_KEY, {
      enabled: true,
      withheld: null,
      sent: ['alice', 'erin'],
      failed: [],
      noAddress: ['bob'],
      notSent: [],
    });
    const outcome = await notifyOwners(report(), PREFIX, deps());
    expect(recipients()).toEqual(['gina@example.com']);
    expect(outcome.sent).toEqual(['alice', 'erin', 'gina']);
  });

  it('stops emailing owners when the time left falls under the reserve and the pause between emails', async () => {
    // deps() pauses 1,000 ms between two owner emails
    const left = [RESERVED_MS + 1_000, RESERVED_MS + 999, RESERVED_MS - 1];
    const outcome = await notifyOwners(report(), PREFIX, deps({ remainingMs: () => left.shift() ?? 0 }));
    expect(outcome.sent).toEqual(['alice']);
    expect(outcome.notSent).toEqual([
      { userName: 'erin', reason: 'out of time in this run (SES pacing); the next run warns again' },
      { userName: 'gina', reason: 'out of time in this run (SES pacing); the next run warns again' },
    ]);
  });

  it('records a failed owner email, masked, and goes on with the others', async () => {
    sesMock
      .on(SendEmailCommand, { Destination: { ToAddresses: ['erin@example.com'] } })
      .rejects(Object.assign(new Error(`Address blacklisted (${keyId(6)})`), { name: 'MessageRejected' }));
    const outcome = await notifyOwners(report(), PREFIX, deps());
    expect(outcome.sent).toEqual(['alice', 'gina']);
    expect(outcome.failed).toEqual([
      { userName: 'erin', error: `MessageRejected: Address blacklisted (${maskAccessKeyId(keyId(6))})` },
    ]);
  });
});
