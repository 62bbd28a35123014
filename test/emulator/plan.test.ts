/**
 * `npm run plan` as a user runs it, against moto's IAM over HTTP (AWS_ENDPOINT_URL), compared with
 * `npm start` in report mode over the same account file: the same decision for every key, moto's
 * users, tags, groups and keys exactly as they were, plan.csv for each key, and no full key ID in
 * anything it prints or writes but report.json. Then the plan's IAM client over the wire with the
 * state machine in enforce mode, as a bug might run it: every change refused, moto unchanged.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Report } from '../../functions/send-report/report-model';
import { executeSweep, LOCAL_BUCKET, LOCAL_REGION } from '../../local/execute-sweep';
import { DEMO_ACCOUNT, DEMO_CONFIG, loadAccount, loadConfig } from '../../local/load-inputs';
import { PLAN_CSV_COLUMNS } from '../../local/plan/plan-csv';
import { PlanCallLog } from '../../local/plan/call-log';
import { createPlanIamClient } from '../../local/plan/plan-clients';
import { SimulatedAccount } from '../../local/simulated-account';
import { FULL_KEY_ID } from '../key-ids';
import { daysAgo, keyIndexObjects } from '../workflow/sweep-fixtures';
import { asMotoHoldsIt, motoClients, seedMoto, snapshotMotoIam, type MotoClients } from './moto-account';
import { MotoHost } from './moto-host';
import { keyLabel } from './sweep-outcome';
import { describeWithMoto } from './with-moto';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const decisions = (report: Report) =>
  Object.fromEntries(
    report.entries.map((e) => [keyLabel(e.userName, e.accessKeyId), `${e.action}/${e.rule}/${e.result}`]),
  );

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

describeWithMoto('npm run plan against moto', () => {
  const demo = loadAccount(DEMO_ACCOUNT);
  const account = asMotoHoldsIt(demo);
  const config = loadConfig({ configFile: DEMO_CONFIG });
  const now = demo.now ?? '';
  const dir = mkdtempSync(path.join(tmpdir(), 'keysweep-plan-moto-'));
  const planOut = path.join(dir, 'plan');
  const startOut = path.join(dir, 'start');
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;

  let moto: MotoHost | undefined;
  let clients: MotoClients | undefined;
  let before: Record<string, unknown> = {};
  let after: Record<string, unknown> = {};
  let plan: Outcome = { code: -1, stdout: '', stderr: '' };
  let start: Outcome = { code: -1, stdout: '', stderr: '' };

  beforeAll(async () => {
    moto = await MotoHost.start();
    clients = motoClients(moto.endpoint, LOCAL_REGION);
    await seedMoto(moto, clients, account, { bucket: LOCAL_BUCKET, senderEmail: config.senderEmail });
    before = await snapshotMotoIam(clients.iam);
    const accountFile = path.join(dir, 'account.json');
    writeFileSync(accountFile, JSON.stringify(account));
    const env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_EC2_METADATA_DISABLED: 'true' };
    [plan, start] = await Promise.all([
      run(
        ['--import', 'tsx', 'local/plan/main.ts', '--config', DEMO_CONFIG, '--now', now, '--out', planOut],
        env,
      ),
      run(
        [
          path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          'local/main.ts',
          '--account',
          accountFile,
          '--config',
          DEMO_CONFIG,
          '--mode',
          'report',
          '--out',
          startOut,
        ],
        env,
      ),
    ]);
    after = await snapshotMotoIam(clients.iam);
  });

  afterAll(async () => {
    await moto?.stop();
    if (clients) for (const client of [clients.iam, clients.s3, clients.ses]) client.destroy();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs, says which account it read and that it only read', () => {
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('keysweep plan: account 123456789012, read-only');
    expect(plan.stdout).toContain(': SUCCEEDED');
    // no deletion: a plan has no key index, so deletion is paused
    expect(plan.stdout).toContain('would deactivate 8, would delete 0, warned 4, exempt 3');
    expect(plan.stdout).toContain('deletion paused: first run: keysweep has no key index yet');
    expect(readdirSync(planOut).sort()).toEqual([
      'email.html',
      'email.txt',
      'execution.json',
      'plan.csv',
      'report.json',
      'stats.json',
    ]);
  });

  it('decides every key as npm start does over the same account file', () => {
    expect(start.code).toBe(0);
    const planned = readJson<Report>(path.join(planOut, 'report.json'));
    const started = readJson<Report>(path.join(startOut, 'report.json'));
    expect(planned.mode).toBe('report');
    expect(planned.accountId).toBe('123456789012');
    expect(planned.entries).toHaveLength(22);
    expect(decisions(planned)).toEqual(decisions(started));
    expect(planned.counts).toEqual(started.counts);
  });

  it("leaves moto's users, tags, groups and keys exactly as they were", () => {
    expect(Object.keys(before)).toHaveLength(demo.users.length);
    expect(after).toEqual(before);
  });

  it('writes plan.csv with one row per key', () => {
    const planned = readJson<Report>(path.join(planOut, 'report.json'));
    const lines = readFileSync(path.join(planOut, 'plan.csv'), 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(PLAN_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + planned.entries.length);
    expect(lines).toContain(
      '123456789012,bob,AKIA************BOB1,90,2026-11-27T12:00:00.000Z,Active,deactivate,age,"created 2026-08-30, 90 days ago; limit 90",2026-11-28',
    );
  });

  it('prints and writes no full key ID but in report.json, and no progress line off a terminal', () => {
    expect(plan.stdout + plan.stderr).not.toMatch(FULL_KEY_ID);
    expect(plan.stdout).not.toContain('\r');
    for (const name of readdirSync(planOut)) {
      const leaks = FULL_KEY_ID.test(readFileSync(path.join(planOut, name), 'utf8'));
      expect({ name, leaks }).toEqual({ name, leaks: name === 'report.json' });
    }
  });

  it('refuses every change over the wire even when the state machine runs in enforce mode', async () => {
    // The plan's client and local S3 and SES, as run-plan.ts wires them, but enforce mode, as a bug might ask.
    process.env.AWS_ENDPOINT_URL = moto?.endpoint;
    const log = new PlanCallLog();
    const local = new SimulatedAccount(
      { users: [] },
      {
        now: new Date(now),
        services: ['S3', 'SES'],
        ses: { verifiedIdentities: [config.senderEmail], sandbox: false },
      },
    ).install();
    // A key index that has seen erin's key inactive for 200 days, so that a deletion is planned too.
    const seen = keyIndexObjects(demo, (_key, user) => (user.userName === 'erin' ? daysAgo(200) : null));
    for (const [key, body] of Object.entries(seen)) local.putObjectText(LOCAL_BUCKET, key, body);
    let execution;
    try {
      execution = await executeSweep({
        config: { ...config, mode: 'enforce' },
        input: { fullScan: true },
        now: new Date(now),
        executionName: 'plan-bug',
        version: 'emulator',
        bucket: LOCAL_BUCKET,
        iam: createPlanIamClient({ observer: log.observer('IAM') }),
        reportPolling: { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined },
      });
    } finally {
      local.uninstall();
    }
    expect(execution.status).toBe('FAILED');
    expect(new Set(log.refusedOperations)).toEqual(new Set(['IAM.UpdateAccessKey', 'IAM.DeleteAccessKey']));
    expect(log.calls.filter((c) => c.outcome === 'ok').length).toBeGreaterThan(40); // it did read moto
    expect(await snapshotMotoIam((clients as MotoClients).iam)).toEqual(before);
  });
});
