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
 *   retries: a throttled call fails straight to the caller, which must retry itself. With
 *   `sdkMiddleware` on, a call runs through the client's own middleware up to where the SDK would
 *   retry, sign and send it (through-middleware.ts): serialization, the X-Ray SDK's subsegments and
 *   keysweep's error redaction then happen as in AWS, still without SDK retries.
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
import { iamAccessDenied, s3AccessDenied, sesAccessDenied, type Denial } from './aws-errors';
import { PermissionChecker, type AccessPolicies, type AuthorizationRequest } from './permissions';
import { SimulatedS3 } from './s3';
import { SimulatedSes, type SentEmail, type SesSetup } from './ses';
import { sendThroughMiddleware } from './through-middleware';

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
  /**
   * Enforce permissions: every call is authorized for the principal `caller()` names, against
   * `policies`, as AWS would. Without it nothing is checked (unit tests of the simulator itself).
   */
  authorization?: { policies: AccessPolicies; caller: () => string | undefined };
  /** SES identities and sandbox; default: the account file's `ses`, else out of the sandbox with nothing verified */
  ses?: SesSetup;
  /** Run each call through the client's middleware stack (see above; default false: faster). */
  sdkMiddleware?: boolean;
  /**
   * The services `install()` wires in (default all three). A service left out keeps its real SDK
   * client: `npm run plan` simulates only S3 and SES and lets IAM calls reach a real account.
   */
  services?: readonly SimulatedService[];
}

export const SIMULATED_ACCOUNT_ID = '123456789012';
export const SIMULATED_REGION = 'us-east-1';

/** A call the simulated account refused, and who made it. */
export interface SimulatedDenial extends Denial {
  caller: string;
  service: SimulatedService;
  operation: string;
}

interface DispatchStub {
  send: {
    callsFake(fn: (this: unknown, command: { input?: object }) => Promise<unknown>): unknown;
    resetHistory(): void;
  };
}

interface Route {
  operation: string;
  /** what AWS authorizes the call on before it answers */
  authorize: (input: object) => AuthorizationRequest[];
  handle: (input: object) => object;
  /** for a read of an object that does not exist: what else the caller needs to be told so (404 rather than 403) */
  ifMissing?: (input: object) => AuthorizationRequest | undefined;
}
type Routes = Map<unknown, Route>;

/** Routes an SDK command class to its handler. */
function route<I extends object>(
  routes: Routes,
  command: abstract new (...args: never[]) => { input: I },
  operation: string,
  authorize: (input: I) => AuthorizationRequest[],
  handle: (input: I) => object,
  ifMissing?: (input: I) => AuthorizationRequest | undefined,
): void {
  routes.set(command, {
    operation,
    authorize: authorize as (input: object) => AuthorizationRequest[],
    handle: handle as (input: object) => object,
    ...(ifMissing ? { ifMissing: ifMissing as (input: object) => AuthorizationRequest | undefined } : {}),
  });
}

const s3Object = (input: { Bucket?: string; Key?: string }) =>
  `arn:aws:s3:::${input.Bucket ?? ''}/${input.Key ?? ''}`;
const s3Bucket = (input: { Bucket?: string }) => `arn:aws:s3:::${input.Bucket ?? ''}`;

/** The simulated account. `install()` wires it into the SDK clients; `uninstall()` restores them. */
export class SimulatedAccount {
  readonly calls: SimulatedCall[] = [];
  /** every call refused for lack of permission */
  readonly denials: SimulatedDenial[] = [];
  readonly iam: SimulatedIam;
  readonly credentialReport: SimulatedCredentialReport;
  readonly s3: SimulatedS3;
  readonly ses: SimulatedSes;

  private readonly nowMs: number;
  private readonly faults: FaultInjector;
  private readonly accountNow: string | undefined;
  private readonly credentialReportAgeHours: number | undefined;
  private readonly accountSes: AccountFile['ses'];
  private readonly counts = new Map<string, number>();
  private readonly checker: PermissionChecker | undefined;
  private readonly sdkMiddleware: boolean;
  private readonly services: ReadonlySet<SimulatedService>;
  private mocks: { restore(): void }[] = [];

