/**
 * An ASL file (the sweep's, or the exposure path's), byte for byte what the CDK stack deploys, with its ${...} placeholders filled
 * the way DefinitionSubstitutions fills them in AWS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ASL_PATH = path.join(__dirname, '..', 'statemachine', 'key-sweep.asl.json');
/** The organization state machine (organization.enabled). */
export const ORGANIZATION_ASL_PATH = path.join(
  __dirname,
  '..',
  'statemachine',
  'organization-sweep.asl.json',
);
/** The exposure path's state machine. */
export const EXPOSED_KEY_ASL_PATH = path.join(__dirname, '..', 'statemachine', 'exposed-key.asl.json');

export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string))].sort();
}

export function loadDefinition(
  substitutions: Readonly<Record<string, string>>,
  file: string = ASL_PATH,
): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  const missing = placeholdersOf(text).filter((name) => substitutions[name] === undefined);
  if (missing.length > 0) throw new Error(`No value for ASL placeholder(s): ${missing.join(', ')}`);
  const filled = text.replace(/\$\{(\w+)\}/g, (_, name: string) => substitutions[name] as string);
  return JSON.parse(filled) as Record<string, unknown>;
}

/** Names of every state, at any depth, that has a Retry field. */
export function statesWithRetry(definition: unknown): string[] {
  const names: string[] = [];
  const visit = (states: unknown) => {
    if (states === null || typeof states !== 'object') return;
    for (const [name, state] of Object.entries(states as Record<string, Record<string, unknown>>)) {
      if (Array.isArray(state.Retry)) names.push(name);
      const nested = (state.ItemProcessor ?? state.Iterator) as { States?: unknown } | undefined;
      if (nested?.States) visit(nested.States);
    }
  };
  visit((definition as { States?: unknown }).States);
  return names;
}
