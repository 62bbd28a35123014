/**
 * Every situation an owner email is written for, as a user's full key list with what the email
 * must say: the table behind render-owner-email.test.ts and the browser layout test.
 */
import { buildReport, resultKey } from '../../../functions/send-report/build-report';
import type { OwnerCase } from '../../../functions/send-report/owner-email-plan';
import type { OwnerEmailContext } from '../../../functions/send-report/render-owner-email';
import type { ReportEntry } from '../../../functions/send-report/report-model';
import type { KeyRecord } from '../../../functions/shared/batch-files';
import { maskAccessKeyId } from '../../../functions/shared/masking';
import { ADMIN, NOW, daysAgo, keyId, testConfig, testRun } from '../fixtures';
import { decisionsFile, planOf, record, result } from './report-fixtures';

export const OWNER_CONFIG = testConfig({ unusedAfterDays: 45, deleteAfterDays: 180 });

export const ownerContext: OwnerEmailContext = {
  accountId: '123456789012',
  adminEmails: [ADMIN],
  runDay: '2026-11-28',
  version: '1.2.3',
  policy: OWNER_CONFIG,
};

interface KeySpec {
  action: KeyRecord['action'];
  more?: Partial<KeyRecord>;
}

export interface OwnerEmailCase {
  name: string;
  user: string;
  keys: KeySpec[];
  cases: OwnerCase[];
  /** in the facts, each once */
  facts: string[];
  /** the steps, in this order */
  steps: string[];
  /** every command of the steps, in order, each on a line of its own */
  commands: string[];
  /** never said */
  absent?: string[];
}

/** The masked ID of key n, and the placeholder a command holds for its full ID. */
export const K = (n: number) => maskAccessKeyId(keyId(n));
const ID = (n: number) => `ID_ENDING_${keyId(n).slice(-4)}`;
const cmd = {
  create: (u: string) => `aws iam create-access-key --user-name ${u}`,
  deactivate: (u: string, n: number) =>
    `aws iam update-access-key --user-name ${u} --access-key-id ${ID(n)} --status Inactive`,
  delete: (u: string, n: number) => `aws iam delete-access-key --user-name ${u} --access-key-id ${ID(n)}`,
};
const used = (days: number) => ({ lastUsedDate: daysAgo(days) });
const young = (age: number, lastUsed: number): KeySpec => ({
  action: 'none',
  more: { ageDays: age, ...used(lastUsed) },
});
const inactive = (age: number, lastUsed: number): KeySpec => ({
  action: 'none',
  more: { ageDays: age, status: 'Inactive', ...used(lastUsed) },
});
const warnAge = (age: number, on: string, lastUsed: number): KeySpec => ({
  action: 'warn',
  more: { ageDays: age, deactivationDate: on, ...used(lastUsed) },
});
const deactivateAge = (age: number, lastUsed: number): KeySpec => ({
  action: 'deactivate',
  more: { ageDays: age, ...used(lastUsed) },
});