  constructor(account: AccountFile, options: SimulatedAccountOptions) {
    this.nowMs = options.now.getTime();
    if (!Number.isFinite(this.nowMs)) throw new Error('SimulatedAccount: options.now is not a valid date');
    this.faults = new FaultInjector(options.faults ?? {});
    this.sdkMiddleware = options.sdkMiddleware ?? false;
    this.services = new Set(options.services ?? ['IAM', 'S3', 'SES']);
    const pageSize = options.listUsersPageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new Error(`SimulatedAccount: listUsersPageSize must be a positive integer (got ${pageSize})`);
    }
    this.accountNow = account.now;
    this.credentialReportAgeHours = account.credentialReportAgeHours;
    this.accountSes = account.ses;
    this.iam = new SimulatedIam(SIMULATED_ACCOUNT_ID, account.users, this.nowMs, pageSize);
    this.credentialReport = new SimulatedCredentialReport(
      this.iam,
      this.nowMs,
      this.credentialReportAgeHours ?? 0,
      options.faults,
    );
    this.s3 = new SimulatedS3(this.nowMs);
    this.ses = new SimulatedSes(
      options.ses ?? account.ses ?? { verifiedIdentities: [], sandbox: false },
      SIMULATED_REGION,
      SIMULATED_ACCOUNT_ID,
    );
    const auth = options.authorization;
    this.checker = auth && new PermissionChecker(auth.policies, SIMULATED_ACCOUNT_ID, auth.caller);
  }

  /** Whether calls are authorized against the deployment's policies. */
  get enforcesPermissions(): boolean {
    return this.checker !== undefined;
  }

  // ---------------------------------------------------------------- wiring

  install(): this {
    this.uninstall();

    // One fake per client dispatching on the SDK command class. (`mock.on(Command)` once per
    // command costs sinon a deep argument match against every registered command on every call,
    // about half a millisecond a call under jest; a run makes tens of thousands of calls.)
    const all = (action: string) => () => [{ action, resource: '*' }];
    const onUser = (action: string) => (i: { UserName?: string }) => [
      { action, resource: this.iam.userArn(i.UserName ?? '') },
    ];
    const iamRoutes: Routes = new Map();
    route(iamRoutes, ListUsersCommand, 'ListUsers', all('iam:ListUsers'), (i) => this.iam.listUsers(i));
    route(iamRoutes, ListAccessKeysCommand, 'ListAccessKeys', onUser('iam:ListAccessKeys'), (i) =>
      this.iam.listAccessKeys(i),
    );
    route(iamRoutes, ListUserTagsCommand, 'ListUserTags', onUser('iam:ListUserTags'), (i) =>
      this.iam.listUserTags(i),
    );
    route(iamRoutes, ListGroupsForUserCommand, 'ListGroupsForUser', onUser('iam:ListGroupsForUser'), (i) =>
      this.iam.listGroupsForUser(i),
    );
    route(
      iamRoutes,
      GetAccessKeyLastUsedCommand,
      'GetAccessKeyLastUsed',
      // Authorized on the user that owns the key (an unknown key: on no user in particular).
      (i) => [
        {
          action: 'iam:GetAccessKeyLastUsed',
          resource: this.iam.userArn(this.iam.ownerOfKey(i.AccessKeyId)?.userName ?? ''),
        },
      ],
      (i) => this.iam.getAccessKeyLastUsed(i),
    );
    route(iamRoutes, UpdateAccessKeyCommand, 'UpdateAccessKey', onUser('iam:UpdateAccessKey'), (i) =>
      this.iam.updateAccessKey(i),
    );
    route(iamRoutes, DeleteAccessKeyCommand, 'DeleteAccessKey', onUser('iam:DeleteAccessKey'), (i) =>
      this.iam.deleteAccessKey(i),
    );
    route(
      iamRoutes,
      GenerateCredentialReportCommand,
      'GenerateCredentialReport',
      all('iam:GenerateCredentialReport'),
      () => this.credentialReport.generate(),
    );
    route(iamRoutes, GetCredentialReportCommand, 'GetCredentialReport', all('iam:GetCredentialReport'), () =>
      this.credentialReport.get(),
    );

    // A read of a missing object is a 404 only for a caller allowed s3:ListBucket, else a 403 (S3 API
    // reference, GetObject and HeadObject, "Permissions"). That check is evaluated with the object's
    // key as s3:prefix: AWS's documentation does not say so; Ceph's RGW adopted it "to match aws
    // behavior" (ceph/ceph#68577), and keysweep grants ListBucket by prefix only, so an AWS that
    // evaluated it without s3:prefix would answer 403 where this simulator answers 404.
    const listForMissing = (i: { Bucket?: string; Key?: string }) =>
      i.Bucket !== undefined && i.Key !== undefined && !this.s3.hasObject(i.Bucket, i.Key)
        ? { action: 's3:ListBucket', resource: s3Bucket(i), context: { 's3:prefix': i.Key } }
        : undefined;
    const s3Routes: Routes = new Map();
    route(
      s3Routes,
      PutObjectCommand,
      'PutObject',
      (i) => [{ action: 's3:PutObject', resource: s3Object(i) }],
      (i) => this.s3.putObject(i),
    );
    route(
      s3Routes,
      GetObjectCommand,
      'GetObject',
      (i) => [{ action: 's3:GetObject', resource: s3Object(i) }],
      (i) => this.s3.getObject(i),
      listForMissing,
    );
    route(
      s3Routes,
      HeadObjectCommand,
      'HeadObject',
      (i) => [{ action: 's3:GetObject', resource: s3Object(i) }],
      (i) => this.s3.headObject(i),
      listForMissing,
    );
    route(
      s3Routes,
      ListObjectsV2Command,
      'ListObjectsV2',
      (i) => [
        {
          action: 's3:ListBucket',
          resource: s3Bucket(i),
          context: {
            's3:prefix': i.Prefix ?? '',
            ...(i.Delimiter ? { 's3:delimiter': i.Delimiter } : {}),
            's3:max-keys': String(i.MaxKeys ?? 1000),
          },
        },
      ],
      (i) => this.s3.listObjectsV2(i),
    );
    route(
      s3Routes,
      DeleteObjectCommand,
      'DeleteObject',
      (i) => [{ action: 's3:DeleteObject', resource: s3Object(i) }],
      (i) => this.s3.deleteObject(i),
    );

    const sesRoutes: Routes = new Map();
    route(
      sesRoutes,
      SendEmailCommand,
      'SendEmail',
      (i) => this.ses.authorizationsFor(i),
      (i) => this.ses.sendEmail(i),
    );

    const mocks: Record<SimulatedService, () => DispatchStub & { restore(): void }> = {
      IAM: () => mockClient(IAMClient),
      S3: () => mockClient(S3Client),
      SES: () => mockClient(SESClient),
    };
    const routes: Record<SimulatedService, Routes> = { IAM: iamRoutes, S3: s3Routes, SES: sesRoutes };
    for (const service of this.services) {
      const mock = mocks[service]();
      this.mocks.push(mock);
      this.dispatch(service, mock, routes[service]);
    }
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
    if (this.accountSes !== undefined) file.ses = structuredClone(this.accountSes);
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
    const answer = (command: { input?: object }) => {
      const input = command.input ?? {};
      const found = routes.get(command.constructor);
      if (found) return this.invoke(service, found, input);
      const name = command.constructor.name.replace(/Command$/, '');
      return this.invoke(
        service,
        {
          operation: name,
          authorize: () => [],
          handle: () => {
            throw new Error(`The simulated account does not support ${service} ${name}`);
          },
        },
        input,
      );
    };
    const sdkMiddleware = this.sdkMiddleware;
    stub.send.callsFake(function (this: unknown, command) {
      // sinon keeps every call's arguments, result and an Error for its stack: forget them now and
      // then to bound memory (after sinon has finished recording this call).
      if (++sinceReset >= 1000) {
        sinceReset = 0;
        queueMicrotask(() => stub.send.resetHistory());
      }
      // `this` is the client the call was sent with.
      return sdkMiddleware ? sendThroughMiddleware(this, command, () => answer(command)) : answer(command);
    });
  }

  private async invoke(
    service: SimulatedService,
    route: Route,
    input: object,
  ): Promise<object & { $metadata: { httpStatusCode: number } }> {
    const { operation } = route;
    const recorded = input as Record<string, unknown>;
    const dead = this.faults.deadCall(); // made by a Lambda invocation that timed out (faults.ts)
    if (dead) return dead;
    try {
      this.faults.faults.beforeCall?.({ service, operation, input: recorded }, this);
      this.faults.check(service, operation);
      if (this.checker) await this.authorize(service, route, input);
      const output = route.handle(input);
      this.record(service, operation, recorded, 'ok', undefined);
      const timedOut = this.faults.afterCall({ service, operation, input: recorded }, this);
      if (timedOut) return timedOut; // recorded as made: its effect applied, its answer lost
      return { ...output, $metadata: { httpStatusCode: 200 } };
    } catch (err) {
      this.record(service, operation, recorded, 'error', err instanceof Error ? err.name : String(err));
      throw err instanceof Error ? err : new Error(String(err));
    }
  }

  /** Throws the service's AccessDenied when the caller may not make this call. */
  private async authorize(service: SimulatedService, route: Route, input: object): Promise<void> {
    const checker = this.checker as PermissionChecker;
    const missing = route.ifMissing?.(input);
    for (const request of [...route.authorize(input), ...(missing ? [missing] : [])]) {
      const decision = await checker.check(request);
      if (decision.allowed) continue;
      const denial: Denial = {
        principalArn: decision.principalArn,
        action: request.action,
        resource: request.resource,
        reason: decision.reason,
      };
      this.denials.push({
        ...denial,
        caller: checker.currentPrincipal().key,
        service,
        operation: route.operation,
      });
      if (service === 'IAM') throw iamAccessDenied(denial);
      // A missing object without s3:ListBucket: the read itself fails with 403, naming ListBucket.
      if (service === 'S3') throw s3AccessDenied(denial, route.operation === 'HeadObject');
      throw sesAccessDenied(denial);
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
