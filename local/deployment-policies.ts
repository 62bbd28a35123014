/**
 * The policies a deployment with `config` would have, for the simulated account to enforce.
 * Synthesizing the stack takes seconds, so the result is kept, in memory and under
 * node_modules/.cache/, keyed by everything it depends on: the infra/ sources, the configuration,
 * cdk.json, the lockfile (the CDK version decides what CDK adds to roles) and the code that reads
 * the template. Any change to those synthesizes again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeysweepConfig } from '../functions/shared/config';
import type { AccessPolicies } from './simulated-account/permissions';

const ROOT = path.join(__dirname, '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'keysweep', 'policies');

/** The files whose content decides the policies, besides the configuration. */
function sources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const file = path.join(dir, name);
        return statSync(file).isDirectory() ? walk(file) : [file];
      });
  return [
    ...walk(path.join(ROOT, 'infra')),
    path.join(ROOT, 'functions', 'shared', 'config.ts'),
    path.join(ROOT, 'functions', 'shared', 'exposure.ts'),
    path.join(ROOT, 'functions', 'shared', 'health-event.ts'),
    path.join(ROOT, 'cdk.json'),
    path.join(ROOT, 'package-lock.json'),
    path.join(__dirname, 'synthesize-policies.ts'),
    path.join(__dirname, 'callers.ts'),
    path.join(__dirname, 'execute-sweep.ts'),
    path.join(__dirname, 'execute-exposure.ts'),
    path.join(__dirname, 'local-lambda.ts'),
  ];
}

let sourcesHash: string | undefined;
const inMemory = new Map<string, AccessPolicies>();

function cacheKey(config: KeysweepConfig): string {
  if (sourcesHash === undefined) {
    const hash = createHash('sha256');
    for (const file of sources())
      hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file));
    sourcesHash = hash.digest('hex');
  }
  return createHash('sha256').update(sourcesHash).update(JSON.stringify(config)).digest('hex').slice(0, 32);
}

export async function deploymentPolicies(config: KeysweepConfig): Promise<AccessPolicies> {
  const key = cacheKey(config);
  const known = inMemory.get(key);
  if (known) return known;
  const file = path.join(CACHE_DIR, `${key}.json`);
  let policies: AccessPolicies | undefined;
  try {
    policies = JSON.parse(readFileSync(file, 'utf8')) as AccessPolicies;
  } catch {
    // not cached yet (or unreadable): synthesize
  }
  if (policies === undefined) {
    const { synthesizePolicies } = await import('./synthesize-policies');
    policies = synthesizePolicies(config);
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(policies));
      renameSync(partial, file);
    } catch {
      // a read-only tree: synthesize again next time
    }
  }
  inMemory.set(key, policies);
  return policies;
}
