/**
 * The keysweep configuration of the CDK app: the `keysweep` context (cdk.json), parsed with
 * the same zod schema the Lambdas and the local runner use. A bad value throws a ConfigError
 * whose message names the setting.
 */
import type { Construct } from 'constructs';
import { parseConfig, type KeysweepConfig } from '../functions/shared/config';

export const CONTEXT_KEY = 'keysweep';
export const CONFIG_SOURCE = `cdk.json context "${CONTEXT_KEY}"`;

export function configFromContext(scope: Construct): KeysweepConfig {
  return parseConfig(fromJsonText(scope.node.tryGetContext(CONTEXT_KEY)), CONFIG_SOURCE);
}

/** `cdk synth -c keysweep='{...}'` passes the context as text: read it as JSON when it is. */
function fromJsonText(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * The configuration as the functions get it (KEYSWEEP_CONFIG). organization.planPrincipals is left
 * out: no function reads it (only the plan role's and org reader role's trust do), and without it
 * a deployment that does not set it synthesizes as before the setting existed.
 */
export function functionConfigJson(config: KeysweepConfig): string {
  const organization: Partial<KeysweepConfig['organization']> = { ...config.organization };
  delete organization.planPrincipals;
  return JSON.stringify({ ...config, organization });
}
