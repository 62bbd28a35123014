/**
 * A simulated AWS account for tests, `npm start` and the benchmark: stateful IAM, in-memory S3 and
 * a capturing SES, wired into every IAMClient/S3Client/SESClient instance through
 * aws-sdk-client-mock (which stubs the clients' prototype `send`, so module-scope clients in the
 * handlers are covered too). See "Running it locally" and "The credential report as a fast path,
 * and its traps" in DESIGN.md.
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
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  DeleteAccessKeyCommand,
  type DeleteAccessKeyCommandInput,
  GenerateCredentialReportCommand,
  type GenerateCredentialReportCommandOutput,
  GetAccessKeyLastUsedCommand,
  type GetAccessKeyLastUsedCommandInput,
  type GetAccessKeyLastUsedCommandOutput,
  GetCredentialReportCommand,
  type GetCredentialReportCommandOutput,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  type ListAccessKeysCommandInput,
  type ListAccessKeysCommandOutput,
  ListGroupsForUserCommand,
  type ListGroupsForUserCommandInput,
  type ListGroupsForUserCommandOutput,
  ListUserTagsCommand,
  type ListUserTagsCommandInput,
  type ListUserTagsCommandOutput,
  ListUsersCommand,
  type ListUsersCommandInput,
  type ListUsersCommandOutput,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type UpdateAccessKeyCommandInput,
} from '@aws-sdk/client-iam';
import {
  DeleteObjectCommand,
  type DeleteObjectCommandInput,
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandInput,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  SendEmailCommand,
  type SendEmailCommandInput,
  type SendEmailCommandOutput,
  SESClient,
  SESServiceException,
} from '@aws-sdk/client-ses';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import type { AccountFile, AccountKey, AccountUser } from './account-file';
import { mulberry32 } from './prng';

export type SimulatedService = 'IAM' | 'S3' | 'SES';

export interface SimulatedCall {
  service: SimulatedService;
  operation: string;
  input: Record<string, unknown>;
  outcome: 'ok' | 'error';
  /** The error's name (e.g. 'NoSuchEntityException', 'Throttling') when outcome is 'error'. */
  error?: string;
}

export interface SentEmail {
  from: string;
  /** Destination.ToAddresses. */
  to: string[];
  /** Destination.CcAddresses, when any. */
  cc?: string[];
  /** Destination.BccAddresses, when any. */
  bcc?: string[];
  subject: string;
  html: string;
  text: string;
}

export interface Faults {
  /** Fraction (0..1) of IAM calls that throw a Throttling error, deterministic from `seed`. */
  throttleRate?: number;
  /** PRNG seed for throttling (default 1). */
  seed?: number;
  /** Every SES SendEmail rejects with 'ServiceUnavailable'. */
  sesDown?: boolean;
  /**
   * When a new credential report is generated, GenerateCredentialReport answers STARTED, then
   * INPROGRESS this many times, then COMPLETE (default 1).
   */
  credentialReportPolls?: number;
  /** Runs before every call (IAM, S3, SES), before throttling; may mutate the account. */
  beforeCall?: (
    call: { service: SimulatedService; operation: string; input: Record<string, unknown> },
    account: SimulatedAccount,
  ) => void;
}

export interface SimulatedAccountOptions {
  now: Date;
  faults?: Faults;
  /** Most users one ListUsers page holds even when MaxItems is larger (default 100). */
  listUsersPageSize?: number;
}

export const SIMULATED_ACCOUNT_ID = '123456789012';
/** Region and service reported for a key that has been used (the account file records only the date). */
export const SIMULATED_LAST_USED_REGION = 'us-east-1';
export const SIMULATED_LAST_USED_SERVICE = 's3';
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

const DEFAULT_USER_CREATE_MS = Date.UTC(2020, 0, 1);
const ROOT_CREATE_MS = Date.UTC(2019, 0, 1);
const GROUP_CREATE_MS = Date.UTC(2020, 0, 1);
const MAX_ITEMS_LIMIT = 1000;

