/**
 * No full access key ID leaves the account's own data. A whole simulated run with every outcome
 * (deactivated, deleted, warned, exempt, skipped, failed, owner emails sent and failed, a user gone
 * mid-run, throttling) is captured: every log line the handlers write (at DEBUG, metrics on), every
 * email, every stored email file and every line the local runner prints. Only the state payloads,
 * the batch files and report.json, which stay in the account, may hold a full key ID.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../../functions/shared/config';
import { summaryLines } from '../../local/print-summary';
import { outputFiles } from '../../local/run-output';
import { LOCAL_BUCKET, runWorkflow } from '../../local/run-workflow';
import { parseAccountFile } from '../../local/simulated-account';

// Before the handler modules load (the runner imports them on its first run): log everything.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
// Lambda's own output: JSON lines on stdout, not the dev mode's pretty console.
delete process.env.POWERTOOLS_DEV;

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const FULL_KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{16}/;
const demo = parseAccountFile(
  JSON.parse(readFileSync(path.join(ROOT, 'local', 'demo-account.json'), 'utf8')),
  'demo',
);
const demoSettings = JSON.parse(readFileSync(path.join(ROOT, 'local', 'demo-config.json'), 'utf8')) as object;
const allKeyIds = demo.users.flatMap((u) => (u.accessKeys ?? []).map((k) => k.accessKeyId));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

describe('no full access key ID leaves the account', () => {
  it('in any log line, email, stored email or printed line of a run with every outcome', async () => {
    const captured: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    let run;
    try {
      run = await runWorkflow({
        account: demo,
        config: parseConfig(
          {
            adminEmails: ['security-admins@example.com'],
            senderEmail: 'keysweep@example.com',
            ...demoSettings,
          },
          'leak test',
        ),
        faults: {
          throttleRate: 0.1,
          seed: 3,
          beforeCall: (call, sim) => {
            const keyId = String(call.input.AccessKeyId ?? '');
            if (call.operation === 'UpdateAccessKey' && call.input.UserName === 'kim') {
              throw Object.assign(
                new Error(`User is not authorized to perform iam:UpdateAccessKey on ${keyId}`),
                {
                  name: 'AccessDenied',
                },
              );
            }
            const to = (call.input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses ?? [];
            if (call.operation === 'SendEmail' && to.includes('bob@example.com')) {
              throw Object.assign(new Error(`Message rejected: contains ${allKeyIds[2]}`), {
                name: 'MessageRejected',
              });
            }
            if (
              call.operation === 'GetObject' &&
              String(call.input.Key).endsWith('-actions.json') &&
              sim.hasUser('leo')
            ) {
              sim.deleteUser('leo');
            }
          },
        },
      });
      for (const line of summaryLines(run, 'out', Object.keys(outputFiles(run)))) console.log(line);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    // The run did produce every outcome, so every path that writes text was taken.
    const results = new Set(run.report?.entries.map((e) => `${e.action}/${e.result}`));
    for (const outcome of [
      'deactivate/done',
      'delete/done',
      'warn/n/a',
      'exempt/n/a',
      'deactivate/failed',
      'deactivate/skipped',
    ]) {
      expect(results).toContain(outcome);
    }
    expect(run.report?.ownerNotifications.failed.map((f) => f.userName)).toEqual(['bob']);
    expect(run.account.calls.some((c) => c.error === 'Throttling')).toBe(true);

    // Logs were captured (structured JSON lines with masked IDs), and none holds a full key ID.
    const logs = captured.join('');
    expect(logs).toContain('"message":"Key handled"');
    expect(logs).toMatch(/"accessKeyId":"AKIA\*{12}[A-Z0-9]{4}"/);
    expect(logs).toContain('"_aws"'); // metrics (EMF) lines too
    expect(logs).not.toMatch(FULL_KEY_ID);

    // Emails, admin and owners, sent and stored.
    expect(run.emails.length).toBeGreaterThan(5);
    for (const email of run.emails) {
      expect(email.subject + email.html + email.text).not.toMatch(FULL_KEY_ID);
    }
    const prefix = run.files?.prefix ?? '';
    const stored = run.account
      .listObjectKeys(LOCAL_BUCKET, prefix)
      .filter((key) => key.endsWith('.html') || key.endsWith('.txt'));
    expect(stored.length).toBeGreaterThan(5);
    for (const key of stored) expect(run.account.getObjectText(LOCAL_BUCKET, key)).not.toMatch(FULL_KEY_ID);

    // report.json stays in the account and keeps full IDs (for the audit), masked beside them.
    expect(run.report?.entries[0]?.accessKeyId).toMatch(FULL_KEY_ID);
  });

  it('in anything npm start prints or writes outside report.json and account-after.json', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'keysweep-leak-'));
    try {
      const account = path.join(out, 'account.json');
      writeFileSync(account, JSON.stringify(demo));
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(ROOT, 'local', 'main.ts'),
          '--account',
          account,
          '--config',
          path.join(ROOT, 'local', 'demo-config.json'),
          '--out',
          path.join(out, 'run'),
        ],
        {
          cwd: ROOT,
          env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' },
        },
      );
      expect(stdout).toContain('SUCCEEDED');
      expect(stdout).toContain('"message":"Key handled"');
      expect(stdout + stderr).not.toMatch(FULL_KEY_ID);
      const written = filesUnder(path.join(out, 'run'));
      expect(written.map((f) => path.relative(path.join(out, 'run'), f))).toEqual(
        expect.arrayContaining(['email.html', 'email.txt', 'report.json', 'owners/alice.txt']),
      );
      for (const file of written) {
        const text = readFileSync(file, 'utf8');
        if (/report\.json$|account-after\.json$|execution\.json$/.test(file)) continue;
        expect({ file: path.basename(file), leaks: FULL_KEY_ID.test(text) }).toEqual({
          file: path.basename(file),
          leaks: false,
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
