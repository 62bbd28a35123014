/**
 * The exposure path end to end: an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event through the real ASL
 * (statemachine/exposed-key.asl.json) and the real handlers, against the simulated account or
 * organization, every call authorized against the synthesized policies.
 */
import { layout } from '../../functions/shared/report-layout';
import { LOCAL_BUCKET } from '../../local/execute-sweep';
import { runExposure } from '../../local/run-exposure';
import { runWorkflow } from '../../local/run-workflow';
import {
  bucketOf,
  EVENT_ARN,
  exposureConfig,
  HUB,
  exposureEvent,
  NO_ROLE,
  organization,
  organizationConfig,
  PROD,
  updateCalls,
} from './exposure-fixtures';
import { account, daysAgo, FULL_KEY_ID, key, keyId, keysOf, NOW, user } from './sweep-fixtures';

jest.setTimeout(120_000);

const ADMINS = 'security-admins@example.com';
const masked = (id: string) => `AKIA************${id.slice(-4)}`;

/** judy, exempt through the end of the year; ivan, a young key used today. */
const people = () =>
  account([
    user('judy', [key(1, 20)], { tags: { email: 'judy@example.com', 'keysweep:exempt': '2026-12-31' } }),
    user('ivan', [key(2, 10), key(3, 5)]),
    user('ci', [key(4, 300)], { tags: {}, groups: ['ci-systems'] }),
  ]);

