/**
 * What one key owner is told and asked to do, decided from all of the user's keys in the report
 * (the notified ones and the others), as plain sentences and commands; render-owner-email lays
 * them out. Each fact is said once: a key's dates in its own sentence, the steps name keys only.
 *
 * IAM allows two access keys a user, so "create a new key" can be the first step only when the
 * user has a free slot. The cases:
 * - switch-to-other-key: the other key is active and young: switch to it, then retire the old one;
 * - free-a-slot-then-replace: two keys and no young one: delete one that nothing can be using
 *   (inactive, or not used), then create a new key, switch, and retire the old one;
 * - replace-single-key: one key: create a new key, switch, then retire the old one;
 * - unused: a key warned or deactivated by the unused rule: delete it, or use it in time;
 * - deletion-warning: an inactive key will be deleted: nothing needs doing;
 * - deleted: gone for good; how to get a new key if one is needed.
 */
import type { Report, ReportEntry } from './report-model';

export type OwnerPolicy = Pick<
  Report['policy'],
  'deactivateAfterDays' | 'warnBeforeDays' | 'unusedAfterDays' | 'deleteAfterDays'
>;

export type OwnerCase =
  | 'switch-to-other-key'
  | 'free-a-slot-then-replace'
  | 'replace-single-key'
  | 'unused'
  | 'deletion-warning'
  | 'deleted';

export interface Step {
  text: string;
  /** shell commands, each shown on a line of its own */
  commands: string[];
}

export interface OwnerEmailPlan {
  /** one sentence per key of the user: what happened or will happen to it */
  facts: string[];
  steps: Step[];
  cases: OwnerCase[];
  /** a command holds a key ID placeholder, so the email says how to find the full ID */
  needsFullIds: boolean;
}

/** Whether the owner of this entry is told about it. */
export function notifiesOwner(entry: ReportEntry): boolean {
  return (
    entry.action === 'warn' ||
    ((entry.action === 'deactivate' || entry.action === 'delete') && entry.result === 'done')
  );
}

/** Where a command needs a key's full ID: the placeholder, named by the ID's last four characters. */
export const PLACEHOLDER_PREFIX = 'ID_ENDING_';
const placeholder = (entry: ReportEntry) => `${PLACEHOLDER_PREFIX}${entry.maskedAccessKeyId.slice(-4)}`;

export const commands = {
  list: (user: string) => `aws iam list-access-keys --user-name ${user}`,
  create: (user: string) => `aws iam create-access-key --user-name ${user}`,
  deactivate: (user: string, key: ReportEntry) =>
    `aws iam update-access-key --user-name ${user} --access-key-id ${placeholder(key)} --status Inactive`,
  delete: (user: string, key: ReportEntry) =>
    `aws iam delete-access-key --user-name ${user} --access-key-id ${placeholder(key)}`,
};

interface Key {
  entry: ReportEntry;
  /** the key's state once this run's changes are made */
  after: 'Active' | 'Inactive' | 'gone';
}

function afterRun(entry: ReportEntry): Key['after'] {
  if (entry.result === 'done' && entry.action === 'delete') return 'gone';
  if (entry.result === 'done' && entry.action === 'deactivate') return 'Inactive';
  return entry.status;
}

const day = (iso: string) => iso.slice(0, 10);
const id = (key: Key) => key.entry.maskedAccessKeyId;
const ids = (keys: readonly Key[]) => keys.map(id).join(' and ');

/** The last use, as the owner needs it; the credential report's "no use" is left unsaid (it may be hours old). */
function lastUse(entry: ReportEntry): string {
  if (entry.lastUsedDate !== null) return `, last used ${day(entry.lastUsedDate)}`;
  return entry.lastUsedSource === 'iam' ? ', never used' : '';
}

/**
 * What happened or will happen to a notified key. A rule of the policy is stated with the first
 * key it applies to only (`said` remembers), so no sentence repeats another.
 */
