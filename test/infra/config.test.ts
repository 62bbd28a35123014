import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../functions/shared/config';
import { buildStack, cdkJsonConfig, REPO_ROOT, synthStack } from './build-stack';

test('the cdk.json configuration builds', () => {
  expect(() => buildStack()).not.toThrow();
});

test.each([
  { key: 'deactivateAfterDays', config: { deactivateAfterDays: -1 } },
  { key: 'deleteAfterDays', config: { deleteAfterDays: 0 } },
  { key: 'schedule', config: { schedule: 'every day at 8' } },
  { key: 'adminEmails', config: { adminEmails: ['not-an-address'] } },
  { key: 'senderEmail', config: { senderEmail: undefined } },
  { key: 'colour', config: { colour: 'blue' } },
])('a bad $key stops the build with a message naming it', ({ key, config }) => {
  expect(() => buildStack({ config })).toThrow(ConfigError);
  expect(() => buildStack({ config })).toThrow(
    new RegExp(`^Invalid keysweep configuration in cdk\\.json context "keysweep": .*${key}`),
  );
});

test('a missing keysweep context stops the build', () => {
  expect(() => buildStack({ rawContext: undefined })).toThrow(
    /cdk\.json context "keysweep": expected an object/,
  );
});

test('the context may be given as JSON text (cdk synth -c keysweep=...)', () => {
  const { template } = synthStack({
    rawContext: JSON.stringify({ ...cdkJsonConfig(), reportRetentionDays: 7 }),
  });
  template.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: {
      Rules: Match.arrayWith([Match.objectLike({ Prefix: 'runs/', ExpirationInDays: 7 })]),
    },
  });
  expect(() => buildStack({ rawContext: JSON.stringify({ deactivateAfterDays: 0 }) })).toThrow(
    /deactivateAfterDays/,
  );
});

test('the app prints a bad configuration as one clear message and exits with 1, without a stack trace', () => {
  const bad = { ...cdkJsonConfig(), deactivateAfterDays: -1 };
  const result = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'infra', 'app.ts')],
    {
      cwd: tmpdir(),
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ keysweep: bad }),
        CDK_OUTDIR: mkdtempSync(path.join(tmpdir(), 'keysweep-cdk-out-')),
      },
    },
  );
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    'Invalid keysweep configuration in cdk.json context "keysweep": deactivateAfterDays must be at least 1 (got -1)',
  );
  expect(result.stderr).not.toMatch(/^\s+at /m);
}, 60_000);
