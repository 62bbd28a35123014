/**
 * Writes the run's files to the output folder all at once: into a fresh temporary folder first,
 * which then replaces the old output, so a failure never leaves half an output behind.
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

/** The file every keysweep output folder holds; a folder without it is not ours to replace. */
const MARKER = 'execution.json';

export class UnsafeOutputError extends Error {
  override name = 'UnsafeOutputError';
}

/**
 * Refuses an output folder that replacing would harm: the current folder or one above it, a file,
 * or a folder with other content than an earlier keysweep output.
 */
export function assertReplaceableOutput(outDir: string): void {
  const target = path.resolve(outDir);
  const cwd = process.cwd();
  if (cwd === target || cwd.startsWith(`${target}${path.sep}`)) {
    throw new UnsafeOutputError(
      `--out ${outDir} is the current folder or one above it; choose a folder of its own`,
    );
  }
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new UnsafeOutputError(`--out ${outDir} is a file, not a folder`);
  const entries = readdirSync(target);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new UnsafeOutputError(
      `--out ${outDir} is not empty and holds no earlier keysweep output (${MARKER}); keysweep replaces its output folder whole, so choose an empty or new folder`,
    );
  }
}

export function writeOutputAtomically(outDir: string, files: Readonly<Record<string, string>>): void {
  assertReplaceableOutput(outDir);
  const target = path.resolve(outDir);
  mkdirSync(path.dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.tmp-`);
  try {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(staging, name);
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
