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
 *
 * An organization's account file (organization-file.ts) puts every account of the organization
 * behind the same simulator (organization.ts): the hub is SIMULATED_ACCOUNT_ID (its S3, SES and, when
 * the file lists it, its users), STS AssumeRole hands out sessions of the member role (sts.ts), and a
 * client built with a session's credentials is answered by that account's IAM, authorized against
 * the member role's synthesized policies and the SCPs of that account's OU chain. Which account a
 * call goes to is read off the client: `this` in the stub is the client the call was sent with, and
 * credentials given to its constructor (which @aws-sdk/core's resolveAwsSdkSigV4Config marks
 * `attributed`) resolve to the session's access key ID; a client without credentials of its own is
 * the hub's (its default chain is never called). Organizations answers only principals of the
 * management account. Delegated administrators are not modelled.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AccountFile } from './account-file';
import { CallRouter, type CallTarget } from './call-targets';
import { iamAccessDenied, s3AccessDenied, sesAccessDenied, type Denial } from './aws-errors';
import { SimulatedCredentialReport } from './credential-report';
import { FaultInjector, type Faults } from './faults';
import { SimulatedIam } from './iam';
import { SimulatedOrganization } from './organization';
import { isOrganizationFile, type OrganizationFile } from './organization-file';
import { organizationsAccessDenied } from './organizations-errors';
import { organizationsRoutes } from './organizations-routes';
import {
  PermissionChecker,
  type AccessPolicies,
  type AuthorizationRequest,
  type Decision,
} from './permissions';
import { iamRoutes, s3Routes, sesRoutes, type Route, type Routes } from './routes';
import { SimulatedS3 } from './s3';
import { SimulatedSes, type SentEmail, type SesSetup } from './ses';
import { SimulatedSts, stsRoutes } from './sts';
import { sendThroughMiddleware } from './through-middleware';

export type SimulatedService = 'IAM' | 'S3' | 'SES' | 'STS' | 'ORGANIZATIONS';

export interface SimulatedCall {
  service: SimulatedService;
  operation: string;
  input: Record<string, unknown>;
  outcome: 'ok' | 'error';
  /** The error's name (e.g. 'NoSuchEntityException', 'Throttling') when outcome is 'error'. */
  error?: string;
  /** in an organization: the account that answered (the hub's own calls: the hub) */
  account?: string;
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
  /** An organization's Organizations pages: most items a page holds, and whether listings start with an empty page (organization.ts). */
  organizationsPaging?: { pageSize?: number; emptyFirstPage?: boolean };
  /**
   * The services `install()` wires in (default all; STS and Organizations only for an organization's
   * file). A service left out keeps its real SDK client: `npm run plan` simulates only S3 and SES and
   * lets IAM calls reach a real account.
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

/** The simulated account. `install()` wires it into the SDK clients; `uninstall()` restores them. */
export class SimulatedAccount {
  readonly calls: SimulatedCall[] = [];
  /** every call refused for lack of permission */
  readonly denials: SimulatedDenial[] = [];
  /** the hub account's IAM (in an organization: the hub's, empty when the file does not list it) */
  readonly iam: SimulatedIam;
  readonly credentialReport: SimulatedCredentialReport;
  readonly s3: SimulatedS3;
  readonly ses: SimulatedSes;
  /** the organization, when the account file describes one */
  readonly organization: SimulatedOrganization | undefined;
  /** the organization's STS (sessions of assumed roles), when the account file describes one */
  readonly sts: SimulatedSts | undefined;

  private readonly nowMs: number;
  private readonly faults: FaultInjector;
  private readonly accountNow: string | undefined;
  private readonly credentialReportAgeHours: number | undefined;
  private readonly accountSes: AccountFile['ses'];
  private readonly counts = new Map<string, number>();
  private readonly checker: PermissionChecker | undefined;
  private readonly sdkMiddleware: boolean;
  private readonly router: CallRouter;
  private readonly services: ReadonlySet<SimulatedService>;
  private mocks: { restore(): void }[] = [];