function notifiedFact(entry: ReportEntry, policy: OwnerPolicy, said: Set<string>): string {
  const once = (rule: string, text: string) => (said.has(rule) ? '' : (said.add(rule), text));
  const key = entry.maskedAccessKeyId;
  const created = `created ${day(entry.createDate)}`;
  const deleteRule =
    policy.deleteAfterDays === null
      ? ''
      : `the policy deletes a key once keysweep has seen it inactive for ${policy.deleteAfterDays} days`;
  const date = (d: string | null) => d ?? 'a day soon';
  if (entry.action === 'delete') {
    return `${key}, ${created}${lastUse(entry)}, was deleted today: it was inactive${deleteRule ? once('delete', `, and ${deleteRule}`) : ''}. This cannot be undone.`;
  }
  if (entry.rule === 'delete') {
    return `${key}, ${created}${lastUse(entry)}, is inactive and will be deleted on or after ${date(entry.deletionDate)}${deleteRule ? once('delete', `: ${deleteRule}`) : ''}.`;
  }
  if (entry.rule === 'unused') {
    const unusedRule = `keys unused for ${policy.unusedAfterDays ?? '?'} days are deactivated`;
    if (entry.action === 'deactivate') {
      const since =
        entry.lastUsedDate === null
          ? 'it had never been used'
          : `it had not been used since ${day(entry.lastUsedDate)}`;
      return `${key}, ${created}, was deactivated today: ${since}${once('unused', `, and ${unusedRule}`)}.`;
    }
    const use =
      entry.lastUsedDate === null ? 'has never been used' : `was last used ${day(entry.lastUsedDate)}`;
    return `${key}, ${created}, ${use}: it will be deactivated on or after ${date(entry.deactivationDate)} unless it is used before then${once('unused', ` (${unusedRule})`)}.`;
  }
  if (entry.action === 'deactivate') {
    return `${key}, ${created}${lastUse(entry)}, was deactivated today at ${entry.ageDays} days old${once('age', `; the limit is ${policy.deactivateAfterDays} days`)}.`;
  }
  return `${key}, ${created}${lastUse(entry)}, will be deactivated on or after ${date(entry.deactivationDate)}${once('age', `, when it is ${policy.deactivateAfterDays} days old`)}.`;
}

function otherFact(key: Key, keyCount: number): string {
  const e = key.entry;
  const which = `${keyCount === 2 ? 'Your other key' : 'Your key'}, ${e.maskedAccessKeyId}, created ${day(e.createDate)}`;
  if ((e.action === 'deactivate' || e.action === 'delete') && e.result !== 'done') {
    const verb = e.action === 'deactivate' ? 'deactivated' : 'deleted';
    return `${which}, was due to be ${verb} but was not changed today; the admins have the details.`;
  }
  if (e.action === 'exempt') return `${which}, is exempt: ${e.exemption?.description ?? 'by the admins'}.`;
  return e.status === 'Active'
    ? `${which}${lastUse(e)}, is active and in good standing.`
    : `${which}, is inactive; keysweep did not change it.`;
}

/** Retires an old key: an active one is deactivated first, so whatever still uses it shows itself. */
function retire(user: string, key: Key): Step {
  return key.after === 'Active'
    ? {
        text: `Then deactivate ${id(key)}, and once nothing has failed for a day or so, delete it:`,
        commands: [commands.deactivate(user, key.entry), commands.delete(user, key.entry)],
      }
    : { text: `Delete ${id(key)}:`, commands: [commands.delete(user, key.entry)] };
}

function switchTo(keys: readonly Key[], target: string): Step {
  const dead = keys.filter((k) => k.after !== 'Active');
  const live = keys.filter((k) => k.after === 'Active');
  const what = [...(dead.length ? [`used ${ids(dead)}`] : []), ...(live.length ? [`uses ${ids(live)}`] : [])];
  return {
    text: `Switch every application, script and profile that ${what.join(' or ')} to ${target}.`,
    commands: [],
  };
}

const ROOM = 'this makes room for the new key (IAM allows two keys a user)';

/** The key to delete first when both slots are taken, and the step that does it. */
function freeSlot(
  user: string,
  present: readonly Key[],
  old: readonly Key[],
): { key: Key; step: Step; moved: Key | null } {
  const deadOld = old.find((k) => k.after === 'Inactive');
  if (deadOld) {
    return {
      key: deadOld,
      moved: null,
      step: {
        text: `Delete ${id(deadOld)}, which cannot be used again; ${ROOM}:`,
        commands: [commands.delete(user, deadOld.entry)],
      },
    };
  }
  const inactive = present.find((k) => k.after === 'Inactive');
  if (inactive) {
    return {
      key: inactive,
      moved: null,
      step: {
        text: `Delete your inactive key ${id(inactive)}: nothing can be using it, and ${ROOM}:`,
        commands: [commands.delete(user, inactive.entry)],
      },
    };
  }
  const unused = present.find((k) => !old.includes(k) && k.entry.rule === 'unused');
  if (unused) {
    return {
      key: unused,
      moved: null,
      step: {
        text: `Delete ${id(unused)}, which is not being used; ${ROOM}:`,
        commands: [commands.delete(user, unused.entry)],
      },
    };
  }
  // Both keys active and both to be replaced: free the one that goes first by moving onto the other.
  const [first, second] = [...present].sort((a, b) =>
    (a.entry.deactivationDate ?? a.entry.createDate).localeCompare(
      b.entry.deactivationDate ?? b.entry.createDate,
    ),
  );
  const a = first ?? present[0];
  const b = second ?? present[1];
  if (a === undefined || b === undefined) throw new Error('freeSlot needs two keys');
  return {
    key: a,
    moved: b,
    step: {
      text: `Make room for the new key (IAM allows two keys a user): move whatever uses ${id(a)} to ${id(b)}, then deactivate ${id(a)} and delete it:`,
      commands: [commands.deactivate(user, a.entry), commands.delete(user, a.entry)],
    },
  };
}