describe('an exposed key', () => {
  it('of an exempt owner is deactivated at once anyway; the exemption is named in both emails', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(1)]),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.denials).toEqual([]);
    expect(run.degraded).toEqual([]);
    expect(keysOf(run.account.toAccountFile()).get(keyId(1))?.status).toBe('Inactive');
    expect(keysOf(run.account.toAccountFile()).get(keyId(2))?.status).toBe('Active');
    expect(run.exposure?.keys).toEqual([
      expect.objectContaining({
        accessKeyId: keyId(1),
        userName: 'judy',
        result: 'deactivated',
        exemption: 'tag keysweep:exempt = 2026-12-31',
        firstHandling: true,
      }),
    ]);
    const [admin, owner] = run.emails;
    expect(run.emails).toHaveLength(2);
    expect(admin?.to).toEqual([ADMINS]);
    expect(admin?.subject).toBe(
      `keysweep [URGENT] 123456789012: exposed access key ${masked(keyId(1))} of judy deactivated`,
    );
    expect(admin?.text).toContain('Exemption overridden: tag keysweep:exempt = 2026-12-31');
    expect(owner?.to).toEqual(['judy@example.com']);
    expect(owner?.subject).toContain('[URGENT]');
    expect(owner?.text).toContain('does not protect an exposed key');
    // what to do now: a new key, the exposed one removed from where it was published, CloudTrail checked
    expect(owner?.text).toContain('aws iam create-access-key --user-name judy');
    expect(owner?.text).toContain('Remove the exposed key from wherever it was published');
    expect(owner?.text).toContain(
      `aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=ID_ENDING_${keyId(1).slice(-4)}`,
    );
    expect(owner?.text).toContain(
      `aws iam delete-access-key --user-name judy --access-key-id ID_ENDING_${keyId(1).slice(-4)}`,
    );
    for (const email of run.emails) expect(email.subject + email.html + email.text).not.toMatch(FULL_KEY_ID);
    // the record of the event and key, and the run's report, in the report bucket
    const records = run.account
      .listObjectKeys(LOCAL_BUCKET, 'state/exposures/')
      .filter((k) => !k.startsWith('state/exposures/runs/'));
    // the marker by which the next daily run finds this run's report
    expect(run.account.listObjectKeys(LOCAL_BUCKET, 'state/exposures/runs/')).toEqual([
      `state/exposures/runs/2026-11-28/${run.executionName}.json`,
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).not.toMatch(FULL_KEY_ID);
    expect(JSON.parse(run.account.getObjectText(LOCAL_BUCKET, records[0] ?? '') ?? '{}')).toMatchObject({
      eventArn: EVENT_ARN,
      accessKeyId: keyId(1),
      status: 'notified',
      notified: { admins: true, owner: 'sent' },
    });
    expect(run.account.getObjectText(LOCAL_BUCKET, layout.exposure(run.prefix))).toBeDefined();
  });

  it('takes at most 10 state transitions and 3 Lambda invocations from the event to the deactivation', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
    });
    expect(run.stats.transitions.total).toBeLessThanOrEqual(10);
    expect(run.stats.lambdaInvocations.total).toBeLessThanOrEqual(3);
    // CheckEvent, DeactivateExposedKeys, DeactivateExposedKey, NotifyExposure, HowDidItEnd, Done
    expect(run.stats.transitions.total).toBe(6);
    expect(run.stats.lambdaInvocations).toEqual({
      total: 2,
      'deactivate-exposed-key': 1,
      'notify-exposure': 1,
    });
  });

  it('that is repeated (an update, a backup copy) is neither acted on nor emailed about again', async () => {
    const first = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
    });
    expect(first.emails).toHaveLength(2);
    // Someone turns the key on again: a repeat of the event must not touch it.
    const after = first.account.toAccountFile();
    const ivan = after.users.find((u) => u.userName === 'ivan');
    const exposedKey = ivan?.accessKeys?.find((k) => k.accessKeyId === keyId(2));
    if (exposedKey) exposedKey.status = 'Active';
    for (const [label, event] of [
      ['the same event', exposureEvent([keyId(2)])],
      ['a backup copy from us-west-2', { ...exposureEvent([keyId(2)]), region: 'us-west-2', id: 'copy' }],
    ] as const) {
      const again = await runExposure({
        account: after,
        config: exposureConfig(),
        event,
        bucketObjects: bucketOf(first),
        executionName: `again-${label.length}`,
      });
      expect({ label, status: again.status }).toEqual({ label, status: 'SUCCEEDED' });
      expect(updateCalls(again)).toEqual([]);
      expect(again.emails).toEqual([]);
      expect(again.exposure?.keys[0]).toMatchObject({
        result: 'repeat',
        firstHandling: false,
        handledBy: first.executionName,
      });
      expect(again.exposure?.notifications.admins).toBe('none needed: nothing new in this event');
    }
  });

  it('that a retried step finds deactivated (its first attempt timed out after the change) is reported once, as deactivated', async () => {
    let fired = false;
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
      faults: {
        timeOutAfter: (call) => {
          if (fired || call.operation !== 'UpdateAccessKey') return false;
          fired = true;
          return true;
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(updateCalls(run)).toHaveLength(1);
    expect(run.stats.lambdaInvocations['deactivate-exposed-key']).toBe(2);
    expect(run.exposure?.keys[0]).toMatchObject({
      result: 'deactivated',
      detail: 'deactivated by an earlier attempt of this step (inactive on its retry)',
    });
    expect(run.emails.map((e) => e.to)).toEqual([[ADMINS], ['ivan@example.com']]);
  });

  it('already deleted is reported as gone: nothing to change, the admins told', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(99)]),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(updateCalls(run)).toEqual([]);
    expect(run.exposure?.keys[0]).toMatchObject({ result: 'gone', userName: null });
    expect(run.emails.map((e) => e.to)).toEqual([[ADMINS]]);
    expect(run.emails[0]?.subject).toBe(
      `keysweep [URGENT] 123456789012: exposed access key ${masked(keyId(99))} was already deleted`,
    );
  });

  it('already inactive is reported as such, and its owner still told what to do', async () => {
    const file = people();
    const judy = file.users[0]?.accessKeys?.[0];
    if (judy) judy.status = 'Inactive';
    const run = await runExposure({
      account: file,
      config: exposureConfig(),
      event: exposureEvent([keyId(1)]),
    });
    expect(updateCalls(run)).toEqual([]);
    expect(run.exposure?.keys[0]).toMatchObject({ result: 'already-inactive', statusBefore: 'Inactive' });
    expect(run.emails.map((e) => e.to)).toEqual([[ADMINS], ['judy@example.com']]);
    expect(run.emails[1]?.text).toContain('was inactive already');
  });

  it('with exposedKeys "report" changes nothing, and both emails say it is still active', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig({ exposedKeys: 'report' }),
      event: exposureEvent([keyId(2)]),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.denials).toEqual([]);
    expect(updateCalls(run)).toEqual([]);
    expect(keysOf(run.account.toAccountFile()).get(keyId(2))?.status).toBe('Active');
    expect(run.exposure?.keys[0]).toMatchObject({ result: 'reported' });
    const [admin, owner] = run.emails;
    expect(admin?.subject).toContain('NOT deactivated (exposedKeys is "report")');
    expect(admin?.text).toContain('At least one exposed key is STILL ACTIVE');
    expect(owner?.text).toContain('keysweep did NOT deactivate');
    expect(owner?.text).toContain(
      `aws iam update-access-key --user-name ivan --access-key-id ID_ENDING_${keyId(2).slice(-4)} --status Inactive`,
    );
  });

  it('that is temporary credentials (ASIA...) or no key ID at all is reported, never acted on', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent(['ASIAQWERTYUIOPASDFGH', 'not-a-key']),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.calls.filter((c) => c.service === 'IAM')).toEqual([]);
    expect(run.exposure?.keys.map((k) => k.result)).toEqual(['not-a-user-key', 'not-a-user-key']);
  });

  it('among several keys of one event: each on its own, one admin email', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(1), keyId(2), keyId(4)]),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(updateCalls(run)).toHaveLength(3);
    expect(run.emails.filter((e) => e.to.includes(ADMINS))).toHaveLength(1);
    expect(run.emails[0]?.subject).toBe('keysweep [URGENT] 123456789012: 3 exposed access keys deactivated');
    // ci has no address: the admins are told to tell its owner themselves
    expect(run.emails[0]?.text).toContain('ci: not emailed: no address in tag email');
    expect(run.stats.lambdaInvocations.total).toBe(4);
  });

  it('that another execution is handling right now is left to it; a dead claim is taken over', async () => {
    const first = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
    });
    const objects = bucketOf(first);
    const recordKey =
      Object.keys(objects).find((k) => k.startsWith('state/exposures/') && !k.includes('/runs/')) ?? '';
    const acting = (minutesAgo: number) => ({
      ...objects,
      [recordKey]: JSON.stringify({
        ...JSON.parse(objects[recordKey] ?? '{}'),
        status: 'acting',
        claimedBy: { name: 'other', id: 'arn:other', at: daysAgo(minutesAgo / 1440) },
      }),
    });
    const fresh = people();
    const busy = await runExposure({
      account: fresh,
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
      bucketObjects: acting(1),
    });
    expect(busy.exposure?.keys[0]).toMatchObject({ result: 'elsewhere', handledBy: 'other' });
    expect(updateCalls(busy)).toEqual([]);
    expect(busy.emails).toEqual([]);
    const dead = await runExposure({
      account: fresh,
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
      bucketObjects: acting(20),
    });
    expect(dead.exposure?.keys[0]).toMatchObject({ result: 'deactivated', firstHandling: true });
    expect(dead.emails).toHaveLength(2);
  });

  it('in a member account is deactivated there through the member role', async () => {
    const file = organization([user('alice', [key(10, 30)])], [user('hub-admin', [key(11, 30)])]);
    const run = await runExposure({
      account: file,
      config: organizationConfig(),
      // organizational view: delivered to the hub (delegated administrator), about prod
      event: exposureEvent([keyId(10)], { affectedAccount: PROD }),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.denials).toEqual([]);
    const assumed = run.account.calls.filter((c) => c.service === 'STS' && c.operation === 'AssumeRole');
    expect(assumed.map((c) => [c.outcome, c.input.RoleArn])).toEqual([
      ['ok', `arn:aws:iam::${PROD}:role/keysweep-member`],
    ]);
    const updates = updateCalls(run);
    expect(updates.map((c) => [c.account, c.input.UserName])).toEqual([[PROD, 'alice']]);
    const prod = run.account.toOrganizationFile().organization.accounts.find((a) => a.accountId === PROD);
    expect(prod?.users[0]?.accessKeys?.[0]?.status).toBe('Inactive');
    expect(run.emails[0]?.subject).toBe(
      `keysweep [URGENT] ${PROD}: exposed access key ${masked(keyId(10))} of alice deactivated`,
    );
    expect(run.emails[0]?.text).toContain(`Account: ${PROD}`);
    expect(run.emails.map((e) => e.to)).toEqual([[ADMINS], ['alice@example.com']]);
  });

  it('in a member account without the member role fails, and the admins are told it may still be active', async () => {
    const run = await runExposure({
      account: organization([]),
      config: organizationConfig(),
      event: exposureEvent(['AKIAIOSFODNN7EXAMPLE'], { affectedAccount: NO_ROLE }),
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('ExposedKeyNotHandled');
    expect(run.exposure?.keys[0]).toMatchObject({ result: 'failed' });
    expect(run.exposure?.keys[0]?.error).toContain(
      'could not be reached: sts:AssumeRole on arn:aws:iam::666666666666:role/keysweep-member',
    );
    expect(run.emails[0]?.subject).toContain('could NOT be deactivated');
    expect(run.error?.Cause).not.toMatch(FULL_KEY_ID);
  });

  it('of another account, with the organization off, is not acted on: the admins are told why', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)], { affectedAccount: PROD }),
    });
    expect(run.status).toBe('FAILED');
    expect(updateCalls(run)).toEqual([]);
    expect(run.exposure?.keys[0]?.error).toContain('organization is off');
  });

  it('needs an AWS Health event that names keys: anything else fails at once, nothing read', async () => {
    const event = exposureEvent([keyId(2)]);
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: { ...event, detail: { ...(event.detail as object), affectedEntities: [] } },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('NotAnExposureEvent');
    expect(run.account.calls).toEqual([]);
    expect(run.stats.lambdaInvocations.total).toBe(0);
  });

  it('of an event without detail.affectedAccount (older events) is about the account it was sent to', async () => {
    const run = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)], { affectedAccount: null }),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.exposure?.keys[0]).toMatchObject({ accountId: '123456789012', result: 'deactivated' });
  });
});

