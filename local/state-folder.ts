/**
 * `npm start -- --state DIR`: the simulated report bucket kept in a folder between runs, so that
 * days can follow one another (the key index, earlier reports). Each object is a file at its key
 * (state/key-index.json, runs/<date>/<execution>/report.json, ...), beside a marker file that no
 * bucket key can be (keysweep writes only under runs/ and state/). The folder is read before the
 * run and replaced whole after it, as the output folder is (write-output.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { layout, runPrefix } from '../functions/shared/report-layout';
import { InputError } from './load-inputs';
import { bucketObjectsOf, LOCAL_BUCKET, type WorkflowRun } from './run-workflow';
import { assertReplaceable, UnsafeOutputError, writeAtomically, type OwnedFolder } from './write-output';

export const STATE_MARKER = 'keysweep-state.json';

export const STATE_FOLDER: OwnedFolder = {
  option: '--state',
  what: 'keysweep state folder',
  marker: STATE_MARKER,
};

/** Refuses a state folder that is not one (see assertReplaceable), and one that is the output folder or holds it. */
export function assertReplaceableState(stateDir: string, outDir: string): void {
  const state = path.resolve(stateDir);
  const out = path.resolve(outDir);
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b}${path.sep}`);
  if (inside(state, out) || inside(out, state)) {
    throw new UnsafeOutputError(
      `--state ${stateDir} and --out ${outDir} overlap; each is replaced whole, so give them folders of their own`,
    );
  }
  assertReplaceable(stateDir, STATE_FOLDER);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** The bucket's objects kept in the folder, by key; none when the folder does not exist yet. */
export function readStateFolder(stateDir: string): Record<string, string> {
  assertReplaceable(stateDir, STATE_FOLDER);
  const root = path.resolve(stateDir);
  if (!existsSync(root)) return {};
  const objects: Record<string, string> = {};
  for (const file of filesUnder(root)) {
    const key = path.relative(root, file).split(path.sep).join('/');
    if (key !== STATE_MARKER) objects[key] = readFileSync(file, 'utf8');
  }
  return objects;
}

/** Replaces the folder with the bucket's objects after a run (and the marker). */
export function writeStateAtomically(
  stateDir: string,
  objects: Readonly<Record<string, string>>,
  about: { bucket: string; savedAt: string; executionName: string },
): void {
  if (STATE_MARKER in objects) throw new Error(`the report bucket holds an object named ${STATE_MARKER}`);
  const marker = {
    ...about,
    note: 'The simulated report bucket of npm start, one file per object; pass this folder as --state to the next run.',
  };
  writeAtomically(
    stateDir,
    { ...objects, [STATE_MARKER]: `${JSON.stringify(marker, null, 2)}\n` },
    STATE_FOLDER,
  );
}

/**
 * The execution's name: local-<now>, with a suffix when an earlier run in the --state bucket had it
 * (AWS never reuses an execution name; a run's files, and its owner-notification record, are
 * under it).
 */
export function freshExecutionName(
  now: Date,
  objects: Readonly<Record<string, string>>,
  kind: 'local' | 'exposure' = 'local',
): string {
  const base = `${kind}-${now.toISOString().replace(/[:.]/g, '-')}`;
  const taken = (name: string) =>
    Object.keys(objects).some((key) => key.startsWith(runPrefix(now.toISOString(), name)));
  let name = base;
  for (let n = 2; taken(name); n++) name = `${base}-${n}`;
  return name;
}

/** What the --state folder brought into the report bucket. */
export function stateLine(stateDir: string, objects: Readonly<Record<string, string>>): string {
  const keys = Object.keys(objects);
  const runs = new Set(
    keys.filter((k) => k.startsWith('runs/')).map((k) => k.split('/').slice(0, 3).join('/')),
  );
  const accountIndexes = keys.filter((k) => k.startsWith('state/accounts/') && k.endsWith('/key-index.json'));
  const index =
    layout.keyIndex() in objects
      ? 'with the key index'
      : accountIndexes.length > 0
        ? `with the key indexes of ${accountIndexes.length} account${accountIndexes.length === 1 ? '' : 's'}`
        : 'no key index (a first run)';
  return `Report bucket from ${stateDir}: ${keys.length} objects of ${runs.size} earlier run${runs.size === 1 ? '' : 's'}, ${index}.`;
}

/** The --state folder's objects, or bad input when it is not one keysweep may replace. */
export function loadState(stateDir: string, outDir: string): Record<string, string> {
  try {
    assertReplaceableState(stateDir, outDir);
    return readStateFolder(stateDir);
  } catch (error) {
    if (error instanceof UnsafeOutputError) throw new InputError(error.message);
    throw error;
  }
}

/** After a run with --state: the report bucket written back to the folder, and the line that says so. */
export function saveRunState(
  stateDir: string,
  run: Pick<WorkflowRun, 'account' | 'now' | 'executionName'>,
): void {
  writeStateAtomically(stateDir, bucketObjectsOf(run), {
    bucket: LOCAL_BUCKET,
    savedAt: run.now.toISOString(),
    executionName: run.executionName,
  });
  console.log(`  state: ${stateDir}/ (the report bucket, for the next --state run)`);
}
