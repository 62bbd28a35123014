/**
 * The IAM actions a sweep (and the exposure path, functions/shared/exposure.ts) makes in an account, in one place: the hub stack grants them
 * to its function roles (its own account) and the member role carries their union (every other
 * account of an organization), so the two cannot drift apart.
 */
import type { KeysweepConfig } from '../functions/shared/config';
import { exposedKeyActions } from '../functions/shared/exposure';

export { exposedKeyActions } from '../functions/shared/exposure';

/** list-users: the account's users and its credential report. These accept only `*` as resource. */
export const LIST_USERS_ACTIONS = [
  'iam:ListUsers',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
] as const;

export const ACCOUNT_WIDE_REASON =
  'iam:ListUsers, iam:GenerateCredentialReport and iam:GetCredentialReport accept only * as resource.';

/** find-stale-keys: each user's keys, tags and (only when some group exempts) groups, on user/*. */
export function findStaleKeysActions(config: Pick<KeysweepConfig, 'exemptGroups'>): string[] {
  return [
    'iam:ListAccessKeys',
    'iam:ListUserTags',
    'iam:GetAccessKeyLastUsed',
    // Group membership is read only when some group exempts its members.
    ...(config.exemptGroups.length > 0 ? ['iam:ListGroupsForUser'] : []),
  ];
}

/** deactivate-key: re-read one key, deactivate it, and (only when deletion is on) delete it, on user/*. */
export function deactivateKeyActions(config: Pick<KeysweepConfig, 'deleteAfterDays'>): string[] {
  return [
    'iam:ListAccessKeys',
    'iam:UpdateAccessKey',
    'iam:GetAccessKeyLastUsed',
    // Keys are deleted only when deleteAfterDays is set.
    ...(config.deleteAfterDays !== null ? ['iam:DeleteAccessKey'] : []),
  ];
}

/**
 * deactivate-key: the user's exemption, read again right before acting (tags, and groups only when
 * some group exempts), on user/*: a user may have become exempt since the plan was made.
 */
export function deactivateKeyExemptionActions(config: Pick<KeysweepConfig, 'exemptGroups'>): string[] {
  return ['iam:ListUserTags', ...(config.exemptGroups.length > 0 ? ['iam:ListGroupsForUser'] : [])];
}

/**
 * Everything a sweep and the exposure path do on the account's users (user/*): what the member role
 * may do there.
 */
export function userActions(
  config: Pick<KeysweepConfig, 'exemptGroups' | 'deleteAfterDays' | 'exposedKeys'>,
): string[] {
  return [
    ...new Set([
      ...findStaleKeysActions(config),
      ...deactivateKeyActions(config),
      ...deactivateKeyExemptionActions(config),
      ...exposedKeyActions(config),
    ]),
  ];
}

/**
 * What a plan (`npm run plan -- --org`) reads on the account's users (user/*) through the plan role:
 * find-stale-keys' reads and deactivate-key's re-reads (the key, the exemption), never a write.
 */
export function planUserActions(config: Pick<KeysweepConfig, 'exemptGroups' | 'deleteAfterDays'>): string[] {
  const writes = new Set(['iam:UpdateAccessKey', 'iam:DeleteAccessKey']);
  return [
    ...new Set([
      ...findStaleKeysActions(config),
      ...deactivateKeyActions(config).filter((action) => !writes.has(action)),
      ...deactivateKeyExemptionActions(config),
    ]),
  ];
}
