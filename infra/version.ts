/**
 * The version keysweep is deployed as: the package.json version plus the short git commit,
 * e.g. `0.1.0+abc1234`. Outside git, or when git fails, the commit is "unversioned".
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PACKAGE_JSON, REPO_ROOT } from './paths';

export const UNVERSIONED = 'unversioned';

export interface BuildVersion {
  /** The package.json version, e.g. `0.1.0`. */
  readonly packageVersion: string;
  /** The short git commit (with `-dirty` for uncommitted changes), or "unversioned". */
  readonly commit: string;
  /** `<packageVersion>+<commit>`: what the Lambdas, the state machine and the stack tags show. */
  readonly version: string;
}

export function packageVersion(packageJsonPath = PACKAGE_JSON): string {
  const pkg: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  const version =
    pkg !== null && typeof pkg === 'object' ? (pkg as { version?: unknown }).version : undefined;
  if (typeof version !== 'string' || version.trim() === '') {
    throw new Error(`${packageJsonPath} has no "version" string`);
  }
  return version.trim();
}

const git = (args: string[], cwd: string) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 10_000,
  }).trim();

/**
 * The short commit of HEAD, with `-dirty` when tracked files have uncommitted changes: a deploy
 * from such a tree is not the tagged code, and the version says so.
 */
export function gitCommit(cwd = REPO_ROOT): string {
  try {
    const commit = git(['rev-parse', '--short', 'HEAD'], cwd);
    if (!/^[0-9a-f]{4,40}$/.test(commit)) return UNVERSIONED;
    return git(['status', '--porcelain', '--untracked-files=no'], cwd) === '' ? commit : `${commit}-dirty`;
  } catch {
    return UNVERSIONED;
  }
}

export function buildVersion(options: { packageJsonPath?: string; cwd?: string } = {}): BuildVersion {
  const pkgVersion = packageVersion(options.packageJsonPath);
  const commit = gitCommit(options.cwd);
  return { packageVersion: pkgVersion, commit, version: `${pkgVersion}+${commit}` };
}
