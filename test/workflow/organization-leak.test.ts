/**
 * No full access key ID (AKIA... of the accounts' users, ASIA... of the member role sessions) leaves
 * an organization run: not in a log line (DEBUG, metrics on), an email, a stored email of any
 * account, a trace, nor anything `npm start --demo-org` prints or writes outside the reports.
 */
// First: the environment the handler modules read as they load.
import { LAMBDA_TRACING_ENV } from './leak-test-env';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { redactAccessKeyIds } from '../../functions/shared/masking';
import { tracer } from '../../functions/shared/observability';
import { FUNCTIONS, ORGANIZATION_FUNCTIONS } from '../../local/callers';
import {
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  loadAccountOrOrganization,
  loadConfig,
} from '../../local/load-inputs';
import { summaryLines } from '../../local/print-summary';
import { outputFiles } from '../../local/run-output';
import { LOCAL_BUCKET, runWorkflow } from '../../local/run-workflow';
import { FULL_KEY_ID } from '../key-ids';
import { XRayDaemon } from './xray-daemon';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');

function leaksIn(text: string): string[] {
  const masked = redactAccessKeyIds(text);
  return [...text.matchAll(new RegExp(FULL_KEY_ID.source, 'g'))].map((m) =>
    masked.slice(Math.max(0, m.index - 80), m.index + 100),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

let daemon: XRayDaemon;
beforeAll(async () => {
  daemon = await XRayDaemon.start();
  tracer.provider.setDaemonAddress(daemon.address);
});
afterAll(() => daemon.close());

it('in any log line, email, stored email, printed line or trace of the demo organization', async () => {
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
      account: loadAccountOrOrganization(DEMO_ORGANIZATION),
      config: loadConfig({ configFile: DEMO_ORGANIZATION_CONFIG }),
      sdkMiddleware: true,
      executionName: 'org-leak',
      faults: { throttleRate: 0.05, seed: 5 },
    });
    for (const line of summaryLines(run, 'out', Object.keys(outputFiles(run)))) console.log(line);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  // The run took the paths that write text: an unreachable account, a failed key, changes, emails.
  expect(run.organizationReport?.totals).toMatchObject({ unreachable: 1, failed: 1 });
  expect(run.stats.awsCalls['STS.AssumeRole']).toBeGreaterThan(10);
  const logs = captured.join('');
  expect(logs).toContain('"message":"Accounts listed"');
  expect(logs).toContain('"message":"Key handled"');
  expect(leaksIn(logs)).toEqual([]);
  expect(run.emails.length).toBeGreaterThan(5);
  for (const email of run.emails) expect(leaksIn(email.subject + email.html + email.text)).toEqual([]);
  const stored = run.account
    .listObjectKeys(LOCAL_BUCKET, run.files?.prefix ?? '')
    .filter((key) => key.endsWith('.html') || key.endsWith('.txt'));
  expect(stored.some((key) => key.includes('/accounts/'))).toBe(true);
  for (const key of stored) expect(leaksIn(run.account.getObjectText(LOCAL_BUCKET, key) ?? '')).toEqual([]);
  // The member sessions' temporary key IDs (ASIA...) appear nowhere either: the unreachable reason,
  // the summary and the traces name roles, never credentials.
  await daemon.settle();
  const documents = daemon.documents();
  const handlers = documents.filter((d) => d.name.startsWith('## '));
  expect(new Set(handlers.map((d) => d.name))).toEqual(
    new Set([...FUNCTIONS, ...ORGANIZATION_FUNCTIONS].map((n) => `## functions/${n}/handler.handler`)),
  );
  expect(new Set(documents.filter((d) => d.namespace === 'aws').map((d) => d.name))).toEqual(
    new Set(['IAM', 'S3', 'SES', 'STS', 'Organizations']),
  );
  expect(daemon.datagrams.flatMap(({ raw }) => leaksIn(raw))).toEqual([]);
});

it('in anything npm start --demo-org prints or writes outside the reports and the organization file', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'keysweep-org-leak-'));
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(ROOT, 'local', 'main.ts'),
        '--demo-org',
        '--out',
        path.join(out, 'run'),
      ],
      {
        cwd: ROOT,
        env: {
          ...Object.fromEntries(
            Object.entries(process.env).filter(([name]) => !LAMBDA_TRACING_ENV.includes(name)),
          ),
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_DISABLED: 'false',
        },
      },
    ).catch((error: { stdout: string; stderr: string; code: number }) => {
      // the demo organization's run fails (an unreachable account): exit code 3
      expect(error.code).toBe(3);
      return error;
    });
    expect(stdout).toContain('AccountsFailed');
    expect(leaksIn(stdout + stderr)).toEqual([]);
    const written = filesUnder(path.join(out, 'run')).map((f) => path.relative(path.join(out, 'run'), f));
    expect(written).toEqual(
      expect.arrayContaining(['email.html', 'report.json', 'stats.json', 'accounts/222222222222/email.html']),
    );
    for (const file of written) {
      if (/(^|\/)report\.json$|account-after\.json$|execution\.json$/.test(file)) continue;
      const text = readFileSync(path.join(out, 'run', file), 'utf8');
      expect({ file, leaks: FULL_KEY_ID.test(text) }).toEqual({ file, leaks: false });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