interface KeyState {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  createMs: number;
  lastUsedDate?: string;
  lastUsedMs?: number;
  activatedDate?: string;
  activatedMs?: number;
}

interface UserState {
  userName: string;
  userId: string;
  arn: string;
  createMs: number;
  /** The user as the account file gave it (for toAccountFile); keys live in `keys`. */
  source: AccountUser;
  tags: Record<string, string>;
  groups: string[];
  keys: KeyState[];
}

interface S3Object {
  body: Buffer;
  contentType?: string;
  lastModified: Date;
  etag: string;
}

interface CredentialReport {
  generatedMs: number;
  csv: string;
}

type Output<T> = Omit<T, '$metadata'>;

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
  readonly emails: SentEmail[] = [];

  private readonly nowMs: number;
  private readonly faults: Faults;
  private readonly listUsersPageSize: number;
  private readonly accountNow: string | undefined;
  private readonly credentialReportAgeHours: number | undefined;
  private readonly users = new Map<string, UserState>();
  private readonly keyIndex = new Map<string, { user: UserState; key: KeyState }>();
  private sortedNames: string[] | undefined;
  private readonly counts = new Map<string, number>();
  private readonly random: () => number;
  private readonly buckets = new Map<string, Map<string, S3Object>>();
  private report: CredentialReport | undefined;
  private generation: { inProgressLeft: number } | undefined;
  private mocks: { restore(): void }[] = [];
  private messageCount = 0;

  constructor(account: AccountFile, options: SimulatedAccountOptions) {
    this.nowMs = options.now.getTime();
    if (!Number.isFinite(this.nowMs)) throw new Error('SimulatedAccount: options.now is not a valid date');
    this.faults = options.faults ?? {};
    const rate = this.faults.throttleRate ?? 0;
    if (!(rate >= 0 && rate <= 1))
      throw new Error(`SimulatedAccount: throttleRate must be in 0..1 (got ${rate})`);
    this.listUsersPageSize = options.listUsersPageSize ?? 100;
    if (!Number.isInteger(this.listUsersPageSize) || this.listUsersPageSize < 1) {
      throw new Error(
        `SimulatedAccount: listUsersPageSize must be a positive integer (got ${this.listUsersPageSize})`,
      );
    }
    this.random = mulberry32(this.faults.seed ?? 1);
    this.accountNow = account.now;
    this.credentialReportAgeHours = account.credentialReportAgeHours;

    for (const user of account.users) {
      if (this.users.has(user.userName)) throw new Error(`SimulatedAccount: duplicate user ${user.userName}`);
      const keys = (user.accessKeys ?? []).map(toKeyState);
      const createMs =
        user.createDate !== undefined
          ? parseDate(user.createDate)
          : keys.length > 0
            ? Math.min(...keys.map((k) => k.createMs))
            : DEFAULT_USER_CREATE_MS;
      const state: UserState = {
        userName: user.userName,
        userId: `AIDA${idChars(user.userName, 17)}`,
        arn: `arn:aws:iam::${SIMULATED_ACCOUNT_ID}:user/${user.userName}`,
        createMs,
        source: user,
        tags: { ...user.tags },
        groups: [...(user.groups ?? [])],
        keys,
      };
      this.users.set(user.userName, state);
      for (const key of keys) {
        if (this.keyIndex.has(key.accessKeyId)) {
          throw new Error(`SimulatedAccount: duplicate access key ${key.accessKeyId}`);
        }
        this.keyIndex.set(key.accessKeyId, { user: state, key });
      }
    }

    const ageMs = (this.credentialReportAgeHours ?? 0) * 3600 * 1000;
    this.report = this.buildReport(this.nowMs - ageMs);
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
    route(iamRoutes, ListUsersCommand, 'ListUsers', (i) => this.listUsers(i));
    route(iamRoutes, ListAccessKeysCommand, 'ListAccessKeys', (i) => this.listAccessKeys(i));
    route(iamRoutes, ListUserTagsCommand, 'ListUserTags', (i) => this.listUserTags(i));
    route(iamRoutes, ListGroupsForUserCommand, 'ListGroupsForUser', (i) => this.listGroupsForUser(i));
    route(iamRoutes, GetAccessKeyLastUsedCommand, 'GetAccessKeyLastUsed', (i) =>
      this.getAccessKeyLastUsed(i),
    );
    route(iamRoutes, UpdateAccessKeyCommand, 'UpdateAccessKey', (i) => this.updateAccessKey(i));
    route(iamRoutes, DeleteAccessKeyCommand, 'DeleteAccessKey', (i) => this.deleteAccessKey(i));
    route(iamRoutes, GenerateCredentialReportCommand, 'GenerateCredentialReport', () =>
      this.generateCredentialReport(),
    );
    route(iamRoutes, GetCredentialReportCommand, 'GetCredentialReport', () => this.getCredentialReport());

    const s3Routes: Routes = new Map();
    route(s3Routes, PutObjectCommand, 'PutObject', (i) => this.s3PutObject(i));
    route(s3Routes, GetObjectCommand, 'GetObject', (i) => this.s3GetObject(i));
    route(s3Routes, HeadObjectCommand, 'HeadObject', (i) => this.s3HeadObject(i));
    route(s3Routes, ListObjectsV2Command, 'ListObjectsV2', (i) => this.s3ListObjectsV2(i));
    route(s3Routes, DeleteObjectCommand, 'DeleteObject', (i) => this.s3DeleteObject(i));

    const sesRoutes: Routes = new Map();
    route(sesRoutes, SendEmailCommand, 'SendEmail', (i) => this.sesSendEmail(i));

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

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  getObjectText(bucket: string, key: string): string | undefined {
    return this.buckets.get(bucket)?.get(key)?.body.toString('utf8');
  }

  putObjectText(bucket: string, key: string, body: string): void {
    this.storeObject(bucket, key, Buffer.from(body, 'utf8'), undefined);
  }

  /** Keys in a bucket, sorted, optionally only those starting with `prefix`. */
  listObjectKeys(bucket: string, prefix = ''): string[] {
    const objects = this.buckets.get(bucket);
    if (!objects) return [];
    return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareStrings);
  }

  /** The account as it is now, in the account-file format (users in their original order). */
  toAccountFile(): AccountFile {
    const users: AccountUser[] = [];
    for (const state of this.users.values()) {
      const { source } = state;
      const user: AccountUser = { userName: state.userName };
      if (source.createDate !== undefined) user.createDate = source.createDate;
      if (source.tags !== undefined) user.tags = { ...state.tags };
      if (source.groups !== undefined) user.groups = [...state.groups];
      if (source.accessKeys !== undefined || state.keys.length > 0) {
        user.accessKeys = state.keys.map((k) => {
          const key: AccountKey = { accessKeyId: k.accessKeyId, status: k.status, createDate: k.createDate };
          if (k.lastUsedDate !== undefined) key.lastUsedDate = k.lastUsedDate;
          if (k.activatedDate !== undefined) key.activatedDate = k.activatedDate;
          return key;
        });
      }
      users.push(user);
    }
    const file: AccountFile = { users };
    if (this.accountNow !== undefined) file.now = this.accountNow;
    if (this.credentialReportAgeHours !== undefined)
      file.credentialReportAgeHours = this.credentialReportAgeHours;
    return file;
  }

  /** Removes a user and its keys (no call recorded). A user already gone is left alone. */
  deleteUser(userName: string): void {
    const user = this.users.get(userName);
    if (!user) return;
    for (const key of user.keys) this.keyIndex.delete(key.accessKeyId);
    this.users.delete(userName);
    this.sortedNames = undefined;
  }

  /**
   * Sets a key's status directly (no call recorded). Re-activating an Inactive key sets its
   * activatedDate to now, as UpdateAccessKey does. Throws on an unknown user or key.
   */
  setKeyStatus(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): void {
    const found = this.keyIndex.get(accessKeyId);
    if (!found || found.user.userName !== userName) {
      throw new Error(`SimulatedAccount.setKeyStatus: user ${userName} has no key ${accessKeyId}`);
    }
    this.applyStatus(found.key, status);
  }

  hasUser(userName: string): boolean {
    return this.users.has(userName);
  }

  /** Removes the credential report, so GetCredentialReport fails with CredentialReportNotPresent. */
  dropCredentialReport(): void {
    this.report = undefined;
    this.generation = undefined;
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
    try {
      this.faults.beforeCall?.({ service, operation, input: recorded }, this);
      const rate = this.faults.throttleRate ?? 0;
      if (service === 'IAM' && rate > 0 && this.random() < rate) {
        throw new IAMServiceException({
          name: 'Throttling',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        });
      }
      const output = handler();
      this.record(service, operation, recorded, 'ok', undefined);
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

  // ---------------------------------------------------------------- IAM

  private listUsers(input: ListUsersCommandInput): Output<ListUsersCommandOutput> {
    const maxItems = checkMaxItems(input.MaxItems);
    const pageSize = Math.min(maxItems, this.listUsersPageSize);
    const names = this.namesInOrder();
    let start = 0;
    if (input.Marker !== undefined) {
      const after = decodeMarker(input.Marker, 'u');
      start = firstIndexAfter(names, after);
    }
    // Every simulated user has the path '/', so a PathPrefix either matches all of them or none.
    if (!'/'.startsWith(input.PathPrefix ?? '/')) return { Users: [], IsTruncated: false };
    const page = names.slice(start, start + pageSize);
    const i = start + page.length;
    const truncated = i < names.length;
    const Users = page.map((name) => {
      const user = this.users.get(name) as UserState;
      return {
        Path: '/',
        UserName: user.userName,
        UserId: user.userId,
        Arn: user.arn,
        CreateDate: new Date(user.createMs),
      };
    });
    const out: Output<ListUsersCommandOutput> = { Users, IsTruncated: truncated };
    if (truncated) out.Marker = encodeMarker('u', names[i - 1] as string);
    return out;
  }

  private listAccessKeys(input: ListAccessKeysCommandInput): Output<ListAccessKeysCommandOutput> {
    const user = this.requireUser(input.UserName, 'ListAccessKeys');
    const { page, IsTruncated, Marker } = paginate(user.keys, input, 'k');
    return {
      AccessKeyMetadata: page.map((k) => ({
        UserName: user.userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createMs),
      })),
      IsTruncated,
      ...(Marker !== undefined ? { Marker } : {}),
    };
  }

  private listUserTags(input: ListUserTagsCommandInput): Output<ListUserTagsCommandOutput> {
    const user = this.requireUser(input.UserName, 'ListUserTags');
    const tags = Object.entries(user.tags).map(([Key, Value]) => ({ Key, Value }));
    const { page, IsTruncated, Marker } = paginate(tags, input, 't');
    return { Tags: page, IsTruncated, ...(Marker !== undefined ? { Marker } : {}) };
  }

  private listGroupsForUser(input: ListGroupsForUserCommandInput): Output<ListGroupsForUserCommandOutput> {
    const user = this.requireUser(input.UserName, 'ListGroupsForUser');
    const groups = user.groups.map((GroupName) => ({
      Path: '/',
      GroupName,
      GroupId: `AGPA${idChars(GroupName, 17)}`,
      Arn: `arn:aws:iam::${SIMULATED_ACCOUNT_ID}:group/${GroupName}`,
      CreateDate: new Date(GROUP_CREATE_MS),
    }));
    const { page, IsTruncated, Marker } = paginate(groups, input, 'g');
    return { Groups: page, IsTruncated, ...(Marker !== undefined ? { Marker } : {}) };
  }

  private getAccessKeyLastUsed(
    input: GetAccessKeyLastUsedCommandInput,
  ): Output<GetAccessKeyLastUsedCommandOutput> {
    const found = input.AccessKeyId === undefined ? undefined : this.keyIndex.get(input.AccessKeyId);
    if (!found) {
      throw noSuchEntity(`The Access Key with id ${String(input.AccessKeyId)} cannot be found.`);
    }
    const { user, key } = found;
    return {
      UserName: user.userName,
      AccessKeyLastUsed:
        key.lastUsedMs === undefined
          ? { ServiceName: 'N/A', Region: 'N/A' }
          : {
              LastUsedDate: new Date(key.lastUsedMs),
              ServiceName: SIMULATED_LAST_USED_SERVICE,
              Region: SIMULATED_LAST_USED_REGION,
            },
    };
  }

  private updateAccessKey(input: UpdateAccessKeyCommandInput): object {
    if (input.Status !== 'Active' && input.Status !== 'Inactive') {
      throw validationError(
        `1 validation error detected: Value '${String(input.Status)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
      );
    }
    const key = this.requireKey(input.UserName, input.AccessKeyId, 'UpdateAccessKey');
    this.applyStatus(key, input.Status);
    return {};
  }

  private deleteAccessKey(input: DeleteAccessKeyCommandInput): object {
    const key = this.requireKey(input.UserName, input.AccessKeyId, 'DeleteAccessKey');
    const found = this.keyIndex.get(key.accessKeyId);
    if (found) found.user.keys = found.user.keys.filter((k) => k !== key);
    this.keyIndex.delete(key.accessKeyId);
    return {};
  }

  private generateCredentialReport(): Output<GenerateCredentialReportCommandOutput> {
    if (this.generation) {
      if (this.generation.inProgressLeft > 0) {
        this.generation.inProgressLeft--;
        return { State: 'INPROGRESS', Description: 'The credential report is being generated.' };
      }
      this.generation = undefined;
      this.report = this.buildReport(this.nowMs);
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

  private getCredentialReport(): Output<GetCredentialReportCommandOutput> {
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

  /**
   * The credential report as AWS would have generated it at `generatedMs`, from the current state:
   * users and keys created later are missing; a key re-activated later was inactive then and its
   * last_rotated was its createDate; a key last used later shows N/A (its earlier use is unknown).
   */
  private buildReport(generatedMs: number): CredentialReport {
    let rootCreateMs = ROOT_CREATE_MS;
    for (const user of this.users.values()) rootCreateMs = Math.min(rootCreateMs, user.createMs);
    const rows = [CREDENTIAL_REPORT_HEADER];
    rows.push(
      [
        '<root_account>',
        `arn:aws:iam::${SIMULATED_ACCOUNT_ID}:root`,
        reportDate(rootCreateMs),
        'not_supported',
        'N/A',
        'not_supported',
        'not_supported',
        'false',
        ...EMPTY_KEY_SLOT,
        ...EMPTY_KEY_SLOT,
        ...NO_CERTS,
      ].join(','),
    );
    for (const name of this.namesInOrder()) {
      const user = this.users.get(name) as UserState;
      if (user.createMs > generatedMs) continue;
      const keys = user.keys
        .filter((k) => k.createMs <= generatedMs)
        .sort((a, b) => a.createMs - b.createMs || compareStrings(a.accessKeyId, b.accessKeyId));
      const slots = [keys[0], keys[1]].map((key) => {
        if (!key) return EMPTY_KEY_SLOT;
        const reactivatedLater = key.activatedMs !== undefined && key.activatedMs > generatedMs;
        const active = key.status === 'Active' && !reactivatedLater;
        const rotatedMs = key.activatedMs !== undefined && !reactivatedLater ? key.activatedMs : key.createMs;
        const used =
          key.lastUsedMs !== undefined && key.lastUsedMs <= generatedMs ? key.lastUsedMs : undefined;
        return [
          String(active),
          reportDate(rotatedMs),
          used === undefined ? 'N/A' : reportDate(used),
          used === undefined ? 'N/A' : SIMULATED_LAST_USED_REGION,
          used === undefined ? 'N/A' : SIMULATED_LAST_USED_SERVICE,
        ];
      });
      rows.push(
        [
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
        ].join(','),
      );
    }
    return { generatedMs, csv: rows.join('\n') };
  }

  private namesInOrder(): string[] {
    this.sortedNames ??= [...this.users.keys()].sort(compareStrings);
    return this.sortedNames;
  }

  private requireUser(userName: string | undefined, operation: string): UserState {
    if (userName === undefined) {
      throw new Error(`The simulated account needs UserName for ${operation} (there is no calling user)`);
    }
    const user = this.users.get(userName);
    if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  private requireKey(
    userName: string | undefined,
    accessKeyId: string | undefined,
    operation: string,
  ): KeyState {
    const user = this.requireUser(userName, operation);
    const key = user.keys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) throw noSuchEntity(`The Access Key with id ${String(accessKeyId)} cannot be found.`);
    return key;
  }

  private applyStatus(key: KeyState, status: 'Active' | 'Inactive'): void {
    if (key.status === 'Inactive' && status === 'Active') {
      key.activatedMs = this.nowMs;
      key.activatedDate = new Date(this.nowMs).toISOString();
    }
    key.status = status;
  }

  // ---------------------------------------------------------------- S3

  private storeObject(bucket: string, key: string, body: Buffer, contentType: string | undefined): S3Object {
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    const object: S3Object = {
      body,
      lastModified: new Date(this.nowMs),
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
    };
    if (contentType !== undefined) object.contentType = contentType;
    objects.set(key, object);
    return object;
  }

  private s3PutObject(input: PutObjectCommandInput): Output<PutObjectCommandOutput> {
    const { bucket, key } = requireBucketKey(input, 'PutObject');
    const body = input.Body;
    let buffer: Buffer;
    if (body === undefined) buffer = Buffer.alloc(0);
    else if (typeof body === 'string') buffer = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) buffer = Buffer.from(body);
    else
      throw new Error('The simulated account accepts only a string, Buffer or Uint8Array as PutObject Body');
    const object = this.storeObject(bucket, key, buffer, input.ContentType);
    return { ETag: object.etag };
  }

  private s3Lookup(input: { Bucket?: string; Key?: string }, operation: string): S3Object | undefined {
    const { bucket, key } = requireBucketKey(input, operation);
    return this.buckets.get(bucket)?.get(key);
  }

  private s3GetObject(input: GetObjectCommandInput): Output<GetObjectCommandOutput> {
    const object = this.s3Lookup(input, 'GetObject');
    if (!object) {
      throw new NoSuchKey({
        message: 'The specified key does not exist.',
        $metadata: { httpStatusCode: 404 },
      });
    }
    return {
      Body: sdkStreamMixin(Readable.from([object.body])),
      ContentLength: object.body.length,
      ContentType: object.contentType ?? 'application/octet-stream',
      ETag: object.etag,
      LastModified: object.lastModified,
    };
  }

  private s3HeadObject(input: HeadObjectCommandInput): Output<HeadObjectCommandOutput> {
    const object = this.s3Lookup(input, 'HeadObject');
    if (!object) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return {
      ContentLength: object.body.length,
      ContentType: object.contentType ?? 'application/octet-stream',
      ETag: object.etag,
      LastModified: object.lastModified,
    };
  }

  private s3ListObjectsV2(input: ListObjectsV2CommandInput): Output<ListObjectsV2CommandOutput> {
    if (!input.Bucket) throw new Error('The simulated account needs Bucket for ListObjectsV2');
    const maxKeys = Math.min(input.MaxKeys ?? 1000, 1000);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw new S3ServiceException({
        name: 'InvalidArgument',
        $fault: 'client',
        message: 'Invalid MaxKeys',
        $metadata: { httpStatusCode: 400 },
      });
    }
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter || undefined;
    let after = input.StartAfter ?? '';
    if (input.ContinuationToken !== undefined) {
      const decoded = decodeToken(input.ContinuationToken);
      if (decoded === undefined) {
        throw new S3ServiceException({
          name: 'InvalidArgument',
          $fault: 'client',
          message: 'The continuation token provided is incorrect',
          $metadata: { httpStatusCode: 400 },
        });
      }
      after = decoded;
    }
    const keys = this.listObjectKeys(input.Bucket, prefix);
    const objects = this.buckets.get(input.Bucket);
    const contents: { Key: string; Size: number; LastModified: Date; ETag: string }[] = [];
    const commonPrefixes: { Prefix: string }[] = [];
    let i = firstIndexAfter(keys, after);
    let last = after;
    for (; i < keys.length && contents.length + commonPrefixes.length < maxKeys; i++) {
      const key = keys[i] as string;
      if (key <= last) continue;
      const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
      if (delimiter !== undefined && cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        commonPrefixes.push({ Prefix: common });
        last = `${common}\uffff`;
        continue;
      }
      const object = objects?.get(key) as S3Object;
      contents.push({
        Key: key,
        Size: object.body.length,
        LastModified: object.lastModified,
        ETag: object.etag,
      });
      last = key;
    }
    const truncated = keys.slice(i).some((k) => k > last);
    const out: Output<ListObjectsV2CommandOutput> = {
      Name: input.Bucket,
      Prefix: prefix,
      MaxKeys: maxKeys,
      KeyCount: contents.length + commonPrefixes.length,
      IsTruncated: truncated,
    };
    if (contents.length > 0) out.Contents = contents;
    if (commonPrefixes.length > 0) out.CommonPrefixes = commonPrefixes;
    if (delimiter !== undefined) out.Delimiter = delimiter;
    if (input.ContinuationToken !== undefined) out.ContinuationToken = input.ContinuationToken;
    if (input.StartAfter !== undefined) out.StartAfter = input.StartAfter;
    if (truncated) out.NextContinuationToken = Buffer.from(`o:${last}`, 'utf8').toString('base64');
    return out;
  }

  private s3DeleteObject(input: DeleteObjectCommandInput): object {
    const { bucket, key } = requireBucketKey(input, 'DeleteObject');
    this.buckets.get(bucket)?.delete(key);
    return {};
  }

  // ---------------------------------------------------------------- SES

  private sesSendEmail(input: SendEmailCommandInput): Output<SendEmailCommandOutput> {
    if (this.faults.sesDown) {
      throw new SESServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        message: 'Service Unavailable',
        $metadata: { httpStatusCode: 503 },
      });
    }
    const to = input.Destination?.ToAddresses ?? [];
    const cc = input.Destination?.CcAddresses ?? [];
    const bcc = input.Destination?.BccAddresses ?? [];
    const subject = input.Message?.Subject?.Data;
    const html = input.Message?.Body?.Html?.Data;
    const text = input.Message?.Body?.Text?.Data;
    const problem = !input.Source
      ? 'Missing required parameter Source'
      : to.length + cc.length + bcc.length === 0
        ? 'The message has no recipients (Destination is empty)'
        : to.length + cc.length + bcc.length > 50
          ? 'Recipient count exceeds 50.'
          : subject === undefined
            ? 'Missing required parameter Message.Subject'
            : html === undefined && text === undefined
              ? 'Missing required parameter Message.Body'
              : undefined;
    if (problem !== undefined) {
      throw new SESServiceException({
        name: 'InvalidParameterValue',
        $fault: 'client',
        message: problem,
        $metadata: { httpStatusCode: 400 },
      });
    }
    const email: SentEmail = {
      from: input.Source as string,
      to: [...to],
      subject: subject as string,
      html: html ?? '',
      text: text ?? '',
    };
    if (cc.length > 0) email.cc = [...cc];
    if (bcc.length > 0) email.bcc = [...bcc];
    this.emails.push(email);
    this.messageCount++;
    return { MessageId: `0100019a${String(this.messageCount).padStart(8, '0')}-simulated-000000` };
  }
}

// ------------------------------------------------------------------ helpers

const EMPTY_KEY_SLOT = ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
const NO_CERTS = ['false', 'N/A', 'false', 'N/A'];

function toKeyState(key: AccountKey): KeyState {
  const state: KeyState = {
    accessKeyId: key.accessKeyId,
    status: key.status,
    createDate: key.createDate,
    createMs: parseDate(key.createDate),
  };
  if (key.lastUsedDate !== undefined) {
    state.lastUsedDate = key.lastUsedDate;
    state.lastUsedMs = parseDate(key.lastUsedDate);
  }
  if (key.activatedDate !== undefined) {
    state.activatedDate = key.activatedDate;
    state.activatedMs = parseDate(key.activatedDate);
  }
  return state;
}

function parseDate(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`SimulatedAccount: invalid date ${JSON.stringify(text)}`);
  return ms;
}

/** A credential-report date: ISO 8601 to the second with an explicit +00:00 offset, as AWS writes it. */
function reportDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first element of the sorted `items` that is greater than `after`. */
function firstIndexAfter(items: readonly string[], after: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function noSuchEntity(message: string): NoSuchEntityException {
  return new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}

function validationError(message: string): IAMServiceException {
  return new IAMServiceException({
    name: 'ValidationError',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

function checkMaxItems(maxItems: number | undefined): number {
  if (maxItems === undefined) return 100;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS_LIMIT) {
    throw validationError(
      `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`,
    );
  }
  return maxItems;
}

function encodeMarker(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`, 'utf8').toString('base64');
}

function decodeMarker(marker: string, kind: string): string {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  if (!text.startsWith(`${kind}:`) || encodeMarker(kind, text.slice(kind.length + 1)) !== marker) {
    throw validationError('Invalid Marker');
  }
  return text.slice(kind.length + 1);
}

function decodeToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64').toString('utf8');
  return text.startsWith('o:') && Buffer.from(text, 'utf8').toString('base64') === token
    ? text.slice(2)
    : undefined;
}

/** IAM-style offset pagination (MaxItems, Marker, IsTruncated) over a small list. */
function paginate<T>(
  items: readonly T[],
  input: { MaxItems?: number; Marker?: string },
  kind: string,
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = checkMaxItems(input.MaxItems);
  let start = 0;
  if (input.Marker !== undefined) {
    const offset = Number(decodeMarker(input.Marker, kind));
    if (!Number.isInteger(offset) || offset < 0) throw validationError('Invalid Marker');
    start = offset;
  }
  const end = start + maxItems;
  const page = items.slice(start, end);
  return end < items.length
    ? { page, IsTruncated: true, Marker: encodeMarker(kind, String(end)) }
    : { page, IsTruncated: false };
}

function requireBucketKey(
  input: { Bucket?: string; Key?: string },
  operation: string,
): { bucket: string; key: string } {
  if (!input.Bucket || !input.Key)
    throw new Error(`The simulated account needs Bucket and Key for ${operation}`);
  return { bucket: input.Bucket, key: input.Key };
}

/** `count` characters of [A-Z2-7], derived deterministically from `text` (IAM-style unique IDs). */
function idChars(text: string, count: number): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  const next = mulberry32(hash);
  let out = '';
  for (let i = 0; i < count; i++) out += BASE32[Math.floor(next() * 32)];
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