export function planOwnerEmail(
  userName: string,
  entries: readonly ReportEntry[],
  policy: OwnerPolicy,
): OwnerEmailPlan {
  const keys: Key[] = entries.map((entry) => ({ entry, after: afterRun(entry) }));
  const notified = keys.filter((k) => notifiesOwner(k.entry));
  const said = new Set<string>();
  const facts = [
    ...notified.map((k) => notifiedFact(k.entry, policy, said)),
    ...keys.filter((k) => !notifiesOwner(k.entry)).map((k) => otherFact(k, keys.length)),
  ];
  const steps: Step[] = [];
  const cases: OwnerCase[] = [];
  const handled = new Set<Key>();
  const present = keys.filter((k) => k.after !== 'gone');
  /** keys the age rule is retiring: they need a replacement */
  const old = notified.filter((k) => k.entry.rule === 'age');
  const youngAge = policy.deactivateAfterDays - policy.warnBeforeDays;
  const keep = present.find(
    (k) =>
      k.after === 'Active' &&
      !old.includes(k) &&
      (k.entry.action === 'none' ||
        (k.entry.action === 'warn' && k.entry.rule === 'unused' && k.entry.ageDays < youngAge)),
  );
  let newKey = false;

  if (old.length > 0) {
    if (keep) {
      cases.push('switch-to-other-key');
      const step = switchTo(old, `your other key, ${id(keep)}`);
      if (keep.entry.action === 'warn') step.text = step.text.replace(/\.$/, ': using it keeps it active.');
      steps.push(step, ...old.map((k) => retire(userName, k)));
      handled.add(keep);
    } else {
      let toSwitch = old;
      let toRetire = old;
      if (present.length >= 2) {
        cases.push('free-a-slot-then-replace');
        const freed = freeSlot(userName, present, old);
        steps.push(freed.step);
        handled.add(freed.key);
        toRetire = old.filter((k) => k !== freed.key);
        if (freed.moved) {
          toSwitch = [freed.moved];
          toRetire = [freed.moved];
        }
      } else {
        cases.push('replace-single-key');
      }
      steps.push(
        {
          text: 'Create a new access key (the secret it returns is shown only once):',
          commands: [commands.create(userName)],
        },
        switchTo(toSwitch, 'the new key'),
        ...toRetire.map((k) => retire(userName, k)),
      );
      newKey = true;
    }
    for (const k of old) handled.add(k);
  }

  for (const k of notified.filter((n) => n.entry.rule === 'unused' && !handled.has(n))) {
    cases.push('unused');
    if (k.entry.action === 'warn') {
      steps.push(
        { text: `If nothing needs ${id(k)}, delete it:`, commands: [commands.delete(userName, k.entry)] },
        {
          text: 'If something does need it, use it before its deactivation date: it then stays active.',
          commands: [],
        },
      );
      continue;
    }
    steps.push({
      text: `Nothing was using ${id(k)}, so delete it:`,
      commands: [commands.delete(userName, k.entry)],
    });
    if (keep) {
      steps.push({
        text: `If something does still need a key, use your other key, ${id(keep)}.`,
        commands: [],
      });
    } else if (!newKey) {
      steps.push({
        text: 'If something does still need a key, create a new one once the old one is deleted:',
        commands: [commands.create(userName)],
      });
      newKey = true;
    }
  }

  for (const k of notified.filter(
    (n) => n.entry.rule === 'delete' && n.entry.action === 'warn' && !handled.has(n),
  )) {
    cases.push('deletion-warning');
    steps.push(
      {
        text: `Nothing needs doing for ${id(k)}: it is inactive, so nothing can be using it. To delete it sooner:`,
        commands: [commands.delete(userName, k.entry)],
      },
      { text: 'If it must be kept, ask the admins (below) before its deletion date.', commands: [] },
    );
  }

  if (notified.some((k) => k.entry.action === 'delete')) {
    cases.push('deleted');
    if (!newKey) {
      steps.push({
        text: keep
          ? `Nothing to do. If something still needs a key, use your other key, ${id(keep)}, or create a new one:`
          : 'Nothing to do, unless something still needs a key: then create a new one:',
        commands: [commands.create(userName)],
      });
    }
  }

  return {
    facts,
    steps,
    cases,
    needsFullIds: steps.some((s) => s.commands.some((c) => c.includes(PLACEHOLDER_PREFIX))),
  };
}
