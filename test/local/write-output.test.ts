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
import { writeOutputAtomically } from '../../local/write-output';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'keysweep-out-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeOutputAtomically', () => {
  it('replaces the whole output folder, nested files included', () => {
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'execution.json'), 'old');
    writeFileSync(path.join(out, 'stale.json'), 'old');
    writeOutputAtomically(out, { 'report.json': '{}', 'owners/alice.txt': 'hi' });
    expect(readdirSync(out).sort()).toEqual(['owners', 'report.json']);
    expect(readFileSync(path.join(out, 'owners', 'alice.txt'), 'utf8')).toBe('hi');
  });

  it('refuses a folder that holds anything but an earlier keysweep output', () => {
    const out = path.join(dir, 'docs');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.md'), 'mine');
    expect(() => writeOutputAtomically(out, { 'report.json': '{}' })).toThrow(
      /not empty and holds no earlier keysweep output/,
    );
    expect(readFileSync(path.join(out, 'notes.md'), 'utf8')).toBe('mine');
  });

  it('leaves the old output and no temporary folder behind when a file cannot be written', () => {
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'report.json'), 'old');
    writeFileSync(path.join(out, 'execution.json'), 'old');
    expect(() => writeOutputAtomically(out, { 'report.json': 'new', 'bad\0name': 'x' })).toThrow();
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out']);
    expect(existsSync(path.join(out, 'bad'))).toBe(false);
  });
});
