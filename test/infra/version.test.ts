import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildVersion, gitCommit, packageVersion, UNVERSIONED } from '../../infra/version';
import { REPO_ROOT } from './build-stack';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

test('in the repository: the package.json version plus the short commit', () => {
  const version = buildVersion();
  expect(version.packageVersion).toBe(pkg.version);
  expect(version.commit).toMatch(/^[0-9a-f]{4,40}(-dirty)?$/);
  expect(version.version).toBe(`${pkg.version}+${version.commit}`);
});

test('outside git the commit is "unversioned"', () => {
  const outside = mkdtempSync(path.join(tmpdir(), 'keysweep-no-git-'));
  expect(gitCommit(outside)).toBe(UNVERSIONED);
  expect(buildVersion({ cwd: outside }).version).toBe(`${pkg.version}+unversioned`);
});

test('when git cannot run the commit is "unversioned"', () => {
  expect(gitCommit(path.join(tmpdir(), 'keysweep-no-such-folder', String(process.pid)))).toBe(UNVERSIONED);
});

test('a package.json without a version is an error', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'keysweep-pkg-'));
  const file = path.join(dir, 'package.json');
  writeFileSync(file, JSON.stringify({ name: 'x' }));
  expect(() => packageVersion(file)).toThrow(/has no "version" string/);
});

test('a commit with uncommitted changes to tracked files is marked -dirty', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'keysweep-git-'));
  const run = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  run('init', '-q');
  writeFileSync(path.join(repo, 'file.txt'), 'one');
  run('add', 'file.txt');
  run('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one');
  const clean = gitCommit(repo);
  expect(clean).toMatch(/^[0-9a-f]{4,40}$/);
  writeFileSync(path.join(repo, 'untracked.txt'), 'not part of the build');
  expect(gitCommit(repo)).toBe(clean);
  writeFileSync(path.join(repo, 'file.txt'), 'two');
  expect(gitCommit(repo)).toBe(`${clean}-dirty`);
});
