/**
 * Writes a folder that `npm start` owns (the output folder, the --state folder) all at once: into a
 * fresh temporary folder first, which then replaces the old one, so a failure never leaves half a
 * folder behind.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** A folder npm start replaces whole: the option that names it, and the file every such folder holds. */
export interface OwnedFolder {
  /** the option, for messages: '--out' */
  option: string;
  /** what the folder holds, for messages: 'keysweep output' */
  what: string;
  /** the file every such folder holds; a folder without it is not ours to replace */
  marker: string;
}

/** The output folder; execution.json is in every one. */
export const OUTPUT_FOLDER: OwnedFolder = {
  option: '--out',
  what: 'keysweep output',
  marker: 'execution.json',
};

export class UnsafeOutputError extends Error {
  override name = 'UnsafeOutputError';
}

/**
 * Refuses a folder that replacing would harm: the current folder or one above it, a file, or a
 * folder with other content than an earlier one of its kind.
 */
export function assertReplaceable(dir: string, folder: OwnedFolder): void {
  const target = path.resolve(dir);
  const cwd = process.cwd();
  if (cwd === target || cwd.startsWith(`${target}${path.sep}`)) {
    throw new UnsafeOutputError(
      `${folder.option} ${dir} is the current folder or one above it; choose a folder of its own`,
    );
  }
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory())
    throw new UnsafeOutputError(`${folder.option} ${dir} is a file, not a folder`);
  const entries = readdirSync(target);
  if (entries.length > 0 && !entries.includes(folder.marker)) {
    throw new UnsafeOutputError(
      `${folder.option} ${dir} is not empty and holds no earlier ${folder.what} (${folder.marker}); keysweep replaces this folder whole, so choose an empty or new folder`,
    );
  }
}

/** Replaces the folder with exactly these files (relative paths, `/`-separated), all at once. */
export function writeAtomically(
  dir: string,
  files: Readonly<Record<string, string>>,
  folder: OwnedFolder,
): void {
  assertReplaceable(dir, folder);
  const target = path.resolve(dir);
  mkdirSync(path.dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.tmp-`);
  try {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(staging, name);
      if (!file.startsWith(`${staging}${path.sep}`))
        throw new UnsafeOutputError(`${name} would leave ${dir}`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

export function assertReplaceableOutput(outDir: string): void {
  assertReplaceable(outDir, OUTPUT_FOLDER);
}

export function writeOutputAtomically(outDir: string, files: Readonly<Record<string, string>>): void {
  writeAtomically(outDir, files, OUTPUT_FOLDER);
}
