/**
 * The wire (DESIGN.md, "Fidelity"): the real ASL and handlers, their SDK clients unmocked, over
 * HTTP to moto's server, compared key by key and file by file with the simulated account's run of
 * the same account and configuration. The account is the demo (local/demo-account.json with
 * demo-config.json), whose keys are deactivated, deleted, warned about, exempt and left alone; it
 * runs three times: on its own day (a first run: every user is read, deletion is paused), two days
 * later, from what the first run left (a Monday: the credential report picks the users to read), and
 * deleteAfterDays (180) after the first run, when the keys it saw inactive or deactivated are deleted.
 *
 * What this catches that the in-process simulator cannot: request serialization, endpoint
 * resolution, S3 addressing, response and error parsing (NoSuchKey for the missing key index), the
 * credential report's CSV as a server writes it. What it cannot: permissions (any credentials
 * will do), the SES sandbox, ListUsers pages (moto enforces and pages none of them), the credential
 * report's quoting and <root_account> row (moto writes neither), and the rest of what
 * moto-account.ts and sweep-outcome.ts say moto does otherwise than AWS; those stay the simulated
 * account's to check (test/workflow, test/local).
 */
import { layout, runPrefix } from '../../functions/shared/report-layout';
import { executeSweep, LOCAL_BUCKET, LOCAL_REGION } from '../../local/execute-sweep';
import { DEMO_ACCOUNT, DEMO_CONFIG, loadAccount, loadConfig } from '../../local/load-inputs';
import { bucketObjectsOf, runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import { FULL_KEY_ID } from '../key-ids';
import {
  asMotoHoldsIt,
  motoClients,
  MOTO_REPORT_READING,
  seedMoto,
  sentEmails,
  type MotoClients,
} from './moto-account';
import { MotoHost } from './moto-host';
import {
  decisionsByKey,
  keyLabel,
  keyStatuses,
  motoOutcome,
  simulatedOutcome,
  type SweepOutcome,
} from './sweep-outcome';
import { describeWithMoto } from './with-moto';

jest.setTimeout(60_000);

const VERSION = 'emulator';
const DAY_MS = 86_400_000;

interface Day {
  name: string;
  now: Date;
  executionName: string;
}

describeWithMoto('the demo sweep, over HTTP against moto as against the simulated account', () => {
  const demo = loadAccount(DEMO_ACCOUNT);
  // The simulated run sees the account as moto can hold it (moto-account.ts says what that leaves out).
  const account = asMotoHoldsIt(demo);
  const config = loadConfig({ configFile: DEMO_CONFIG });
  const firstDay = new Date(demo.now ?? '');
  const days: Day[] = [
    { name: 'the first run', now: firstDay, executionName: 'demo-first' },
    { name: 'two days later', now: new Date(firstDay.getTime() + 2 * DAY_MS), executionName: 'demo-later' },
    {
      name: 'deleteAfterDays after the first run',
      now: new Date(firstDay.getTime() + (config.deleteAfterDays ?? 0) * DAY_MS),
      executionName: 'demo-deletion',
    },
  ];
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;

  let moto: MotoHost | undefined;
  let clients: MotoClients | undefined;
  const outcomes = new Map<string, { moto: SweepOutcome; simulated: SweepOutcome }>();

  beforeAll(async () => {
    moto = await MotoHost.start();
    clients = motoClients(moto.endpoint, LOCAL_REGION);
    await seedMoto(moto, clients, account, { bucket: LOCAL_BUCKET, senderEmail: config.senderEmail });
    // The functions' clients (functions/shared/clients.ts) are made when executeSweep first imports
    // the handlers, and take the endpoint from the environment: it must be set by then. (The
    // simulated runs replace the clients' send; where the endpoint points does not matter to them.)
    process.env.AWS_ENDPOINT_URL = moto.endpoint;

    let previous: WorkflowRun | undefined;
    for (const day of days) {
      const prefix = runPrefix(day.now.toISOString(), day.executionName);
      const emailsBefore = (await sentEmails(moto, LOCAL_REGION)).length;
      const execution = await executeSweep({
        config,
        input: {},
        now: day.now,
        executionName: day.executionName,
        version: VERSION,
        bucket: LOCAL_BUCKET,
      });
      const onMoto = await motoOutcome(execution, prefix, moto, clients, emailsBefore);

      const simulated = await runWorkflow({
        account: previous ? { ...previous.account.toAccountFile(), now: day.now.toISOString() } : account,
        config,
        now: day.now,
        executionName: day.executionName,
        version: VERSION,
        faults: MOTO_REPORT_READING,
        ...(previous ? { bucketObjects: bucketObjectsOf(previous) } : {}),
      });
      outcomes.set(day.name, { moto: onMoto, simulated: simulatedOutcome(simulated, prefix) });
      previous = simulated;
    }
  });

  afterAll(async () => {
    await moto?.stop();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    if (clients) for (const client of [clients.iam, clients.s3, clients.ses]) client.destroy();
  });

  const outcomesOf = (day: Day) => {
    const found = outcomes.get(day.name);
    if (!found) throw new Error(`${day.name} did not run`);
    return found;
  };

  describe.each(days)('$name', (day) => {
    it('ends as the simulated run ends', () => {
      const { moto: onMoto, simulated } = outcomesOf(day);
      expect({ status: onMoto.status, error: onMoto.error }).toEqual({
        status: simulated.status,
        error: simulated.error,
      });
      expect(onMoto.status).toBe('SUCCEEDED');
      expect(onMoto.report.outcome).toBe(simulated.report.outcome);
      expect(onMoto.report.counts).toEqual(simulated.report.counts);
      expect(onMoto.report.discovery.source).toBe(simulated.report.discovery.source);
      expect(onMoto.report.usersRead).toBe(simulated.report.usersRead);
    });

    it('decides and acts on every key as the simulated run does', () => {
      const { moto: onMoto, simulated } = outcomesOf(day);
      const byKey = decisionsByKey(onMoto);
      expect(Object.keys(byKey)).toHaveLength(onMoto.report.entries.length); // labels are unique
      expect(byKey).toEqual(decisionsByKey(simulated));
    });

    it('leaves every key in moto with the status the simulated run leaves it', () => {
      const { moto: onMoto, simulated } = outcomesOf(day);
      expect(onMoto.keys).toEqual(simulated.keys);
    });

    it('leaves the same files, with the same content, in the report bucket', () => {
      const { moto: onMoto, simulated } = outcomesOf(day);
      const prefix = runPrefix(day.now.toISOString(), day.executionName);
      expect(Object.keys(onMoto.objects)).toEqual(
        expect.arrayContaining([layout.report(prefix), layout.emailHtml(prefix), layout.keyIndex()]),
      );
      expect(onMoto.objects).toEqual(simulated.objects);
    });

    it('sends the same emails, with no full key ID in them', () => {
      const { moto: onMoto, simulated } = outcomesOf(day);
      expect(onMoto.emails.length).toBeGreaterThan(0);
      expect(onMoto.emails).toEqual(simulated.emails);
      for (const email of outcomesOf(day).moto.emails) expect(email).not.toMatch(FULL_KEY_ID);
    });
  });

  it('made the functions’ clients with moto’s endpoint in the environment', async () => {
    // Made earlier, S3 would address buckets by host name: against 127.0.0.1 the SDK falls back
    // to paths by itself, so only this shows that the environment was read in time.
    const { s3 } = await import('../../functions/shared/clients');
    expect(s3.config.forcePathStyle).toBe(true);
  });

  it('the first run reads every user and meets every kind of decision', () => {
    const { report } = outcomesOf(days[0] as Day).moto;
    expect(report.discovery.source).toBe('full-scan');
    expect(report.usersRead).toBe(demo.users.length);
    // The comparisons above are worth something only if the runs had all of these to do.
    expect([...new Set(report.entries.map((e) => `${e.action}/${e.rule}`))].sort()).toEqual(
      expect.arrayContaining(['deactivate/age', 'deactivate/unused', 'exempt/age', 'none/none', 'warn/age']),
    );
  });

  it.each(days)('$name changes in moto exactly the keys its report says it changed', (day) => {
    const previous = days[days.indexOf(day) - 1];
    const before = previous === undefined ? keyStatuses(account) : outcomesOf(previous).moto.keys;
    const { report, keys } = outcomesOf(day).moto;
    const changed = Object.keys(before).filter((key) => keys[key] !== before[key]);
    const done = report.entries.filter((e) => e.result === 'done');
    expect(changed.sort()).toEqual(done.map((e) => keyLabel(e.userName, e.accessKeyId)).sort());
    for (const entry of done) {
      const after = keys[keyLabel(entry.userName, entry.accessKeyId)];
      expect(after).toBe(entry.action === 'delete' ? undefined : 'Inactive');
    }
    expect(done.length).toBeGreaterThan(0);
  });

  it('deletes nothing before deleteAfterDays, then over the wire the keys the first run saw inactive', () => {
    const deleted = (day: Day) =>
      outcomesOf(day)
        .moto.report.entries.filter((e) => e.action === 'delete' && e.result === 'done')
        .map((e) => e.userName);
    const [first, later, deletion] = days as [Day, Day, Day];
    expect(outcomesOf(first).moto.report.deletionPaused).toContain('first run');
    expect(deleted(first)).toEqual([]);
    expect(deleted(later)).toEqual([]);
    // erin's key was inactive before the first run; alice's was deactivated by it
    expect(deleted(deletion)).toEqual(expect.arrayContaining(['alice', 'erin']));
  });

  it('two days later, the credential report from moto picks fewer users to read', () => {
    const { report } = outcomesOf(days[1] as Day).moto;
    expect(report.discovery.source).toBe('credential-report');
    expect(report.usersRead).toBeGreaterThan(0);
    expect(report.usersRead).toBeLessThan(demo.users.length);
  });
});