export const OWNER_EMAIL_CASES: OwnerEmailCase[] = [
  {
    name: 'deactivated, the other key active and young (alice)',
    user: 'alice',
    keys: [deactivateAge(210, 8), young(17, 1)],
    cases: ['switch-to-other-key'],
    facts: [
      `${K(1)}, created 2026-05-02, last used 2026-11-20, was deactivated today at 210 days old; the limit is 90 days.`,
      `Your other key, ${K(2)}, created 2026-11-11, last used 2026-11-27, is active and in good standing.`,
    ],
    steps: [
      `Switch every application, script and profile that used ${K(1)} to your other key, ${K(2)}.`,
      `Delete ${K(1)}:`,
    ],
    commands: [cmd.delete('alice', 1)],
    absent: ['create-access-key', 'update-access-key'],
  },
  {
    name: 'warned, the other key active and young (oscar)',
    user: 'oscar',
    keys: [warnAge(87, '2026-11-30', 3), young(2, 0.5)],
    cases: ['switch-to-other-key'],
    facts: [
      `${K(1)}, created 2026-09-02, last used 2026-11-25, will be deactivated on or after 2026-11-30, when it is 90 days old.`,
      `Your other key, ${K(2)}, created 2026-11-26, last used 2026-11-27`,
    ],
    steps: [
      `Switch every application, script and profile that uses ${K(1)} to your other key, ${K(2)}.`,
      `Then deactivate ${K(1)}, and once nothing has failed for a day or so, delete it:`,
    ],
    commands: [cmd.deactivate('oscar', 1), cmd.delete('oscar', 1)],
    absent: ['create-access-key'],
  },
  {
    name: 'warned, the other key young but unused: switching to it uses it',
    user: 'olga',
    keys: [
      warnAge(84, '2026-12-04', 1),
      {
        action: 'warn',
        more: { rule: 'unused', ageDays: 40, lastUsedDate: null, deactivationDate: '2026-12-03' },
      },
    ],
    cases: ['switch-to-other-key'],
    facts: [`${K(2)}, created 2026-10-19, has never been used: it will be deactivated on or after`],
    steps: [
      `that uses ${K(1)} to your other key, ${K(2)}: using it keeps it active.`,
      `Then deactivate ${K(1)}`,
    ],
    commands: [cmd.deactivate('olga', 1), cmd.delete('olga', 1)],
    absent: ['create-access-key', `If nothing needs ${K(2)}`],
  },
  {
    name: 'warned, the other key inactive: delete that one first',
    user: 'ivy',
    keys: [warnAge(80, '2026-12-08', 2), inactive(150, 120)],
    cases: ['free-a-slot-then-replace'],
    facts: [`Your other key, ${K(2)}, created 2026-07-01, is inactive; keysweep did not change it.`],
    steps: [
      `Delete your inactive key ${K(2)}: nothing can be using it, and this makes room for the new key (IAM allows two keys a user):`,
      'Create a new access key (the secret it returns is shown only once):',
      `Switch every application, script and profile that uses ${K(1)} to the new key.`,
      `Then deactivate ${K(1)}, and once nothing has failed for a day or so, delete it:`,
    ],
    commands: [cmd.delete('ivy', 2), cmd.create('ivy'), cmd.deactivate('ivy', 1), cmd.delete('ivy', 1)],
  },
  {
    name: 'deactivated, the other key inactive (mallory)',
    user: 'mallory',
    keys: [deactivateAge(179, 27), inactive(26, 20)],
    cases: ['free-a-slot-then-replace'],
    facts: [`${K(1)}, created 2026-06-02, last used 2026-11-01, was deactivated today at 179 days old`],
    steps: [
      `Delete ${K(1)}, which cannot be used again; this makes room for the new key (IAM allows two keys a user):`,
      'Create a new access key',
      `Switch every application, script and profile that used ${K(1)} to the new key.`,
    ],
    commands: [cmd.delete('mallory', 1), cmd.create('mallory')],
    absent: [`Delete your inactive key ${K(2)}`],
  },
  {
    name: 'warned, the only key (carol)',
    user: 'carol',
    keys: [warnAge(79, '2026-12-09', 0.5)],
    cases: ['replace-single-key'],
    facts: [`${K(1)}, created 2026-09-10, last used 2026-11-27, will be deactivated on or after 2026-12-09`],
    steps: [
      'Create a new access key (the secret it returns is shown only once):',
      `Switch every application, script and profile that uses ${K(1)} to the new key.`,
      `Then deactivate ${K(1)}, and once nothing has failed for a day or so, delete it:`,
    ],
    commands: [cmd.create('carol'), cmd.deactivate('carol', 1), cmd.delete('carol', 1)],
  },
  {
    name: 'deactivated, the only key (bob)',
    user: 'bob',
    keys: [deactivateAge(90, 1)],
    cases: ['replace-single-key'],
    facts: [`${K(1)}, created 2026-08-30, last used 2026-11-27, was deactivated today at 90 days old`],
    steps: ['Create a new access key', `that used ${K(1)} to the new key.`, `Delete ${K(1)}:`],
    commands: [cmd.create('bob'), cmd.delete('bob', 1)],
    absent: ['update-access-key'],
  },
  {
    name: 'both keys old, both active: move onto one to make room',
    user: 'dora',
    keys: [warnAge(85, '2026-12-03', 3), warnAge(80, '2026-12-08', 2)],
    cases: ['free-a-slot-then-replace'],
    facts: [`${K(1)}, created 2026-09-04`, `${K(2)}, created 2026-09-09`],
    steps: [
      `Make room for the new key (IAM allows two keys a user): move whatever uses ${K(1)} to ${K(2)}, then deactivate ${K(1)} and delete it:`,
      'Create a new access key',
      `that uses ${K(2)} to the new key.`,
      `Then deactivate ${K(2)}`,
    ],
    commands: [
      cmd.deactivate('dora', 1),
      cmd.delete('dora', 1),
      cmd.create('dora'),
      cmd.deactivate('dora', 2),
      cmd.delete('dora', 2),
    ],
  },
  {
    name: 'both keys deactivated (a first rollout)',
    user: 'dan',
    keys: [deactivateAge(300, 5), deactivateAge(200, 3)],
    cases: ['free-a-slot-then-replace'],
    facts: [`${K(1)}, created 2026-02-01`, `${K(2)}, created 2026-05-12`],
    steps: [
      `Delete ${K(1)}, which cannot be used again`,
      'Create a new access key',
      `that used ${K(1)} and ${K(2)} to the new key.`,
      `Delete ${K(2)}:`,
    ],
    commands: [cmd.delete('dan', 1), cmd.create('dan'), cmd.delete('dan', 2)],
  },
  {
    name: 'warned by the unused rule, never used (heidi)',
    user: 'heidi',
    keys: [
      {
        action: 'warn',
        more: { rule: 'unused', ageDays: 38, lastUsedDate: null, deactivationDate: '2026-12-04' },
      },
    ],
    cases: ['unused'],
    facts: [
      `${K(1)}, created 2026-10-21, has never been used: it will be deactivated on or after 2026-12-04 unless it is used before then (keys unused for 45 days are deactivated).`,
    ],
    steps: [
      `If nothing needs ${K(1)}, delete it:`,
      'If something does need it, use it before its deactivation date: it then stays active.',
    ],
    commands: [cmd.delete('heidi', 1)],
    absent: ['create-access-key', 'rotate', 'Switch'],
  },
  {
    name: 'deactivated by the unused rule (grace)',
    user: 'grace',
    keys: [{ action: 'deactivate', more: { rule: 'unused', ageDays: 57, ...used(53) } }],
    cases: ['unused'],
    facts: [
      `${K(1)}, created 2026-10-02, was deactivated today: it had not been used since 2026-10-06, and keys unused for 45 days are deactivated.`,
    ],
    steps: [
      `Nothing was using ${K(1)}, so delete it:`,
      'If something does still need a key, create a new one once the old one is deleted:',
    ],
    commands: [cmd.delete('grace', 1), cmd.create('grace')],
  },
  {
    name: 'deleted (erin)',
    user: 'erin',
    keys: [{ action: 'delete', more: { ageDays: 316, ...used(272) } }],
    cases: ['deleted'],
    facts: [
      `${K(1)}, created 2026-01-16, last used 2026-03-01, was deleted today: it was inactive, and the policy deletes a key once keysweep has seen it inactive for 180 days. This cannot be undone.`,
    ],
    steps: ['Nothing to do, unless something still needs a key: then create a new one:'],
    commands: [cmd.create('erin')],
    absent: ['delete-access-key', 'list-access-keys'],
  },
  {
    name: 'deleted, the other key active',
    user: 'eve',
    keys: [{ action: 'delete', more: { ageDays: 200, ...used(190) } }, young(30, 1)],
    cases: ['deleted'],
    facts: ['was deleted today', `Your other key, ${K(2)}, created 2026-10-29`],
    steps: [
      `Nothing to do. If something still needs a key, use your other key, ${K(2)}, or create a new one:`,
    ],
    commands: [cmd.create('eve')],
  },
  {
    name: 'to be deleted: a deletion warning',
    user: 'fay',
    keys: [
      {
        action: 'warn',
        more: {
          rule: 'delete',
          status: 'Inactive',
          ageDays: 170,
          deactivationDate: null,
          deletionDate: '2026-12-10',
          ...used(100),
        },
      },
    ],
    cases: ['deletion-warning'],
    facts: [
      `${K(1)}, created 2026-06-11, last used 2026-08-20, is inactive and will be deleted on or after 2026-12-10: the policy deletes a key once keysweep has seen it inactive for 180 days.`,
    ],
    steps: [
      `Nothing needs doing for ${K(1)}: it is inactive, so nothing can be using it. To delete it sooner:`,
      'If it must be kept, ask the admins (below) before its deletion date.',
    ],
    commands: [cmd.delete('fay', 1)],
    absent: ['create-access-key', 'deactivated'],
  },
];

/** The user's entries as the report holds them after the run (changes done). */
export function entriesOf(c: OwnerEmailCase): ReportEntry[] {
  const keys = c.keys.map((k, i) => record(c.user, i + 1, k.action, k.more));
  const files = [decisionsFile(0, keys)];
  const results = keys
    .filter((k) => k.action === 'deactivate' || k.action === 'delete')
    .map((k) => result(k, { result: 'done' }));
  return buildReport({
    run: testRun(),
    plan: planOf(files),
    decisions: files,
    results: new Map(results.map((r) => [resultKey(r.userName, r.accessKeyId), r])),
    sweepError: null,
    config: OWNER_CONFIG,
    finishedAt: NOW,
  }).entries;
}
