/**
 * `npm run plan` as a user runs it, a child process, against a fake IAM endpoint of this test
 * (AWS_ENDPOINT_URL on 127.0.0.1; nothing reaches AWS): what it says and does when the
 * credentials are missing, expired or refused, what --org refuses (a configuration without
 * organization.enabled, or one with it but no --org, credentials of another account than the hub),
 * the policies it prints, and on Ctrl-C. The emulator suite (test/emulator/plan.test.ts,
 * plan-organization.test.ts) runs whole plans against moto.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { iamErrorXml, listUsersXml } from './fake-iam-handler';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const PLAN = path.join(ROOT, 'local', 'plan', 'main.ts');

type Behaviour = (action: string, params: URLSearchParams) => { status: number; body: string } | 'hang';

let server: Server;
let endpoint: string;
let behaviour: Behaviour = () => ({ status: 500, body: '' });
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      requests.push(action);
      const answer = behaviour(action, params);
      if (answer === 'hang') return; // never answered: the plan waits
      response.writeHead(answer.status, { 'content-type': 'text/xml' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'keysweep-plan-cli-'));
  requests.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The child's environment: the fake endpoint, no instance metadata lookups, test credentials unless `env` drops them. */
function planEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    ...env,
  };
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined),
  ) as NodeJS.ProcessEnv;
}

function plan(
  args: string[],
  env: Record<string, string | undefined> = {},
  onStart?: (child: ChildProcess) => void,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      // As `npm run plan` runs it: node with tsx's loader, no tsx wrapper process between (which
      // would SIGKILL a child busy loading modules when Ctrl-C comes).
      ['--import', 'tsx', PLAN, ...args],
      { cwd: ROOT, env: planEnv(env) },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: child.signalCode, stdout, stderr });
      },
    );
    onStart?.(child);
  });
}

/** An output folder from an earlier plan, which a plan that stops must leave as it was. */
function previousOutput(): string {
  const out = path.join(dir, 'out');
  mkdirSync(out);
  writeFileSync(path.join(out, 'report.json'), 'from an earlier run');
  writeFileSync(path.join(out, 'execution.json'), '{}');
  return out;
}

const oneLine = (text: string) => text.trim().split('\n');