  constructor(account: AccountFile | OrganizationFile, options: SimulatedAccountOptions) {
    this.nowMs = options.now.getTime();
    if (!Number.isFinite(this.nowMs)) throw new Error('SimulatedAccount: options.now is not a valid date');
    this.faults = new FaultInjector(options.faults ?? {});
    this.sdkMiddleware = options.sdkMiddleware ?? false;
    this.services = new Set(options.services ?? ['IAM', 'S3', 'SES', 'STS', 'ORGANIZATIONS']);
    const pageSize = options.listUsersPageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new Error(`SimulatedAccount: listUsersPageSize must be a positive integer (got ${pageSize})`);
    }
    this.accountNow = account.now;
    this.accountSes = account.ses;
    const auth = options.authorization;
    if (isOrganizationFile(account)) {
      this.credentialReportAgeHours = undefined;
      const org = new SimulatedOrganization(account, this.nowMs, {
        listUsersPageSize: pageSize,
        ...(options.faults ? { faults: options.faults } : {}),
        ...options.organizationsPaging,
      });
      this.organization = org;
      const hub = org.account(SIMULATED_ACCOUNT_ID);
      this.iam = hub?.iam ?? new SimulatedIam(SIMULATED_ACCOUNT_ID, [], this.nowMs, pageSize);
      this.credentialReport =
        hub?.credentialReport ?? new SimulatedCredentialReport(this.iam, this.nowMs, 0, options.faults);
      // A deployment synthesized for another organization ID is not an error: as in AWS, every
      // AssumeRole is then refused (aws:PrincipalOrgID and aws:ResourceOrgID do not match).
      this.sts = new SimulatedSts(org, auth?.policies.organization, auth !== undefined, this.nowMs);
      const hubOrg = org.orgContext(SIMULATED_ACCOUNT_ID);
      this.checker =
        auth &&
        new PermissionChecker(auth.policies, SIMULATED_ACCOUNT_ID, auth.caller, {
          serviceControlPolicies: org.serviceControlPoliciesFor(SIMULATED_ACCOUNT_ID),
          ...(hubOrg
            ? {
                principalContext: {
                  'aws:PrincipalOrgID': hubOrg.orgId,
                  'aws:PrincipalOrgPaths': hubOrg.orgPaths,
                },
              }
            : {}),
        });
    } else {
      this.organization = undefined;
      this.sts = undefined;
      this.credentialReportAgeHours = account.credentialReportAgeHours;
      this.iam = new SimulatedIam(SIMULATED_ACCOUNT_ID, account.users, this.nowMs, pageSize);
      this.credentialReport = new SimulatedCredentialReport(
        this.iam,
        this.nowMs,
        this.credentialReportAgeHours ?? 0,
        options.faults,
      );
      this.checker = auth && new PermissionChecker(auth.policies, SIMULATED_ACCOUNT_ID, auth.caller);
    }
    this.s3 = new SimulatedS3(this.nowMs);
    this.ses = new SimulatedSes(
      options.ses ?? account.ses ?? { verifiedIdentities: [], sandbox: false },
      SIMULATED_REGION,
      SIMULATED_ACCOUNT_ID,
    );
    this.router = new CallRouter(SIMULATED_ACCOUNT_ID, this.organization, this.sts, this.checker);
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
    const hub: Record<'IAM' | 'S3' | 'SES', Routes> = {
      IAM: iamRoutes(this.iam, this.credentialReport),
      S3: s3Routes(this.s3),
      SES: sesRoutes(this.ses),
    };
    const mocks: Record<'IAM' | 'S3' | 'SES', () => DispatchStub & { restore(): void }> = {
      IAM: () => mockClient(IAMClient),
      S3: () => mockClient(S3Client),
      SES: () => mockClient(SESClient),
    };
    for (const service of ['IAM', 'S3', 'SES'] as const) {
      if (!this.services.has(service)) continue;
      const mock = mocks[service]();
      this.mocks.push(mock);
      const table = hub[service];
      this.dispatch(service, mock, (client) => this.router.targetOf(client, table, service));
    }
    const org = this.organization;
    const sts = this.sts;
    if (org && sts && this.services.has('STS') && this.services.has('ORGANIZATIONS')) {
      const stsMock = mockClient(STSClient);
      const orgMock = mockClient(OrganizationsClient);
      this.mocks.push(stsMock, orgMock);
      const stsTable = stsRoutes(sts, () => this.router.hubCaller());
      const orgTable = organizationsRoutes(org);
      this.dispatch('STS', stsMock, (client) => this.router.targetOf(client, stsTable, 'STS'));
      this.dispatch('ORGANIZATIONS', orgMock, (client) =>
        this.router.targetOf(client, orgTable, 'ORGANIZATIONS'),
      );
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

  /** The account or organization as it is now, in the format of the file it was given (account-after.json). */
  toFile(): AccountFile | OrganizationFile {
    return this.organization ? this.toOrganizationFile() : this.toAccountFile();
  }

  /** The organization as it is now, in the organization file format (users in their original order). */
  toOrganizationFile(): OrganizationFile {
    if (!this.organization)
      throw new Error('SimulatedAccount: this is a single account; use toAccountFile()');
    const file: OrganizationFile = { organization: this.organization.toSpec() };
    if (this.accountNow !== undefined) file.now = this.accountNow;
    if (this.accountSes !== undefined) file.ses = structuredClone(this.accountSes);
    return file;
  }

  /** The account as it is now, in the account-file format (users in their original order). */
  toAccountFile(): AccountFile {
    if (this.organization)
      throw new Error('SimulatedAccount: this is an organization; use toOrganizationFile()');
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

  /** Tags a user directly (no call recorded), as TagUser does: a tag key already there gets the new value. */
  tagUser(userName: string, tags: Readonly<Record<string, string>>): void {
    this.iam.tagUser(userName, tags);
  }

  /** Adds a user to a group directly (no call recorded), as AddUserToGroup does. */
  addUserToGroup(userName: string, groupName: string): void {
    this.iam.addUserToGroup(userName, groupName);
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

  /** Calls made to one service, in an organization optionally only those one account answered. */
  callsTo(service: SimulatedService, account?: string): SimulatedCall[] {
    return this.calls.filter(
      (c) => c.service === service && (account === undefined || c.account === account),
    );
  }

  // ---------------------------------------------------------------- call plumbing

  /** Makes the stub answer every command through the routes of its target; a command not in them is rejected as unsupported. */
  private dispatch(
    service: SimulatedService,
    stub: DispatchStub,
    targetOf: (client: unknown) => Promise<CallTarget>,
  ): void {
    let sinceReset = 0;
    const answer = async (client: unknown, command: { input?: object }) => {
      const input = command.input ?? {};
      const target = await targetOf(client);
      const found = target.routes.get(command.constructor);
      if (found) return this.invoke(service, found, input, target);
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
        target,
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
      return sdkMiddleware
        ? sendThroughMiddleware(this, command, () => answer(this, command))
        : answer(this, command);
    });
  }

  private async invoke(
    service: SimulatedService,
    route: Route,
    input: object,
    target: CallTarget,
  ): Promise<object & { $metadata: { httpStatusCode: number } }> {
    const { operation } = route;
    const recorded = input as Record<string, unknown>;
    const dead = this.faults.deadCall(); // made by a Lambda invocation that timed out (faults.ts)
    if (dead) return dead;
    try {
      this.faults.faults.beforeCall?.({ service, operation, input: recorded }, this);
      this.faults.check(service, operation);
      if (target.decide) await this.authorize(service, route, input, target);
      const output = await route.handle(input, { caller: target.caller });
      this.record(service, operation, recorded, 'ok', undefined, target.account);
      const timedOut = this.faults.afterCall({ service, operation, input: recorded }, this);
      if (timedOut) return timedOut; // recorded as made: its effect applied, its answer lost
      return { ...output, $metadata: { httpStatusCode: 200 } };
    } catch (err) {
      this.record(
        service,
        operation,
        recorded,
        'error',
        err instanceof Error ? err.name : String(err),
        target.account,
      );
      throw err instanceof Error ? err : new Error(String(err));
    }
  }

  /** Throws the service's AccessDenied when the caller may not make this call. */
  private async authorize(
    service: SimulatedService,
    route: Route,
    input: object,
    target: CallTarget,
  ): Promise<void> {
    const decide = target.decide as (request: AuthorizationRequest) => Promise<Decision>;
    const missing = route.ifMissing?.(input);
    for (const request of [...route.authorize(input), ...(missing ? [missing] : [])]) {
      const decision = await decide(request);
      if (decision.allowed) continue;
      const denial: Denial = {
        principalArn: decision.principalArn,
        action: request.action,
        resource: request.resource,
        reason: decision.reason,
      };
      this.denials.push({ ...denial, caller: target.callerKey(), service, operation: route.operation });
      if (service === 'IAM') throw iamAccessDenied(denial);
      // A missing object without s3:ListBucket: the read itself fails with 403, naming ListBucket.
      if (service === 'S3') throw s3AccessDenied(denial, route.operation === 'HeadObject');
      if (service === 'ORGANIZATIONS') {
        throw organizationsAccessDenied(
          `User: ${denial.principalArn} is not authorized to perform: ${denial.action} on resource: ${denial.resource} ${denial.reason}`,
        );
      }
      throw sesAccessDenied(denial);
    }
  }

  private record(
    service: SimulatedService,
    operation: string,
    input: Record<string, unknown>,
    outcome: 'ok' | 'error',
    error: string | undefined,
    account: string | undefined,
  ): void {
    const call: SimulatedCall = { service, operation, input, outcome };
    if (error !== undefined) call.error = error;
    if (account !== undefined) call.account = account;
    this.calls.push(call);
    const name = `${service}.${operation}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}
