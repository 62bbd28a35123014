/** Where the files the infrastructure is built from live, resolved from this file (never from the cwd). */
import * as path from 'node:path';

/** The repository root: the folder holding package.json. */
export const REPO_ROOT = path.join(__dirname, '..');

export const PACKAGE_JSON = path.join(REPO_ROOT, 'package.json');

export const PACKAGE_LOCK = path.join(REPO_ROOT, 'package-lock.json');

/** The state machine definition, deployed byte for byte as it is in the repository. */
export const ASL_FILE = path.join(REPO_ROOT, 'statemachine', 'key-sweep.asl.json');

/** The organization state machine's definition (organization.enabled), deployed byte for byte too. */
export const ORGANIZATION_ASL_FILE = path.join(REPO_ROOT, 'statemachine', 'organization-sweep.asl.json');

/** The exposure path's state machine definition, deployed byte for byte as well. */
export const EXPOSED_KEY_ASL_FILE = path.join(REPO_ROOT, 'statemachine', 'exposed-key.asl.json');

/** The handler file of a Lambda function: functions/<name>/handler.ts, exporting `handler`. */
export function handlerEntry(name: string): string {
  return path.join(REPO_ROOT, 'functions', name, 'handler.ts');
}
