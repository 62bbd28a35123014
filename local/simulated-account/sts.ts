/**
 * STS for an organization behind one simulator: AssumeRole into the member role of an account (or
 * the org reader role of the management account, or with organization.planPrincipals the plan role
 * beside each member role), evaluated as AWS evaluates it, and the sessions it
 * hands out. A session's credentials are temporary credentials as STS issues them (an `ASIA` access
 * key ID, a secret, a session token, an expiration); a client built with them (`new IAMClient({
 * credentials })`) is answered as that role in that account (simulated-account.ts).
 *
 * AssumeRole is allowed only when the caller's identity policies allow sts:AssumeRole on the role
 * ARN and the role's trust policy, as the resource policy, allows the caller (cross-account, both
 * are needed; iam-simulate decides, with aws:PrincipalOrgID, aws:ResourceOrgID and their paths in
 * the request context), and the SCPs of the caller's account allow it. STS answers every refusal
 * alike: AccessDenied (HTTP 403) "User: <caller> is not authorized to perform: sts:AssumeRole on
 * resource: <role ARN>", also for a role that does not exist (a member stack not deployed there).
 * An account that is SUSPENDED or PENDING_CLOSURE is refused the same way; AWS does not document
 * what STS answers then (a suspended account's resources cannot be reached), so this is the
 * simulator's reading. The clock never moves, so sessions never expire here; in AWS they last
 * DurationSeconds (default 3600; 900 at least; at most 1 hour when the caller is itself a role
 * session, "role chaining"). An inline session policy (AssumeRole's `Policy`) narrows what the
 * session may do, as in AWS: a request must be allowed by the role's policies and the session policy
 * (the pipeline may use it so that a read-only function cannot write through the shared member
 * role). Without the deployment's policies (a simulator made without
 * `authorization`) the simulator knows no role names, so every AssumeRole is refused.
 */
