/**
 * The credential report of one simulated account, with the traps of the real one (DESIGN.md, "The
 * credential report as a fast path, and its traps"): GenerateCredentialReport answers STARTED,
 * then INPROGRESS, before COMPLETE; GetCredentialReport fails with ReportNotPresent, ReportExpired
 * or ReportInProgress; a report is at most 4 hours old; last_rotated moves on re-activation;
 * slots hold no key IDs; fields may be N/A; the <root_account> row is not a user; users and keys
 * created after generation are missing. User names may hold commas (IAM allows `+=,.@_-`).
 *
 * Quoting: AWS does not document whether the report quotes a field that holds a comma. The
 * simulator assumes RFC 4180 (a field with a comma or a quote is quoted, a quote doubled), the
 * only way such a row keeps its field count; keysweep reads it, and sets aside a row written
 * without quotes, which the `malformedCredentialReportRows` fault writes (with truncated rows).
 */
import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  type GenerateCredentialReportCommandOutput,
  type GetCredentialReportCommandOutput,
} from '@aws-sdk/client-iam';
import type { Faults } from './faults';
import { SIMULATED_LAST_USED_REGION, SIMULATED_LAST_USED_SERVICE, type SimulatedIam } from './iam';

/** A credential report this old (or older) is expired; a younger one is reused by GenerateCredentialReport. */
export const CREDENTIAL_REPORT_MAX_AGE_MS = 4 * 3600 * 1000;

export const CREDENTIAL_REPORT_HEADER = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
].join(',');

const ROOT_CREATE_MS = Date.UTC(2019, 0, 1);
const EMPTY_KEY_SLOT = ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
const NO_CERTS = ['false', 'N/A', 'false', 'N/A'];

type Output<T> = Omit<T, '$metadata'>;

interface Report {
  generatedMs: number;
  csv: string;
}

export class SimulatedCredentialReport {
  private report: Report | undefined;
  private generation: { inProgressLeft: number } | undefined;

  constructor(
    private readonly iam: SimulatedIam,
    private readonly nowMs: number,
    /** how old the report is when the simulation starts, hours */
    ageHours: number,
    /** credentialReportPolls: INPROGRESS answers before a new report is COMPLETE (default 1) */
    private readonly faults: Pick<
      Faults,
      'credentialReportPolls' | 'malformedCredentialReportRows' | 'credentialReportInactiveLastRotated'
    > = {},
  ) {
    this.report = this.build(nowMs - ageHours * 3600 * 1000);
  }

  /** Removes the report, so GetCredentialReport fails with CredentialReportNotPresent. */
  drop(): void {
    this.report = undefined;
    this.generation = undefined;
  }

  generate(): Output<GenerateCredentialReportCommandOutput> {
    if (this.generation) {
      if (this.generation.inProgressLeft > 0) {
        this.generation.inProgressLeft--;
        return { State: 'INPROGRESS', Description: 'The credential report is being generated.' };
      }
      this.generation = undefined;
      this.report = this.build(this.nowMs);
      return { State: 'COMPLETE' };
    }
    if (this.report && this.nowMs - this.report.generatedMs < CREDENTIAL_REPORT_MAX_AGE_MS) {
      return { State: 'COMPLETE' };
    }
    this.generation = { inProgressLeft: Math.max(0, this.faults.credentialReportPolls ?? 1) };
    return {
      State: 'STARTED',
      Description: this.report
        ? 'The existing credential report is older than 4 hours; a new report is being generated.'
        : 'No report exists. Starting a new report generation task',
    };
  }

  get(): Output<GetCredentialReportCommandOutput> {
    if (this.generation) {
      throw new CredentialReportNotReadyException({
        message: 'Credential report is in progress.',
        $metadata: { httpStatusCode: 404 },
      });
    }
    if (!this.report) {
      throw new CredentialReportNotPresentException({
        message: 'Credential report not present. Call GenerateCredentialReport first.',
        $metadata: { httpStatusCode: 410 },
      });
    }
    if (this.nowMs - this.report.generatedMs >= CREDENTIAL_REPORT_MAX_AGE_MS) {
      throw new CredentialReportExpiredException({
        message: 'Credential report is expired. Call GenerateCredentialReport to generate a new one.',
        $metadata: { httpStatusCode: 410 },
      });
    }
    return {
      Content: new TextEncoder().encode(this.report.csv),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date(this.report.generatedMs),
    };
  }

  /** A user's line, malformed if a fault says so. */
  private rowOf(userName: string, fields: readonly string[]): string {
    switch (this.faults.malformedCredentialReportRows?.[userName]) {
      case 'unquoted':
        return fields.join(',');
      case 'truncated': {
        const line = csvLine(fields);
        return line.slice(0, Math.floor(line.length / 2));
      }
      case undefined:
        return csvLine(fields);
    }
  }

  /**
   * The credential report as AWS would have generated it at `generatedMs`, from the current state:
   * users and keys created later are missing; a key re-activated later was inactive then (its
   * last_rotated N/A, or its createDate when shown); a key last used later shows N/A (its earlier use
   * is unknown).
   */
  private build(generatedMs: number): Report {
    let rootCreateMs = ROOT_CREATE_MS;
    for (const user of this.iam.allUsers()) rootCreateMs = Math.min(rootCreateMs, user.createMs);
    const rows = [CREDENTIAL_REPORT_HEADER];
    rows.push(
      csvLine([
        '<root_account>',
        `arn:aws:iam::${this.iam.accountId}:root`,
        reportDate(rootCreateMs),
        'not_supported',
        'N/A',
        'not_supported',
        'not_supported',
        'false',
        ...EMPTY_KEY_SLOT,
        ...EMPTY_KEY_SLOT,
        ...NO_CERTS,
      ]),
    );
    for (const name of this.iam.namesInOrder()) {
      const user = this.iam.user(name);
      if (!user || user.createMs > generatedMs) continue;
      const keys = user.keys
        .filter((k) => k.createMs <= generatedMs)
        .sort((a, b) => a.createMs - b.createMs || (a.accessKeyId < b.accessKeyId ? -1 : 1));
      const slots = [keys[0], keys[1]].map((key) => {
        if (!key) return EMPTY_KEY_SLOT;
        const reactivatedLater = key.activatedMs !== undefined && key.activatedMs > generatedMs;
        const active = key.status === 'Active' && !reactivatedLater;
        const rotatedMs = key.activatedMs !== undefined && !reactivatedLater ? key.activatedMs : key.createMs;
        const rotated =
          active || this.faults.credentialReportInactiveLastRotated === 'shown'
            ? reportDate(rotatedMs)
            : 'N/A';
        const used =
          key.lastUsedMs !== undefined && key.lastUsedMs <= generatedMs ? key.lastUsedMs : undefined;
        return [
          String(active),
          rotated,
          used === undefined ? 'N/A' : reportDate(used),
          used === undefined ? 'N/A' : SIMULATED_LAST_USED_REGION,
          used === undefined ? 'N/A' : SIMULATED_LAST_USED_SERVICE,
        ];
      });
      const fields = [
        user.userName,
        user.arn,
        reportDate(user.createMs),
        'false',
        'N/A',
        'N/A',
        'N/A',
        'false',
        ...(slots[0] as string[]),
        ...(slots[1] as string[]),
        ...NO_CERTS,
      ];
      rows.push(this.rowOf(user.userName, fields));
    }
    return { generatedMs, csv: rows.join('\n') };
  }
}

/** One RFC 4180 line: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

/** A credential-report date: ISO 8601 to the second with an explicit +00:00 offset, as AWS writes it. */
function reportDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
