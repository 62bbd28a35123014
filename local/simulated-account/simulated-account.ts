/**
 * A simulated AWS account for tests, `npm start` and the benchmark: stateful IAM (iam.ts) with
 * its credential report (credential-report.ts), in-memory S3 (s3.ts) and a capturing SES
 * (ses.ts), wired into every IAMClient/S3Client/SESClient instance through aws-sdk-client-mock
 * (which stubs the clients' prototype `send`, so module-scope clients in the handlers are
 * covered too), with optional faults (faults.ts). See "Running it locally" and "The credential
 * report as a fast path, and its traps" in DESIGN.md.
 *
 * Deliberate behaviours worth knowing:
 * - The clock is fixed at `options.now`; nothing ages during a run.
 * - Calls bypass the SDK middleware (aws-sdk-client-mock replaces `send`), so there are no SDK
 *   retries: a throttled call fails straight to the caller, which must retry itself.
 * - IAM errors are the SDK's own exception classes (NoSuchEntityException, ...); Throttling is an
 *   IAMServiceException named 'Throttling', as SDK v3 surfaces IAM's unmodelled Throttling code.
 * - SES down: SendEmail rejects with an SESServiceException named 'ServiceUnavailable' (HTTP 503,
 *   `$fault: 'server'`), which is what SDK v3 surfaces for SES's unmodelled ServiceUnavailable code.
 * - GetCredentialReport's Content is a plain Uint8Array (as the SDK returns it), not a Buffer:
 *   decode it with TextDecoder or Buffer.from(content).toString('utf8').
 * - A command the simulator does not implement rejects with an Error that says so.
 */
