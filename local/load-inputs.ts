/**
 * The local runner's inputs: the configuration (cdk.json's `keysweep` context with an optional
 * JSON file merged over it) and the account file. Any problem is an InputError naming it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig, type KeysweepConfig } from '../functions/shared/config';
import { exposureEventProblems } from '../functions/shared/health-event';
import {
  AccountFileError,
  parseAccountFile,
  parseAnyAccountFile,
  type AccountFile,
  type OrganizationFile,
} from './simulated-account';

export const PROJECT_ROOT = path.join(__dirname, '..');
export const CDK_JSON = path.join(PROJECT_ROOT, 'cdk.json');
export const DEMO_ACCOUNT = path.join(__dirname, 'demo-account.json');
export const DEMO_CONFIG = path.join(__dirname, 'demo-config.json');
export const DEMO_ORGANIZATION = path.join(__dirname, 'demo-organization.json');
export const DEMO_ORGANIZATION_CONFIG = path.join(__dirname, 'demo-organization-config.json');
/** An AWS Health exposed-key event for a key of the demo account (npm start -- --event). */
export const DEMO_EXPOSURE_EVENT = path.join(__dirname, 'demo-exposure-event.json');

export class InputError extends Error {
  override name = 'InputError';
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(
      `Cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function loadConfig(options: { configFile?: string; mode?: string }): KeysweepConfig {
  const cdkJson = readJson(CDK_JSON, 'cdk.json');
  const context = isObject(cdkJson) && isObject(cdkJson.context) ? cdkJson.context : {};
  const base = context.keysweep;
  if (!isObject(base)) throw new InputError('cdk.json has no "keysweep" object in its "context"');
  let merged: Record<string, unknown> = { ...base };
  let source = 'cdk.json context "keysweep"';
  if (options.configFile !== undefined) {
    const overlay = readJson(options.configFile, 'config file');
    if (!isObject(overlay))
      throw new InputError(`config file ${options.configFile} must hold a JSON object of keysweep settings`);
    merged = { ...merged, ...overlay };
    source += ` merged with ${options.configFile}`;
  }
  if (options.mode !== undefined) {
    if (options.mode !== 'report' && options.mode !== 'enforce') {
      throw new InputError(`--mode must be "report" or "enforce" (got "${options.mode}")`);
    }
    merged.mode = options.mode;
  }
  try {
    return parseConfig(merged, source);
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(error.message);
    throw error;
  }
}

export function loadAccount(file: string): AccountFile {
  const raw = readJson(file, 'account file');
  try {
    return parseAccountFile(raw, file);
  } catch (error) {
    if (error instanceof AccountFileError) throw new InputError(error.message);
    throw error;
  }
}

/** An account file or an organization's (`{"organization": {...}}`). */
export function loadAccountOrOrganization(file: string): AccountFile | OrganizationFile {
  const raw = readJson(file, 'account file');
  try {
    return parseAnyAccountFile(raw, file);
  } catch (error) {
    if (error instanceof AccountFileError) throw new InputError(error.message);
    throw error;
  }
}

/** An AWS Health AWS_RISK_CREDENTIALS_EXPOSED event, as EventBridge would start the exposure path with it. */
export function loadExposureEvent(file: string): unknown {
  const raw = readJson(file, 'event file');
  const problems = exposureEventProblems(raw);
  if (problems.length > 0) {
    throw new InputError(
      `event file ${file} is not an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event: ${problems.join('; ')}`,
    );
  }
  return raw;
}
