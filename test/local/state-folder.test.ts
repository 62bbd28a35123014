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
import {
  assertReplaceableState,
  readStateFolder,
  STATE_MARKER,
  stateLine,
  writeStateAtomically,
} from '../../local/state-folder';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'keysweep-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ABOUT = {
  bucket: 'keysweep-local-reports',
  savedAt: '2026-11-28T08:00:00.000Z',
  executionName: 'run-1',
};
const OBJECTS = {
  'state/key-index.json': '{"updatedAt":"2026-11-28T08:00:00.000Z","users":{},"deactivatedByKeysweep":[]}',
  'runs/2026-11-28/run-1/report.json': '{}',
  'runs/2026-11-28/run-1/owners/o.brien@example.html': '<p>hi</p>',
};

describe('the --state folder', () => {
  it('is empty before the first run: no objects', () => {
    expect(readStateFolder(path.join(dir, 'state'))).toEqual({});
  });

  it('gives back, by key, the objects written to it, without its marker', () => {
    const state = path.join(dir, 'state');
    writeStateAtomically(state, OBJECTS, ABOUT);
    expect(readFileSync(path.join(state, 'state', 'key-index.json'), 'utf8')).toBe(
      OBJECTS['state/key-index.json'],
    );
    expect(JSON.parse(readFileSync(path.join(state, STATE_MARKER), 'utf8'))).toMatchObject(ABOUT);
    expect(readStateFolder(state)).toEqual(OBJECTS);
  });

  it('is replaced whole: an object gone from the bucket is gone from the folder', () => {
    const state = path.join(dir, 'state');
    writeStateAtomically(state, OBJECTS, ABOUT);
    writeStateAtomically(state, { 'state/key-index.json': '{}' }, { ...ABOUT, executionName: 'run-2' });
    expect(readStateFolder(state)).toEqual({ 'state/key-index.json': '{}' });
    expect(readdirSync(dir)).toEqual(['state']); // no temporary folder left
  });

  it('leaves the earlier state as it was when the new one cannot be written', () => {
    const state = path.join(dir, 'state');
    writeStateAtomically(state, OBJECTS, ABOUT);
    expect(() => writeStateAtomically(state, { 'bad\0name': 'x' }, ABOUT)).toThrow();
    expect(readStateFolder(state)).toEqual(OBJECTS);
    expect(readdirSync(dir)).toEqual(['state']);
  });

  it('refuses a folder that holds anything but an earlier state, and leaves it alone', () => {
    const mine = path.join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'notes.md'), 'mine');
    expect(() => readStateFolder(mine)).toThrow(
      /--state .*mine is not empty and holds no earlier keysweep state folder \(keysweep-state\.json\)/,
    );
    expect(() => writeStateAtomically(mine, OBJECTS, ABOUT)).toThrow(/not empty/);
    expect(readFileSync(path.join(mine, 'notes.md'), 'utf8')).toBe('mine');
    // an output folder is not a state folder either
    writeFileSync(path.join(mine, 'execution.json'), '{}');
    expect(() => readStateFolder(mine)).toThrow(/holds no earlier keysweep state folder/);
  });

  it('refuses the current folder, and a folder that is or holds the output folder', () => {
    expect(() => assertReplaceableState(process.cwd(), path.join(dir, 'out'))).toThrow(
      /is the current folder or one above it/,
    );
    for (const [state, out] of [
      ['same', 'same'],
      ['outer', 'outer/out'],
      ['outer/state', 'outer'],
    ] as const) {
      expect(() => assertReplaceableState(path.join(dir, state), path.join(dir, out))).toThrow(
        /overlap; each is replaced whole/,
      );
    }
    expect(() => assertReplaceableState(path.join(dir, 'state'), path.join(dir, 'out'))).not.toThrow();
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
  });

  it('names what it brought: earlier runs, and the key index of one account or of each account of an organization', () => {
    expect(stateLine('s', {})).toBe(
      'Report bucket from s: 0 objects of 0 earlier runs, no key index (a first run).',
    );
    expect(stateLine('s', { 'state/key-index.json': '{}', 'runs/2026-11-28/a/report.json': '{}' })).toBe(
      'Report bucket from s: 2 objects of 1 earlier run, with the key index.',
    );
    expect(
      stateLine('s', {
        'state/accounts/222222222222/key-index.json': '{}',
        'state/accounts/333333333333/key-index.json': '{}',
      }),
    ).toBe('Report bucket from s: 2 objects of 0 earlier runs, with the key indexes of 2 accounts.');
  });
});
