/**
 * `npm start` as a user runs it: a child process with arguments. Bad input gets a message that
 * names the problem, exit code 2, and leaves the output folder as it was.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const MAIN = path.join(ROOT, 'local', 'main.ts');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function start(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, MAIN, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'keysweep-main-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const target = path.join(dir, name);
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
  return target;
}

const oneStaleUser = {
  now: '2026-11-28T08:00:00Z',
  users: [
    {
      userName: 'alice',
      accessKeys: [
        { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', createDate: '2026-05-01T10:00:00Z' },
      ],
    },
  ],
};

/** An output folder from an earlier run, which a failed run must leave as it was. */
function previousOutput(): string {
  const out = path.join(dir, 'out');
  mkdirSync(out);
  writeFileSync(path.join(out, 'report.json'), 'from an earlier run');
  writeFileSync(path.join(out, 'execution.json'), '{}');
  return out;
}

describe('npm start', () => {
  it('runs an account file and writes every output file', async () => {
    const out = path.join(dir, 'out');
    const result = await start(['--account', file('account.json', oneStaleUser), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SUCCEEDED');
    expect(result.stdout).toContain('AKIA************MPLE');
    for (const name of [
      'report.json',
      'email.html',
      'email.txt',
      'account-after.json',
      'execution.json',
      'stats.json',
    ]) {
      expect(existsSync(path.join(out, name))).toBe(true);
    }
    const after = JSON.parse(
      readFileSync(path.join(out, 'account-after.json'), 'utf8'),
    ) as typeof oneStaleUser;
    expect(after.users[0]?.accessKeys[0]?.status).toBe('Inactive');
    const stats = JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(stats)).toEqual(
      expect.arrayContaining([
        'wallMs',
        'lambdaInvocations',
        'awsCalls',
        'transitions',
        'historyEvents',
        'payloadBytes',
        'estimatedCostUsd',
      ]),
    );
  });

  it('changes nothing with --mode report', async () => {
    const out = path.join(dir, 'out');
    const result = await start([
      '--account',
      file('account.json', oneStaleUser),
      '--out',
      out,
      '--mode',
      'report',
    ]);
    expect(result.code).toBe(0);
    const after = JSON.parse(
      readFileSync(path.join(out, 'account-after.json'), 'utf8'),
    ) as typeof oneStaleUser;
    expect(after.users[0]?.accessKeys[0]?.status).toBe('Active');
    expect(readFileSync(path.join(out, 'email.txt'), 'utf8')).toContain('REPORT MODE');
  });

  it.each([
    [
      'an account file that is not JSON',
      () => ['--account', file('a.json', '{ users: [')],
      /account file .*a\.json is not valid JSON/,
    ],
    [
      'a missing account file',
      () => ['--account', path.join(dir, 'nope.json')],
      /Cannot read account file .*nope\.json: ENOENT/,
    ],
    [
      'an account file with a bad date',
      () => [
        '--account',
        file('a.json', {
          users: [
            {
              userName: 'x',
              accessKeys: [
                { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', createDate: 'yesterday' },
              ],
            },
          ],
        }),
      ],
      /users\[0\]\.accessKeys\[0\]\.createDate.*"yesterday"/,
    ],
    [
      'a config file with a bad value',
      () => [
        '--account',
        file('a.json', oneStaleUser),
        '--config',
        file('c.json', { deactivateAfterDays: -1 }),
      ],
      /deactivateAfterDays must be at least 1 \(got -1\)/,
    ],
    [
      'a config file with an unknown key',
      () => [
        '--account',
        file('a.json', oneStaleUser),
        '--config',
        file('c.json', { deactivateAfterDay: 30 }),
      ],
      /unknown setting "deactivateAfterDay"/,
    ],
    [
      'a config file that is not an object',
      () => ['--config', file('c.json', '[1]')],
      /must hold a JSON object/,
    ],
    ['a bad --mode', () => ['--mode', 'yolo'], /--mode must be "report" or "enforce" \(got "yolo"\)/],
    ['bad --input JSON', () => ['--input', '{mode'], /--input is not valid JSON/],
    ['an unknown option', () => ['--acount', 'x.json'], /Unknown option '--acount'[\s\S]*Usage: npm start/],
    [
      'a --now without a time zone',
      () => ['--account', file('a.json', oneStaleUser), '--now', '2026-11-29T08:00:00'],
      /--now must be an ISO 8601 date-time with a time zone, e\.g\. "2026-11-29T08:00:00Z" \(got "2026-11-29T08:00:00"\)/,
    ],
    [
      'a --state folder holding something else',
      () => {
        mkdirSync(path.join(dir, 'mine'));
        writeFileSync(path.join(dir, 'mine', 'thesis.tex'), 'precious');
        return ['--account', file('a.json', oneStaleUser), '--state', path.join(dir, 'mine')];
      },
      /--state .*mine is not empty and holds no earlier keysweep state folder \(keysweep-state\.json\)/,
    ],
    [
      'a --state folder that is the --out folder',
      () => ['--account', file('a.json', oneStaleUser), '--state', path.join(dir, 'out')],
      /--state .*out and --out .*out overlap/,
    ],
  ])('refuses %s: exit 2, a message naming it, the old output untouched', async (_name, args, message) => {
    const out = previousOutput();
    const result = await start([...args(), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toContain('SUCCEEDED');
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('from an earlier run');
  });

  it.each([
    [
      'a folder holding something else',
      (out: string) => writeFileSync(path.join(out, 'thesis.tex'), 'precious'),
    ],
    ['the current folder', () => undefined],
  ])('refuses to replace %s as the output folder', async (name, prepare) => {
    const out = name === 'the current folder' ? ROOT : path.join(dir, 'mine');
    if (out !== ROOT) mkdirSync(out);
    prepare(out);
    const result = await start(['--account', file('a.json', oneStaleUser), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/choose (an empty or new folder|a folder of its own)/);
    if (out !== ROOT) expect(readFileSync(path.join(out, 'thesis.tex'), 'utf8')).toBe('precious');
  });

  it('lists --state and --now in its help', async () => {
    const result = await start(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[--state DIR] [--now ISO]');
  });

  it('keeps the report bucket in --state between runs, so that the next day knows the first', async () => {
    const account = {
      now: '2026-11-28T08:00:00Z',
      users: [
        {
          userName: 'alice',
          accessKeys: [
            { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', createDate: '2026-05-01T10:00:00Z' },
            { accessKeyId: 'AKIAIOSFODNN7EXAMPL2', status: 'Inactive', createDate: '2024-01-01T10:00:00Z' },
          ],
        },
      ],
    };
    const state = path.join(dir, 'state');
    const config = file('c.json', { deleteAfterDays: 1 });
    const day1 = await start([
      '--account',
      file('a.json', account),
      '--config',
      config,
      '--state',
      state,
      '--out',
      path.join(dir, 'day1'),
    ]);
    expect(day1.code).toBe(0);
    expect(day1.stdout).toContain('Report bucket from ');
    expect(day1.stdout).toContain('0 objects of 0 earlier runs, no key index (a first run).');
    expect(day1.stdout).toContain('deletion paused: first run: keysweep has no key index yet');
    const index = JSON.parse(readFileSync(path.join(state, 'state', 'key-index.json'), 'utf8')) as {
      users: Record<string, { keys: { accessKeyId: string; inactiveSince?: string }[] }>;
    };
    expect(index.users.alice?.keys.map((k) => k.inactiveSince)).toEqual([
      '2026-11-28T08:00:00.000Z', // deactivated by this run
      '2026-11-28T08:00:00.000Z', // first seen inactive by this run, whatever its age
    ]);
    expect(existsSync(path.join(state, 'keysweep-state.json'))).toBe(true);
    expect(existsSync(path.join(state, 'runs', '2026-11-28'))).toBe(true);

    // The next day: the first day's account-after.json, the clock a day on.
    const day2 = await start([
      '--account',
      path.join(dir, 'day1', 'account-after.json'),
      '--config',
      config,
      '--state',
      state,
      '--out',
      path.join(dir, 'day2'),
      '--now',
      '2026-11-29T08:00:00Z',
    ]);
    expect(day2.code).toBe(0);
    expect(day2.stdout).toMatch(/objects of 1 earlier run, with the key index\./);
    expect(day2.stdout).not.toContain('deletion paused');
    const report = JSON.parse(readFileSync(path.join(dir, 'day2', 'report.json'), 'utf8')) as {
      startedAt: string;
      deletionPaused: string | null;
      discovery: { reason: string };
    };
    expect(report.startedAt).toBe('2026-11-29T08:00:00.000Z');
    expect(report.deletionPaused).toBeNull();
    expect(report.discovery.reason).not.toContain('first run');
    const after = JSON.parse(readFileSync(path.join(dir, 'day2', 'account-after.json'), 'utf8')) as {
      now: string;
      users: { accessKeys?: unknown[] }[];
    };
    // both keys seen inactive for a day (deleteAfterDays 1): deleted
    expect(after.users[0]?.accessKeys).toEqual([]);
    expect(after.now).toBe('2026-11-29T08:00:00Z');
    // the state now holds both runs
    expect(readdirSync(path.join(state, 'runs')).sort()).toEqual(['2026-11-28', '2026-11-29']);
  });

  it('refuses execution input that the state machine refuses: the run fails at the first state', async () => {
    const out = path.join(dir, 'out');
    const result = await start([
      '--account',
      file('a.json', oneStaleUser),
      '--out',
      out,
      '--input',
      '{"wipe": true}',
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('FAILED (InvalidExecutionInput)');
    const after = JSON.parse(
      readFileSync(path.join(out, 'account-after.json'), 'utf8'),
    ) as typeof oneStaleUser;
    expect(after.users[0]?.accessKeys[0]?.status).toBe('Active');
  });

  describe('--event', () => {
    it('runs the exposure path on the demo event, keeps the bucket in --state, and the next day reports it', async () => {
      const state = path.join(dir, 'state');
      const out = path.join(dir, 'out');
      const exposure = await start([
        '--event',
        'local/demo-exposure-event.json',
        '--state',
        state,
        '--out',
        out,
      ]);
      expect(exposure.code).toBe(0);
      expect(exposure.stdout).toContain('exposure run');
      expect(exposure.stdout).toMatch(/judy +AKIA\*{12}JUD1 +deactivated/);
      const stats = JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8')) as {
        transitions: { total: number };
        lambdaInvocations: { total: number };
      };
      expect(stats.transitions.total).toBeLessThanOrEqual(10);
      expect(stats.lambdaInvocations.total).toBeLessThanOrEqual(3);
      const day = await start([
        '--state',
        state,
        '--now',
        '2026-11-29T08:00:00Z',
        '--out',
        path.join(dir, 'day'),
      ]);
      expect(day.code).toBe(0);
      const email = readFileSync(path.join(dir, 'day', 'email.txt'), 'utf8');
      expect(email).toContain('Deactivated after exposure since the last run (1)');
      expect(email).toContain('AKIA************JUD1');
    });

    it('runs on a member account of the demo organization with --demo-org, through the member role', async () => {
      const out = path.join(dir, 'out');
      const result = await start([
        '--event',
        'local/demo-organization-exposure-event.json',
        '--demo-org',
        '--out',
        out,
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Using the built-in demo organization');
      expect(result.stdout).toMatch(/carol +AKIA\*{12}XXXX +deactivated/);
      const after = JSON.parse(readFileSync(path.join(out, 'account-after.json'), 'utf8')) as {
        organization: {
          accounts: { accountId: string; users: { userName: string; accessKeys: { status: string }[] }[] }[];
        };
      };
      const prod = after.organization.accounts.find((a) => a.accountId === '222222222222');
      expect(prod?.users.find((u) => u.userName === 'carol')?.accessKeys[0]?.status).toBe('Inactive');
    });

    it('refuses a file that is not an exposed-key event, naming the problem, and writes nothing', async () => {
      const out = previousOutput();
      const result = await start(['--event', file('e.json', { source: 'aws.ec2' }), '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('is not an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event');
      expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('from an earlier run');
    });
  });
});