import {
  GetCallerIdentityCommand,
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import type { SimulatedOrganization } from './organization';
import { malformedPolicy, stsAccessDenied, stsValidationError } from './organizations-errors';
import {
  evaluateRequest,
  roleInAccount,
  type AssumableRole,
  type OrganizationPolicies,
  type PolicyDocument,
} from './permissions';
import { route, type Caller, type Routes } from './routes';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A denied AssumeRole, with the reason AWS keeps to itself. */
export interface AssumeRoleDenial {
  callerArn: string;
  roleArn: string;
  reason: string;
}

export class SimulatedSts {
  private readonly sessions = new Map<string, Caller>();
  private issued = 0;
  readonly denials: AssumeRoleDenial[] = [];

  constructor(
    private readonly organization: SimulatedOrganization,
    /** the synthesized member and org reader roles; without them no role can be assumed */
    private readonly policies: OrganizationPolicies | undefined,
    /** whether policies are evaluated (false: only whether the role exists and the account is active) */
    private readonly enforce: boolean,
    private readonly nowMs: number,
  ) {}

  /** The session whose access key ID this is, if the simulator issued it. */
  sessionOf(accessKeyId: string): Caller | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** The role of that name in that account, if its stack is deployed there. */
  private roleIn(accountId: string, roleName: string): AssumableRole | undefined {
    const account = this.organization.account(accountId);
    if (!account || !this.policies || account.spec.memberRole !== 'deployed') return undefined;
    const { memberRole, orgReaderRole, planRole } = this.policies;
    if (roleName === memberRole.roleName) return roleInAccount(memberRole, accountId);
    // The plan role is deployed with the member role (the same stack), so it is wherever that is.
    if (planRole && roleName === planRole.roleName) return roleInAccount(planRole, accountId);
    if (accountId === this.organization.managementAccountId && roleName === orgReaderRole.roleName) {
      return roleInAccount(orgReaderRole, accountId);
    }
    return undefined;
  }

  async assumeRole(input: AssumeRoleCommandInput, caller: Caller) {
    const roleArn = input.RoleArn ?? '';
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw stsValidationError(`${JSON.stringify(roleArn)} is not a valid role ARN`);
    if (!SESSION_NAME.test(input.RoleSessionName ?? '')) {
      throw stsValidationError(
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64",
      );
    }
    const duration = input.DurationSeconds ?? 3600;
    const maxDuration = caller.accessKeyId !== undefined ? 3600 : 43200;
    if (!Number.isInteger(duration) || duration < 900 || duration > maxDuration) {
      throw stsValidationError(
        `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (900 to ${maxDuration} seconds; got ${duration}).`,
      );
    }
    if (input.PolicyArns !== undefined && input.PolicyArns.length > 0) {
      throw new Error('The simulated STS does not support managed session policies (PolicyArns)');
    }
    let sessionPolicy: PolicyDocument | undefined;
    if (input.Policy !== undefined) {
      try {
        sessionPolicy = JSON.parse(input.Policy) as PolicyDocument;
      } catch {
        throw malformedPolicy('The session policy is not valid JSON');
      }
      if (!Array.isArray(sessionPolicy?.Statement))
        throw malformedPolicy('The session policy has no Statement list');
    }
    const [, accountId, roleName] = match as unknown as [string, string, string];
    const deny = (reason: string) => {
      this.denials.push({ callerArn: caller.arn, roleArn, reason });
      return stsAccessDenied(caller.arn, roleArn);
    };
    const account = this.organization.account(accountId);
    const role = this.roleIn(accountId, roleName);
    if (!role) {
      throw deny(
        account
          ? `the role ${roleName} does not exist in ${accountId}`
          : `${accountId} is not an account of the organization`,
      );
    }
    if (account && account.spec.status !== 'ACTIVE')
      throw deny(`the account ${accountId} is ${account.spec.status}`);
    if (this.enforce) {
      const principalOrg = this.organization.orgContext(caller.accountId);
      const resourceOrg = this.organization.orgContext(accountId);
      const decision = await evaluateRequest({
        principalArn: caller.arn,
        principalArnKey: caller.roleArn,
        principalAccount: caller.accountId,
        identityPolicies: caller.identityPolicies,
        action: 'sts:AssumeRole',
        resource: roleArn,
        resourceAccount: accountId,
        resourcePolicy: role.trustPolicy,
        serviceControlPolicies: this.organization.serviceControlPoliciesFor(caller.accountId),
        context: {
          'aws:SecureTransport': 'true',
          'sts:RoleSessionName': input.RoleSessionName ?? '',
          'aws:ResourceAccount': accountId,
          ...(principalOrg
            ? { 'aws:PrincipalOrgID': principalOrg.orgId, 'aws:PrincipalOrgPaths': principalOrg.orgPaths }
            : {}),
          ...(resourceOrg
            ? { 'aws:ResourceOrgID': resourceOrg.orgId, 'aws:ResourceOrgPaths': resourceOrg.orgPaths }
            : {}),
        },
      });
      if (!decision.allowed) throw deny(decision.reason);
    }

    const accessKeyId = this.nextAccessKeyId();
    const sessionArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${input.RoleSessionName}`;
    this.sessions.set(accessKeyId, {
      arn: sessionArn,
      roleArn,
      accountId,
      identityPolicies: role.identityPolicies,
      accessKeyId,
      ...(sessionPolicy ? { sessionPolicy } : {}),
    });
    const roleId = `AROA${accountId}${roleName.length.toString().padStart(5, '0')}`.slice(0, 21);
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: `simulated-secret-${this.issued}`,
        SessionToken: `simulated-session-token-${this.issued}`,
        Expiration: new Date(this.nowMs + duration * 1000),
      },
      AssumedRoleUser: { AssumedRoleId: `${roleId}:${input.RoleSessionName}`, Arn: sessionArn },
      PackedPolicySize: 0,
    };
  }

  /** ASIA + 16 characters, unique per session (STS's temporary key IDs start with ASIA). */
  private nextAccessKeyId(): string {
    let n = ++this.issued;
    let suffix = '';
    for (let i = 0; i < 16; i++) {
      suffix = (BASE32[n % 32] as string) + suffix;
      n = Math.floor(n / 32);
    }
    return `ASIA${suffix}`;
  }
}

/** STS's routes: AssumeRole (authorized inside, see above) and GetCallerIdentity (never denied). */
export function stsRoutes(sts: SimulatedSts, unknownCaller: () => Caller): Routes {
  const routes: Routes = new Map();
  route(
    routes,
    AssumeRoleCommand,
    'AssumeRole',
    () => [],
    (i, { caller }) => sts.assumeRole(i, caller ?? unknownCaller()),
  );
  route(
    routes,
    GetCallerIdentityCommand,
    'GetCallerIdentity',
    () => [],
    (_i, { caller }) => {
      const who = caller ?? unknownCaller();
      return { UserId: who.arn.split('/').slice(-1)[0], Account: who.accountId, Arn: who.arn };
    },
  );
  return routes;
}
