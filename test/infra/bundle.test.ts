/**
 * The deployed artefact, not the source: each handler bundled the way the stack bundles it
 * (esbuild, CJS, node22, minified, SDK included) loads, exports `handler`, and the one that needs
 * no AWS call answers a real event through its bundled middy and Powertools middlewares.
 */
import { buildSync, type Metafile } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = ['list-users', 'find-stale-keys', 'check-action-limit', 'deactivate-key', 'send-report'];

let outDir: string;
let metafile: Metafile;
beforeAll(() => {
  outDir = mkdtempSync(path.join(tmpdir(), 'keysweep-bundle-'));
  metafile = buildSync({
    metafile: true,
    entryPoints: Object.fromEntries(
      FUNCTIONS.map((name) => [name, path.join(ROOT, 'functions', name, 'handler.ts')]),
    ),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    logLevel: 'silent',
  }).metafile;
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function load(name: string): { handler: Handler } {
  // Outside jest's module registry: the bundle carries its own copies of every dependency.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeRequire = require('node:module').createRequire(__filename) as NodeJS.Require;
  return nodeRequire(path.join(outDir, `${name}.js`)) as { handler: Handler };
}

/** Every .ts file under a folder of the repository. */
function sourcesUnder(folder: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? walk(file) : file.endsWith('.ts') ? [file] : [];
    });
  return walk(path.join(ROOT, folder));
}

describe('the AGPL-3.0 policy engine of the local simulator (@cloud-copilot/iam-simulate)', () => {
  it('is in no Lambda bundle', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/client-iam/'))).toBe(true);
    expect(inputs.filter((input) => input.includes('@cloud-copilot'))).toEqual([]);
  });

  it('is imported by nothing under functions/ or infra/, which import nothing of local/ either', () => {
    const offenders = [...sourcesUnder('functions'), ...sourcesUnder('infra')].filter((file) =>
      /from '(@cloud-copilot\/|(\.\.\/)+local\/)/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the bundled handlers', () => {
  it.each(FUNCTIONS)('%s loads and exports a handler', (name) => {
    expect(typeof load(name).handler).toBe('function');
  });

  it('check-action-limit answers an event through its bundled middlewares', async () => {
    const run = {
      executionId: 'arn:aws:states:us-east-1:123456789012:execution:KeySweep-KeySweep:x',
      executionName: 'x',
      startedAt: '2026-11-28T08:00:00.000Z',
      mode: 'enforce',
      modeSource: 'config',
      prefix: 'runs/2026-11-28/x/',
      batchCount: 1,
      discovery: {
        source: 'full-scan',
        reason: 'test',
        usersInAccount: 1,
        usersToRead: 1,
        credentialReportGeneratedAt: null,
      },
      version: 'test',
    };
    const counts = { deactivate: 1, delete: 0, warn: 0, exempt: 0, none: 1 };
    const found = [{ index: 0, usersRead: 1, usersGone: 0, keysSeen: 2, counts, plannedActions: 1 }];
    const context = {
      functionName: 'keysweep-check-action-limit',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:keysweep-check-action-limit',
      memoryLimitInMB: '256',
      awsRequestId: 'req-1',
      logGroupName: 'g',
      logStreamName: 's',
      getRemainingTimeInMillis: () => 30_000,
    };
    const result = (await load('check-action-limit').handler({ run, found }, context)) as {
      plan: { plannedActions: number; limitExceeded: boolean; batches: { actionsKey: string }[] };
    };
    expect(result.plan.plannedActions).toBe(1);
    expect(result.plan.limitExceeded).toBe(false);
    expect(result.plan.batches[0]?.actionsKey).toBe('runs/2026-11-28/x/batches/0000-actions.json');
  });
});
