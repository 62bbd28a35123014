/** Environment of the Lambdas, read once at module load; a missing or bad value fails clearly. */
import { parseConfig, type KeysweepConfig } from './config';

export function getRequiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is required but not set`);
  }
  return value;
}

export function getConfigFromEnv(name = 'KEYSWEEP_CONFIG'): KeysweepConfig {
  const text = getRequiredEnv(name);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`Environment variable ${name} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(raw, `environment variable ${name}`);
}

export function getVersionFromEnv(): string {
  return process.env.KEYSWEEP_VERSION?.trim() || 'unversioned';
}
