/**
 * What a run left behind, gathered the same way from moto (through the SDK and moto_host.py) and
 * from the simulated account, in a form the two can be compared in: key IDs masked (a failing
 * diff prints no full ID) and what may rightly differ evened out (see `comparableObject`).
 */
import { redactAccessKeyIds, maskAccessKeyId } from '../../functions/shared/masking';
import { layout } from '../../functions/shared/report-layout';
import type { Report } from '../../functions/send-report/report-model';
import { LOCAL_BUCKET, type SweepExecution } from '../../local/execute-sweep';
import type { WorkflowRun } from '../../local/run-workflow';
import type { AccountFile } from '../../local/simulated-account';
import { listMotoObjects, readMotoKeys, readMotoObject, sentEmails, type MotoClients } from './moto-account';
import type { MotoHost } from './moto-host';

export interface SweepOutcome {
  status: SweepExecution['status'];
  /** the execution's error, IDs masked */
  error: string | null;
  report: Report;
  /** each key's status after the run, by `keyLabel`; a deleted key is missing */
  keys: Record<string, string>;
  /** every object in the report bucket, by key, made comparable */
  objects: Record<string, unknown>;
  /** each message sent: envelope and HTML body, IDs masked, sorted */
  emails: string[];
}

/** A key as the console may show it: owner and masked ID. */
export const keyLabel = (userName: string, accessKeyId: string) =>
  `${userName} ${maskAccessKeyId(accessKeyId)}`;

/** What a run decided and did about each key, by label. */
export function decisionsByKey(outcome: SweepOutcome): Record<string, string> {
  return Object.fromEntries(
    outcome.report.entries.map((e) => [
      keyLabel(e.userName, e.accessKeyId),
      `${e.action}/${e.rule}/${e.result}${e.detail ? ` (${e.detail})` : ''}`,
    ]),
  );
}

export function keyStatuses(file: AccountFile): Record<string, string> {
  return Object.fromEntries(
    file.users.flatMap((user) =>
      (user.accessKeys ?? []).map((key) => [keyLabel(user.userName, key.accessKeyId), key.status]),
    ),
  );
}

/** Fields that hold the real time a run ended, which differs between any two runs. */
const WALL_CLOCK_FIELDS = new Set(['finishedAt', 'updatedAt']);

const isUserRecord = (value: unknown): value is { userName: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { userName?: unknown }).userName === 'string';

/**
 * An object of the report bucket as the comparison sees it. Besides the wall-clock times:
 * - moto's GetCredentialReport always says GeneratedTime 2015-02-02T20:02:02Z, so the time a
 *   report was generated is left out (keysweep only records it: the SDK's Generate/Get cycle is
 *   what keeps a report at most 4 hours old in AWS).
 * - moto lists users in creation order, the simulated account in name order (AWS documents no
 *   order): lists of users compare as sets, each user's keys in their order.
 */
/** The report's generation time is moto's fixed date there (see comparableObject): left out. */
const withoutReportTime = (text: string) =>
  text.replace(/credential report of \d{4}-\d\d-\d\dT[\d:.]+Z/g, 'credential report of <generated>');

export function comparableObject(key: string, text: string): unknown {
  const redacted = withoutReportTime(redactAccessKeyIds(text));
  if (!key.endsWith('.json')) return redacted;
  return JSON.parse(redacted, (field, value: unknown) => {
    if (WALL_CLOCK_FIELDS.has(field) && typeof value === 'string') return '<wall clock>';
    if (field === 'credentialReportGeneratedAt' && typeof value === 'string') return '<generated>';
    if (Array.isArray(value) && value.length > 1 && value.every(isUserRecord)) {
      return [...value].sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0));
    }
    return value;
  }) as unknown;
}

const envelope = (from: string, to: readonly string[], subject: string, html: string) =>
  withoutReportTime(redactAccessKeyIds(`${from} → ${[...to].sort().join(', ')}: ${subject}\n${html}`));

const errorText = (error: SweepExecution['error']) =>
  error === null ? null : redactAccessKeyIds(`${error.Error}: ${error.Cause}`);

function reportOf(objects: Record<string, string>, prefix: string): Report {
  const text = objects[layout.report(prefix)];
  if (text === undefined) throw new Error(`the run stored no ${layout.report(prefix)}`);
  return JSON.parse(text) as Report;
}

/** What a run against moto left there. `emailsBefore`: messages moto had already sent before the run. */
export async function motoOutcome(
  execution: SweepExecution,
  prefix: string,
  moto: MotoHost,
  clients: MotoClients,
  emailsBefore: number,
): Promise<SweepOutcome> {
  const raw: Record<string, string> = {};
  for (const key of await listMotoObjects(clients.s3, LOCAL_BUCKET, ''))
    raw[key] = (await readMotoObject(clients.s3, LOCAL_BUCKET, key)) ?? '';
  const keys = await readMotoKeys(clients.iam);
  const emails = (await sentEmails(moto, clients.region)).slice(emailsBefore);
  return {
    status: execution.status,
    error: errorText(execution.error),
    report: reportOf(raw, prefix),
    keys: Object.fromEntries([...keys].map(([id, key]) => [keyLabel(key.userName, id), key.status])),
    objects: Object.fromEntries(Object.entries(raw).map(([key, text]) => [key, comparableObject(key, text)])),
    emails: emails.map((m) => envelope(m.source, m.destinations.ToAddresses ?? [], m.subject, m.body)).sort(),
  };
}

/** What a run left in the simulated account. */
export function simulatedOutcome(run: WorkflowRun, prefix: string): SweepOutcome {
  const raw = Object.fromEntries(
    run.account
      .listObjectKeys(LOCAL_BUCKET)
      .map((key) => [key, run.account.getObjectText(LOCAL_BUCKET, key) ?? '']),
  );
  return {
    status: run.status,
    error: errorText(run.error),
    report: reportOf(raw, prefix),
    keys: keyStatuses(run.account.toAccountFile()),
    objects: Object.fromEntries(Object.entries(raw).map(([key, text]) => [key, comparableObject(key, text)])),
    // moto keeps the HTML body of a message that has one; so does this comparison.
    emails: run.emails.map((m) => envelope(m.from, m.to, m.subject, m.html)).sort(),
  };
}