import {
  DeleteAccessKeyCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import type { AccountFile } from './account-file';
import { SimulatedCredentialReport } from './credential-report';
import { FaultInjector, type Faults } from './faults';
import { SimulatedIam } from './iam';
import { SimulatedS3 } from './s3';
import { SimulatedSes, type SentEmail } from './ses';

export type SimulatedService = 'IAM' | 'S3' | 'SES';

export interface SimulatedCall {
  service: SimulatedService;
  operation: string;
  input: Record<string, unknown>;
  outcome: 'ok' | 'error';
  /** The error's name (e.g. 'NoSuchEntityException', 'Throttling') when outcome is 'error'. */
  error?: string;
}

export interface SimulatedAccountOptions {
  now: Date;
  faults?: Faults;
  /** Most users one ListUsers page holds even when MaxItems is larger (default 100). */
  listUsersPageSize?: number;
}

export const SIMULATED_ACCOUNT_ID = '123456789012';

interface DispatchStub {
  send: {
    callsFake(fn: (command: { input?: object }) => Promise<unknown>): unknown;
    resetHistory(): void;
  };
}

interface Route {
  operation: string;
  handle: (input: object) => object;
}
type Routes = Map<unknown, Route>;

/** Routes an SDK command class to its handler. */
function route<I extends object>(
  routes: Routes,
  command: abstract new (...args: never[]) => { input: I },
  operation: string,
  handle: (input: I) => object,
): void {
  routes.set(command, { operation, handle: handle as (input: object) => object });
}

/** The simulated account. `install()` wires it into the SDK clients; `uninstall()` restores them. */
export class SimulatedAccount {
  readonly calls: SimulatedCall[] = [];
  readonly iam: SimulatedIam;
  readonly credentialReport: SimulatedCredentialReport;
  readonly s3: SimulatedS3;
  readonly ses: SimulatedSes;

  private readonly nowMs: number;
  private readonly faults: FaultInjector;
  private readonly accountNow: string | undefined;
  private readonly credentialReportAgeHours: number | undefined;
  private readonly counts = new Map<string, number>();
  private mocks: { restore(): void }[] = [];

  constructor(account: AccountFile, options: SimulatedAccountOptions) {
    this.nowMs = options.now.getTime();
    if (!Number.isFinite(this.nowMs)) throw new Error('SimulatedAccount: options.now is not a valid date');
    this.faults = new FaultInjector(options.faults ?? {});
    const pageSize = options.listUsersPageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new Error(`SimulatedAccount: listUsersPageSize must be a positive integer (got ${pageSize})`);
    }
    this.accountNow = account.now;
    this.credentialReportAgeHours = account.credentialReportAgeHours;
    this.iam = new SimulatedIam(SIMULATED_ACCOUNT_ID, account.users, this.nowMs, pageSize);
    this.credentialReport = new SimulatedCredentialReport(
      this.iam,
      this.nowMs,
      this.credentialReportAgeHours ?? 0,
      options.faults?.credentialReportPolls ?? 1,
    );
    this.s3 = new SimulatedS3(this.nowMs);
    this.ses = new SimulatedSes();
  }

  // ---------------------------------------------------------------- wiring

  install(): this {
    this.uninstall();
    const iam = mockClient(IAMClient);
    const s3 = mockClient(S3Client);
    const ses = mockClient(SESClient);
    this.mocks = [iam, s3, ses];

    // One fake per client dispatching on the SDK command class. (`mock.on(Command)` once per
    // command costs sinon a deep argument match against every registered command on every call,
    // about half a millisecond a call under jest; a run makes tens of thousands of calls.)
    const iamRoutes: Routes = new Map();
    route(iamRoutes, ListUsersCommand, 'ListUsers', (i) => this.iam.listUsers(i));
    route(iamRoutes, ListAccessKeysCommand, 'ListAccessKeys', (i) => this.iam.listAccessKeys(i));
    route(iamRoutes, ListUserTagsCommand, 'ListUserTags', (i) => this.iam.listUserTags(i));
    route(iamRoutes, ListGroupsForUserCommand, 'ListGroupsForUser', (i) => this.iam.listGroupsForUser(i));
    route(iamRoutes, GetAccessKeyLastUsedCommand, 'GetAccessKeyLastUsed', (i) =>
      this.iam.getAccessKeyLastUsed(i),
    );
    route(iamRoutes, UpdateAccessKeyCommand, 'UpdateAccessKey', (i) => this.iam.updateAccessKey(i));
    route(iamRoutes, DeleteAccessKeyCommand, 'DeleteAccessKey', (i) => this.iam.deleteAccessKey(i));
    route(iamRoutes, GenerateCredentialReportCommand, 'GenerateCredentialReport', () =>
      this.credentialReport.generate(),
    );
    route(iamRoutes, GetCredentialReportCommand, 'GetCredentialReport', () => this.credentialReport.get());

    const s3Routes: Routes = new Map();
    route(s3Routes, PutObjectCommand, 'PutObject', (i) => this.s3.putObject(i));
    route(s3Routes, GetObjectCommand, 'GetObject', (i) => this.s3.getObject(i));
    route(s3Routes, HeadObjectCommand, 'HeadObject', (i) => this.s3.headObject(i));
    route(s3Routes, ListObjectsV2Command, 'ListObjectsV2', (i) => this.s3.listObjectsV2(i));
    route(s3Routes, DeleteObjectCommand, 'DeleteObject', (i) => this.s3.deleteObject(i));

    const sesRoutes: Routes = new Map();
    route(sesRoutes, SendEmailCommand, 'SendEmail', (i) => this.ses.sendEmail(i));

    this.dispatch('IAM', iam, iamRoutes);
    this.dispatch('S3', s3, s3Routes);
    this.dispatch('SES', ses, sesRoutes);
    return this;
  }

  uninstall(): void {
    for (const mock of this.mocks) mock.restore();
    this.mocks = [];
  }

  // ---------------------------------------------------------------- inspection and test helpers

  get emails(): SentEmail[] {
    return this.ses.emails;
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  getObjectText(bucket: string, key: string): string | undefined {
    return this.s3.getObjectText(bucket, key);
  }

  putObjectText(bucket: string, key: string, body: string): void {
    this.s3.putObjectText(bucket, key, body);
  }

  /** Keys in a bucket, sorted, optionally only those starting with `prefix`. */
  listObjectKeys(bucket: string, prefix = ''): string[] {
    return this.s3.listObjectKeys(bucket, prefix);
  }

  /** The account as it is now, in the account-file format (users in their original order). */
  toAccountFile(): AccountFile {
    const file: AccountFile = { users: this.iam.toAccountUsers() };
    if (this.accountNow !== undefined) file.now = this.accountNow;
    if (this.credentialReportAgeHours !== undefined)
      file.credentialReportAgeHours = this.credentialReportAgeHours;
    return file;
  }

  /** Removes a user and its keys (no call recorded). A user already gone is left alone. */
  deleteUser(userName: string): void {
    this.iam.deleteUser(userName);
  }

  /**
   * Sets a key's status directly (no call recorded). Re-activating an Inactive key sets its
   * activatedDate to now, as UpdateAccessKey does. Throws on an unknown user or key.
   */
  setKeyStatus(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): void {
    this.iam.setKeyStatus(userName, accessKeyId, status);
  }

  hasUser(userName: string): boolean {
    return this.iam.hasUser(userName);
  }

  /** Removes the credential report, so GetCredentialReport fails with CredentialReportNotPresent. */
  dropCredentialReport(): void {
    this.credentialReport.drop();
  }

  /** The simulator's clock (fixed for its lifetime). */
  get now(): Date {
    return new Date(this.nowMs);
  }

  // ---------------------------------------------------------------- call plumbing

  /** Makes the stub answer every command through `routes`; a command not in it is rejected as unsupported. */
  private dispatch(service: SimulatedService, stub: DispatchStub, routes: Routes): void {
    let sinceReset = 0;
    stub.send.callsFake((command) => {
      // sinon keeps every call's arguments, result and an Error for its stack: forget them now and
      // then to bound memory (after sinon has finished recording this call).
      if (++sinceReset >= 1000) {
        sinceReset = 0;
        queueMicrotask(() => stub.send.resetHistory());
      }
      const input = command.input ?? {};
      const found = routes.get(command.constructor);
      if (found) return this.invoke(service, found.operation, input, () => found.handle(input));
      const name = command.constructor.name.replace(/Command$/, '');
      return this.invoke(service, name, input, () => {
        throw new Error(`The simulated account does not support ${service} ${name}`);
      });
    });
  }

  private invoke<I extends object, O extends object>(
    service: SimulatedService,
    operation: string,
    input: I,
    handler: () => O,
  ): Promise<O & { $metadata: { httpStatusCode: number } }> {
    const recorded = input as unknown as Record<string, unknown>;
    const dead = this.faults.deadCall(); // made by a Lambda invocation that timed out (faults.ts)
    if (dead) return dead;
    try {
      this.faults.faults.beforeCall?.({ service, operation, input: recorded }, this);
      this.faults.check(service, operation);
      const output = handler();
      this.record(service, operation, recorded, 'ok', undefined);
      const timedOut = this.faults.afterCall({ service, operation, input: recorded }, this);
      if (timedOut) return timedOut;
      return Promise.resolve({ ...output, $metadata: { httpStatusCode: 200 } });
    } catch (err) {
      this.record(service, operation, recorded, 'error', err instanceof Error ? err.name : String(err));
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private record(
    service: SimulatedService,
    operation: string,
    input: Record<string, unknown>,
    outcome: 'ok' | 'error',
    error: string | undefined,
  ): void {
    const call: SimulatedCall = { service, operation, input, outcome };
    if (error !== undefined) call.error = error;
    this.calls.push(call);
    const name = `${service}.${operation}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}
