/**
 * The simulated account (or organization) of a local run, with every call authorized against the
 * deployment's policies as the principal the runner names for it (callers.ts). An account file that
 * says nothing of SES is out of the sandbox, with the sender's address verified. Used by the sweep's
 * runs (run-workflow.ts) and the exposure path's (run-exposure.ts).
 */
import type { KeysweepConfig } from '../functions/shared/config';
import { callerKey, currentCaller } from './callers';
import { SimulatedAccount, type AccountFile, type Faults, type OrganizationFile } from './simulated-account';
import type { AccessPolicies } from './simulated-account/permissions';

export interface AuthorizedAccountOptions {
  now: Date;
  config: KeysweepConfig;
  policies: AccessPolicies;
  faults?: Faults | undefined;
  listUsersPageSize?: number | undefined;
  sdkMiddleware?: boolean | undefined;
}

export function authorizedAccount(
  file: AccountFile | OrganizationFile,
  options: AuthorizedAccountOptions,
): SimulatedAccount {
  return new SimulatedAccount(file, {
    now: options.now,
    faults: options.faults,
    ...(options.listUsersPageSize ? { listUsersPageSize: options.listUsersPageSize } : {}),
    authorization: {
      policies: options.policies,
      caller: () => {
        const caller = currentCaller();
        return caller && callerKey(caller);
      },
    },
    ses: file.ses ?? { verifiedIdentities: [options.config.senderEmail], sandbox: false },
    ...(options.sdkMiddleware ? { sdkMiddleware: true } : {}),
  });
}