describe('the next daily report', () => {
  it('lists the exposed key’s deactivation, and the key index counts it as keysweep’s', async () => {
    const exposed = await runExposure({
      account: people(),
      config: exposureConfig(),
      event: exposureEvent([keyId(2)]),
    });
    const day = await runWorkflow({
      account: exposed.account.toAccountFile(),
      config: exposureConfig({ fullScanOn: 'ALWAYS' }),
      bucketObjects: bucketOf(exposed),
      now: new Date(NOW.getTime() + 3_600_000),
    });
    expect(day.status).toBe('SUCCEEDED');
    expect(day.report?.exposures?.entries).toEqual([
      expect.objectContaining({ userName: 'ivan', accessKeyId: keyId(2), result: 'deactivated' }),
    ]);
    const admin = day.emails.find((e) => e.to.includes(ADMINS));
    expect(admin?.text).toContain('== Deactivated after exposure since the last run (1) ==');
    const index = JSON.parse(day.account.getObjectText(LOCAL_BUCKET, layout.keyIndex()) ?? '{}') as {
      users: Record<
        string,
        { keys: { accessKeyId: string; deactivatedByKeysweep?: boolean; inactiveSince?: string }[] }
      >;
    };
    expect(index.users.ivan?.keys.find((k) => k.accessKeyId === keyId(2))).toMatchObject({
      deactivatedByKeysweep: true,
      inactiveSince: NOW.toISOString(),
    });
    // ...and the day after does not list it again
    const next = await runWorkflow({
      account: day.account.toAccountFile(),
      config: exposureConfig({ fullScanOn: 'ALWAYS' }),
      bucketObjects: bucketOf(day),
      now: new Date(NOW.getTime() + 86_400_000),
    });
    expect(next.report?.exposures?.entries).toEqual([]);
  });

  it('in an organization, lists a member account’s exposed key in that account’s report alone, and its key index', async () => {
    const file = organization(
      [user('alice', [key(10, 30)], { tags: { email: 'alice@example.com' } })],
      [user('hub-admin', [key(11, 30)])],
    );
    const exposed = await runExposure({
      account: file,
      config: organizationConfig(),
      event: exposureEvent([keyId(10)], { affectedAccount: PROD }),
    });
    expect(exposed.status).toBe('SUCCEEDED');
    const day = await runWorkflow({
      account: {
        ...exposed.account.toOrganizationFile(),
        now: new Date(NOW.getTime() + 3_600_000).toISOString(),
      },
      config: organizationConfig(),
      bucketObjects: bucketOf(exposed),
      now: new Date(NOW.getTime() + 3_600_000),
      executionName: 'org-day',
    });
    const reportOf = (accountId: string) =>
      JSON.parse(
        day.account.getObjectText(
          LOCAL_BUCKET,
          `runs/2026-11-28/org-day/accounts/${accountId}/report.json`,
        ) ?? '{}',
      ) as { exposures?: { entries: { accessKeyId: string; accountId: string }[] } };
    expect(reportOf(PROD).exposures?.entries).toEqual([
      expect.objectContaining({ accountId: PROD, accessKeyId: keyId(10), result: 'deactivated' }),
    ]);
    expect(reportOf(HUB).exposures?.entries).toEqual([]);
    const index = JSON.parse(day.account.getObjectText(LOCAL_BUCKET, layout.keyIndex(PROD)) ?? '{}') as {
      users: Record<string, { keys: { accessKeyId: string; deactivatedByKeysweep?: boolean }[] }>;
    };
    expect(index.users.alice?.keys.find((k) => k.accessKeyId === keyId(10))).toMatchObject({
      deactivatedByKeysweep: true,
    });
  });
});