describe('npm run plan', () => {
  it.each([
    ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
    ['ExpiredToken', 'The security token included in the request is expired'],
    [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    ],
  ])('says in one line what to do when IAM answers %s, and exits 2', async (code, message) => {
    behaviour = () => ({ status: 403, body: iamErrorXml(code, message) });
    const out = previousOutput();
    // The profile's credentials, which IAM refuses.
    writeFileSync(
      path.join(dir, 'credentials'),
      '[audit]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    );
    const result = await plan(['--out', out, '--profile', 'audit'], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual([
      `keysweep: no valid AWS credentials (${code}: ${message}): run \`aws sso login --profile audit\` or refresh the credentials of profile audit`,
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(requests).toEqual(['ListUsers']); // the first read, sent once: no retry of a credentials error
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('from an earlier run');
  });

  it('says so in one line when no credentials can be found at all, and sends nothing', async () => {
    const result = await plan(['--out', path.join(dir, 'out')], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
    });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^keysweep: no valid AWS credentials \(CredentialsProviderError: .+\): run `aws sso login --profile NAME` or set AWS_PROFILE/,
    );
    expect(requests).toEqual([]);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('names the profile that has no credentials', async () => {
    const result = await plan(['--out', path.join(dir, 'out'), '--profile', 'nope'], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(
      /^keysweep: no valid AWS credentials \(CredentialsProviderError: .+\): run `aws sso login --profile nope` or refresh the credentials of profile nope$/,
    );
    expect(requests).toEqual([]);
  });

  it('says which policy to attach when the credentials may not read IAM', async () => {
    behaviour = () => ({
      status: 403,
      body: iamErrorXml(
        'AccessDenied',
        'User: arn:aws:iam::111122223333:user/dev is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111122223333:user/',
      ),
    });
    const result = await plan(['--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(
      'may not read IAM (AccessDenied: User: arn:aws:iam::111122223333:user/dev',
    );
    expect(result.stderr).toContain('npm run plan -- --print-policy');
  });

  it('writes nothing and says what to do when the credentials expire in the middle of the plan', async () => {
    behaviour = (action, params) =>
      action === 'ListUsers' && params.get('MaxItems') === '1'
        ? {
            status: 200,
            body: listUsersXml([{ name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' }]),
          }
        : {
            status: 403,
            body: iamErrorXml('ExpiredToken', 'The security token included in the request is expired'),
          };
    const out = previousOutput();
    const result = await plan(['--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'keysweep: no valid AWS credentials (ExpiredToken: The security token included in the request is expired): run `aws sso login --profile NAME` or set AWS_PROFILE (or --profile) to a profile with valid credentials',
    );
    expect(requests.length).toBeGreaterThan(2);
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('from an earlier run');
  });

  it('reports the reads IAM refused when the policy is too narrow for some of them', async () => {
    behaviour = (action) =>
      action === 'ListUsers'
        ? {
            status: 200,
            body: listUsersXml([{ name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' }]),
          }
        : {
            status: 403,
            body: iamErrorXml(
              'AccessDenied',
              `User: arn:aws:iam::111122223333:user/dev is not authorized to perform: iam:${action}`,
            ),
          };
    const out = path.join(dir, 'out');
    const result = await plan(['--out', out]);
    // The sweep could not read alice's keys: the run fails, and says why.
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('FAILED (SweepFailed)');
    expect(result.stdout).toMatch(
      /IAM refused \d+ reads: these AWS credentials may not read IAM \(AccessDenied: /,
    );
    expect(result.stdout).toContain('npm run plan -- --print-policy');
    expect(existsSync(path.join(out, 'report.json'))).toBe(true);
  });

  /** A configuration file with the organization settings on (`organization` merged over these). */
  function orgConfigFile(organization: Record<string, unknown> = {}): string {
    const file = path.join(dir, 'org-config.json');
    writeFileSync(
      file,
      JSON.stringify({
        organization: {
          enabled: true,
          organizationId: 'o-keysweep00',
          hubAccountId: '123456789012',
          managementAccountId: '999999999999',
          rootId: 'r-ab12',
          ...organization,
        },
      }),
    );
    return file;
  }

  const callerIdentityXml = (account: string) =>
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
    `<Arn>arn:aws:iam::${account}:user/dev</Arn><UserId>AIDAEXAMPLEDEV</UserId><Account>${account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

  it('refuses --org when the configuration does not enable organization, naming the setting', async () => {
    const result = await plan(['--org', '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual([
      'keysweep: --org plans an organization, but the configuration has organization.enabled false: set organization.enabled (with organizationId, hubAccountId and managementAccountId) in cdk.json or --config FILE',
    ]);
    expect(requests).toEqual([]);
  });

  it('refuses a configuration with organization.enabled without --org, pointing at --org', async () => {
    const result = await plan(['--config', orgConfigFile(), '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^keysweep: the configuration has organization\.enabled: plan the organization with --org/,
    );
    expect(requests).toEqual([]);
  });

  it('refuses --org with credentials of another account than the hub, in one line, after asking STS only', async () => {
    behaviour = (action) =>
      action === 'GetCallerIdentity'
        ? { status: 200, body: callerIdentityXml('111122223333') }
        : { status: 500, body: '' };
    const out = previousOutput();
    const result = await plan(['--org', '--config', orgConfigFile(), '--out', out]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual([
      "keysweep: these credentials are of account 111122223333, but organization.hubAccountId is 123456789012: plan --org runs as the hub; use the hub account's credentials (--profile), or correct hubAccountId in --config",
    ]);
    expect(requests).toEqual(['GetCallerIdentity']);
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('from an earlier run');
  });

  it('says in one line what to do when STS refuses the credentials of an --org plan', async () => {
    behaviour = () => ({
      status: 403,
      body: iamErrorXml('ExpiredToken', 'The security token included in the request is expired'),
    });
    const result = await plan(['--org', '--config', orgConfigFile(), '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual([
      'keysweep: no valid AWS credentials (ExpiredToken: The security token included in the request is expired): run `aws sso login --profile NAME` or set AWS_PROFILE (or --profile) to a profile with valid credentials',
    ]);
    expect(requests).toEqual(['GetCallerIdentity']);
  });

  it.each([
    ['every account (org reader role)', 'ALL', true],
    ['a list of accounts (no Organizations access)', ['222222222222'], false],
  ])(
    'prints the policy of an --org plan of %s from the configuration, without any call',
    async (_name, accounts, reader) => {
      const result = await plan([
        '--print-policy',
        '--org',
        '--config',
        orgConfigFile({ accounts, memberRoleName: 'audit-read' }),
      ]);
      expect(result.code).toBe(0);
      const policy = JSON.parse(result.stdout) as {
        Statement: { Action: string[]; Resource: string; Condition?: unknown }[];
      };
      expect(policy.Statement.map((s) => `${s.Action.join(',')} on ${s.Resource}`)).toEqual([
        'sts:GetCallerIdentity on *',
        'sts:AssumeRole on arn:aws:iam::*:role/audit-read',
        ...(reader ? ['sts:AssumeRole on arn:aws:iam::999999999999:role/keysweep-org-reader'] : []),
      ]);
      expect(policy.Statement[1]?.Condition).toEqual({
        StringEquals: { 'aws:ResourceOrgID': 'o-keysweep00' },
      });
      expect(requests).toEqual([]);
    },
  );

  it('prints, with organization.planPrincipals, the policy for the read-only plan role and names it', async () => {
    const result = await plan([
      '--print-policy',
      '--org',
      '--config',
      orgConfigFile({ planPrincipals: ['arn:aws:iam::123456789012:role/audit-*'] }),
    ]);
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout) as { Statement: { Action: string[]; Resource: string }[] };
    expect(policy.Statement.map((s) => `${s.Action.join(',')} on ${s.Resource}`)).toEqual([
      'sts:GetCallerIdentity on *',
      'sts:AssumeRole on arn:aws:iam::*:role/keysweep-member-plan',
      'sts:AssumeRole on arn:aws:iam::999999999999:role/keysweep-org-reader',
    ]);
    expect(result.stderr).toContain(
      'keysweep plan --org assumes the read-only plan role keysweep-member-plan in each account (organization.planPrincipals)',
    );
    expect(requests).toEqual([]);
  });

  it('refuses --print-policy --org when the configuration does not enable organization', async () => {
    const result = await plan(['--print-policy', '--org']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/organization\.enabled false/);
    expect(result.stdout).toBe('');
  });

  it('prints the read-only policy without credentials or any call', async () => {
    const result = await plan(['--print-policy'], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout) as { Statement: { Action: string[] }[] };
    expect(policy.Statement.flatMap((s) => s.Action)).toContain('iam:ListAccessKeys');
    expect(requests).toEqual([]);
  });

  it.each([
    ['an unknown option', ['--dry-run'], /Unknown option '--dry-run'[\s\S]*Usage: npm run plan/],
    ['a bad --now', ['--now', 'tomorrow'], /--now must be an ISO 8601 date-time/],
    [
      'a config file that is not an object',
      ['--config', '/dev/null'],
      /config file \/dev\/null is not valid JSON/,
    ],
  ])('refuses %s with exit 2', async (_name, args, message) => {
    const result = await plan([...args, '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(requests).toEqual([]);
  });

  it('stops on Ctrl-C (SIGINT) in the middle of the sweep with exit 130 and writes nothing', async () => {
    let child: ChildProcess | undefined;
    behaviour = (action, params) => {
      if (action === 'ListUsers' && params.get('MaxItems') === '1')
        return {
          status: 200,
          body: listUsersXml([{ name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' }]),
        };
      // The sweep's first read: Ctrl-C while it waits for the answer, which never comes.
      child?.kill('SIGINT');
      return 'hang';
    };
    const out = previousOutput();
    const result = await plan(['--out', out], {}, (started) => {
      child = started;
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('keysweep plan: account 111122223333');
    expect(result.stderr).toContain(`keysweep: SIGINT: stopped before writing anything; ${out} is as it was`);
    expect(requests).toEqual(['ListUsers', 'GenerateCredentialReport']);
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('from an earlier run');
    expect(readFileSync(path.join(out, 'execution.json'), 'utf8')).toBe('{}');
    // Not a terminal: no progress line.
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout).not.toContain('\u001b[');
  });
});
