/** The IAM commands the functions import, read off their sources (shared by the plan's tests). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const FUNCTIONS_DIR = path.join(__dirname, '..', '..', '..', 'functions');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** Operation names (`ListUsers`), sorted, of every `...Command` imported from @aws-sdk/client-iam under functions/. */
export function iamCommandsTheFunctionsImport(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(FUNCTIONS_DIR)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-iam'/g)) {
      for (const item of (match[1] ?? '').split(',')) {
        const name = item.trim().replace(/^type\s+/, '');
        if (/^[A-Z]\w*Command$/.test(name)) names.add(name.replace(/Command$/, ''));
      }
    }
  }
  return [...names].sort();
}
