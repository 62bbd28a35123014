/** The SDK commands the functions import, read off their sources (shared by the plan's tests). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const FUNCTIONS_DIR = path.join(__dirname, '..', '..', '..', 'functions');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Operation names (`ListUsers`), sorted, of every `...Command` imported from `sdkPackage` under functions/. */
export function commandsTheFunctionsImport(sdkPackage: string): string[] {
  const names = new Set<string>();
  const imports = new RegExp(`import\\s*(?:type\\s*)?\\{([^}]*)\\}\\s*from\\s*'${escape(sdkPackage)}'`, 'g');
  for (const file of sourceFiles(FUNCTIONS_DIR)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(imports)) {
      for (const item of (match[1] ?? '').split(',')) {
        const name = item.trim().replace(/^type\s+/, '');
        if (/^[A-Z]\w*Command$/.test(name)) names.add(name.replace(/Command$/, ''));
      }
    }
  }
  return [...names].sort();
}

/** The IAM commands the functions import. */
export const iamCommandsTheFunctionsImport = (): string[] =>
  commandsTheFunctionsImport('@aws-sdk/client-iam');
