/**
 * What the people told of an exposed key are asked to do, as plain sentences and commands (the
 * renderers lay them out). A command names a key as ID_ENDING_ and its last four characters: no
 * email holds a full key ID.
 *
 * The owner's steps follow what to do with an exposed key: create a new key and switch to it,
 * remove the exposed key from wherever it was published, check CloudTrail for its use, then delete
 * it. Facts they rest on:
 * - AWS attaches its quarantine policy (AWSCompromisedKeyQuarantineV3, AWS Managed Policy reference) to
 *   the exposed key's user: it denies that user, among others, iam:CreateAccessKey,
 *   iam:UpdateAccessKey and cloudtrail:LookupEvents, so these steps are run as another identity.
 * - IAM allows two access keys a user, inactive ones included: a user with two needs the exposed one
 *   deleted before a new one can be created.
 * - CloudTrail's event history looks up management events of the last 90 days by access key, per
 *   Region ("shows events in the AWS Region where they occurred", CloudTrail User Guide, "Viewing
 *   recent management events with the AWS CLI"; LookupAttribute AccessKeyId).
 */
import type { ExposedKeyResult } from '../shared/exposure';
import { maskAccessKeyId } from '../shared/masking';

export const QUARANTINE_POLICY = 'AWSCompromisedKeyQuarantineV3';

export interface Step {
  text: string;
  /** shell commands, each on a line of its own */
  commands: string[];
}

/** Where a command needs the key's full ID: ID_ENDING_ and the ID's last four characters. */
export const PLACEHOLDER_PREFIX = 'ID_ENDING_';
export const placeholder = (accessKeyId: string) => `${PLACEHOLDER_PREFIX}${accessKeyId.slice(-4)}`;

export const exposureCommands = {
  list: (user: string) => `aws iam list-access-keys --user-name ${user}`,
  create: (user: string) => `aws iam create-access-key --user-name ${user}`,
  deactivate: (user: string, key: string) =>
    `aws iam update-access-key --user-name ${user} --access-key-id ${placeholder(key)} --status Inactive`,
  delete: (user: string, key: string) =>
    `aws iam delete-access-key --user-name ${user} --access-key-id ${placeholder(key)}`,
  cloudTrail: (region: string, key: string) =>
    `aws cloudtrail lookup-events --region ${region} --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${placeholder(key)}`,
};

const day = (iso: string) => iso.slice(0, 10);
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The key's last use, as the first place to look in CloudTrail. */
export function lastUseText(key: ExposedKeyResult): string {
  const use = key.lastUsed;
  if (use === null) return 'unknown';
  if (use.date === null) return 'never used';
  const where = [use.service, use.region && `in ${use.region}`].filter(Boolean).join(' ');
  return `${minute(use.date)}${where ? `, ${where}` : ''}`;
}

/** The Region to look up first: the key's last use, else us-east-1 (IAM's events are recorded there). */
export const firstRegion = (key: ExposedKeyResult) =>
  key.lastUsed?.region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(key.lastUsed.region)
    ? key.lastUsed.region
    : 'us-east-1';

/** What keysweep did to the key, in a sentence the owner and the admins both read. */
export function whatHappened(key: ExposedKeyResult): string {
  const id = maskAccessKeyId(key.accessKeyId);
  switch (key.result) {
    case 'deactivated':
      return `keysweep deactivated ${id} at ${minute(key.deactivatedAt ?? '')}: anything still using it fails from now on.`;
    case 'already-inactive':
      return `${id} was inactive already when keysweep got to it (${key.detail ?? 'no detail'}).`;
    case 'reported':
      return `keysweep did NOT deactivate ${id}: its exposedKeys setting is "report". It is still active.`;
    case 'gone':
      return `${id} no longer exists (${key.detail ?? 'deleted'}).`;
    case 'not-a-user-key':
      return `${id} is no IAM user's access key: ${key.detail ?? ''}`;
    case 'failed':
      return `keysweep could NOT deactivate ${id}: ${key.error ?? 'unknown error'}. It may still be active: deactivate it by hand now.`;
    default:
      return `${id}: ${key.detail ?? key.result}`;
  }
}

/** The steps for the owner of an exposed key (the user is known, as is whether the key still exists). */
export function ownerSteps(key: ExposedKeyResult): Step[] {
  const user = key.userName ?? '<user>';
  const id = key.accessKeyId;
  const exists = key.result !== 'gone';
  const steps: Step[] = [];
  if (key.result === 'reported' || key.result === 'failed') {
    steps.push({
      text: `Deactivate ${maskAccessKeyId(id)} now: anyone who found it can use it while it is active.`,
      commands: [exposureCommands.deactivate(user, id)],
    });
  }
  const full = exists && (key.keyCount ?? 1) >= 2;
  steps.push({
    text: full
      ? `Create a new access key and switch everything that used ${maskAccessKeyId(id)} to it. IAM allows two keys a user and ${user} has two: delete the exposed key first (the last step), which nothing may use again anyway.`
      : `If you still need an access key, create a new one and switch everything that used ${maskAccessKeyId(id)} to it.`,
    commands: [exposureCommands.create(user)],
  });
  steps.push({
    text: 'Remove the exposed key from wherever it was published: the file, and the history of the repository (a deleted file stays in the history, in forks and in caches). Treat the key as known to others whatever you remove.',
    commands: [],
  });
  steps.push({
    text: `Check CloudTrail for its use over the last 90 days, in each Region it could have been used (it was last used: ${lastUseText(key)}). Tell the admins of any call that was not yours.`,
    commands: [exposureCommands.cloudTrail(firstRegion(key), id)],
  });
  if (exists) {
    steps.push({
      text: `Then delete ${maskAccessKeyId(id)}; it may never be used again:`,
      commands: [exposureCommands.delete(user, id)],
    });
  }
  return steps;
}

/** The admins' steps for the keys of one exposure run. */
export function adminSteps(keys: readonly ExposedKeyResult[]): Step[] {
  const steps: Step[] = [];
  const stillActive = keys.filter((k) => k.result === 'reported' || k.result === 'failed');
  for (const key of stillActive) {
    steps.push({
      text: `Deactivate ${maskAccessKeyId(key.accessKeyId)} of ${key.userName ?? 'its user'} in account ${key.accountId} now: it is still active.`,
      commands: key.userName ? [exposureCommands.deactivate(key.userName, key.accessKeyId)] : [],
    });
  }
  for (const key of keys.filter((k) => k.result !== 'not-a-user-key')) {
    steps.push({
      text: `Check CloudTrail of account ${key.accountId} for the use of ${maskAccessKeyId(key.accessKeyId)} in every Region (last used: ${lastUseText(key)}); a call its owner does not recognize is an incident.`,
      commands: [exposureCommands.cloudTrail(firstRegion(key), key.accessKeyId)],
    });
  }
  steps.push({
    text: `Make sure each owner creates a new key, removes the exposed one from where it was published, and deletes it. AWS's quarantine policy ${QUARANTINE_POLICY} stays on the user until you have followed the AWS support case about the exposure.`,
    commands: [],
  });
  return steps;
}

export { day, minute };
