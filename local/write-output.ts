/**
 * Writes the run's files to the output folder all at once: into a fresh temporary folder first,
 * which then replaces the old output, so a failure never leaves half an output behind.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeOutputAtomically(outDir: string, files: Readonly<Record<string, string>>): void {
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
