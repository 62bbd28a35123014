/**
 * Who is making a call, and which account answers it (see simulated-account.ts): the hub, whose
 * principal the runner names, or the account of an assumed role's session, read off the credentials
 * the SDK client was constructed with. For each call, the routes that answer it and how it is
 * authorized: the hub's calls by the PermissionChecker (the deployment's policies, plus the hub
 * account's SCPs in an organization), a session's by the member or org reader role's policies and
 * the SCPs of its account, with the organization condition keys in the request context.
 */
import { iamError } from './aws-errors';
import type { SimulatedOrganization } from './organization';
import { organizationsAccessDenied } from './organizations-errors';
import {
  evaluateRequest,
  type AuthorizationRequest,
  type Decision,
  type PermissionChecker,
} from './permissions';
import { iamRoutes, type Caller, type Routes } from './routes';
import type { SimulatedService } from './simulated-account';
import type { SimulatedSts } from './sts';

/** Where a call goes: the routes that answer it, and how it is authorized. */
export interface CallTarget {
  routes: Routes;
  /** the account that answers, recorded in an organization */
  account: string | undefined;
  /** the signer, for STS and Organizations */
  caller: Caller | undefined;
  /** decides one request, or undefined when nothing is checked */
  decide: ((request: AuthorizationRequest) => Promise<Decision>) | undefined;
  /** the key recorded with a denial */
  callerKey: () => string;
}

/** The temporary credentials an SDK client was constructed with, if any (see the file comment). */
async function ownAccessKeyId(client: unknown): Promise<string | undefined> {
  const provider = (client as { config?: { credentials?: unknown } } | undefined)?.config?.credentials as
    (((options?: unknown) => Promise<{ accessKeyId?: string }>) & { attributed?: boolean }) | undefined;
  if (typeof provider !== 'function' || provider.attributed !== true) return undefined;
  return (await provider()).accessKeyId;
}

export class CallRouter {
  private readonly memberRoutes = new Map<string, Routes>();

  constructor(
    /** the hub account: the simulator's own account */
    private readonly hubAccountId: string,
    private readonly organization: SimulatedOrganization | undefined,
    private readonly sts: SimulatedSts | undefined,
    private readonly checker: PermissionChecker | undefined,
  ) {}

  /** The hub principal making the current call, as STS and Organizations see it. */
  hubCaller(): Caller {
    if (this.checker) {
      const { policies } = this.checker.currentPrincipal();
      const roleArn =
        policies.roleArn ??
        policies.principalArn.replace(
          /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/,
          'arn:aws:iam::$1:role/$2',
        );
      return {
        arn: policies.principalArn,
        roleArn,
        accountId: this.hubAccountId,
        identityPolicies: policies.identityPolicies,
      };
    }
    // Permissions not enforced: nobody in particular (nothing is evaluated anyway).
    return {
      arn: `arn:aws:sts::${this.hubAccountId}:assumed-role/local/local`,
      roleArn: `arn:aws:iam::${this.hubAccountId}:role/local`,
      accountId: this.hubAccountId,
      identityPolicies: [],
    };
  }

  /** Where a call sent with `client` goes: the hub, or the account of the session it was built with. */
  async targetOf(client: unknown, hubRoutes: Routes, service: SimulatedService): Promise<CallTarget> {
    const org = this.organization;
    const accessKeyId = org ? await ownAccessKeyId(client) : undefined;
    const session = accessKeyId === undefined ? undefined : this.sts?.sessionOf(accessKeyId);
    if (accessKeyId?.startsWith('ASIA') && !session) {
      // Temporary credentials STS never issued here: as AWS answers a token it does not know.
      return this.refusing(
        hubRoutes,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    }
    if (!org || !session) {
      const checker = this.checker;
      const hubCaller = service === 'STS' || service === 'ORGANIZATIONS' ? this.hubCaller() : undefined;
      if (service === 'ORGANIZATIONS' && this.hubAccountId !== org?.managementAccountId) {
        return this.refusing(
          hubRoutes,
          'AccessDeniedException',
          "You don't have permissions to access this resource.",
        );
      }
      return {
        routes: hubRoutes,
        account: org ? this.hubAccountId : undefined,
        caller: hubCaller,
        decide: checker && ((request) => checker.check(request)),
        callerKey: () => checker?.currentPrincipal().key ?? 'unknown',
      };
    }
    if (service === 'ORGANIZATIONS' && session.accountId !== org.managementAccountId) {
      // "This operation can be called only from the organization's management account or by a member
      // account that is a delegated administrator" (Organizations API reference, ListAccounts).
      return this.refusing(
        hubRoutes,
        'AccessDeniedException',
        "You don't have permissions to access this resource.",
      );
    }
    const routes = service === 'IAM' ? this.memberIamRoutes(session.accountId) : hubRoutes; // S3, SES: the hub's, as cross-account calls
    const sessionOrg = org.orgContext(session.accountId);
    const scps = org.serviceControlPoliciesFor(session.accountId);
    return {
      routes,
      account: service === 'IAM' || service === 'ORGANIZATIONS' ? session.accountId : this.hubAccountId,
      caller: session,
      decide: this.checker
        ? (request) => {
            const resourceAccount =
              service === 'IAM' || service === 'ORGANIZATIONS' ? session.accountId : this.hubAccountId;
            const resourceOrg = org.orgContext(resourceAccount);
            return evaluateRequest({
              principalArn: session.arn,
              principalArnKey: session.roleArn,
              principalAccount: session.accountId,
              identityPolicies: session.identityPolicies,
              ...(session.sessionPolicy ? { sessionPolicy: session.sessionPolicy } : {}),
              action: request.action,
              resource: request.resource,
              resourceAccount,
              serviceControlPolicies: scps,
              context: {
                'aws:SecureTransport': 'true',
                'aws:ResourceAccount': resourceAccount,
                ...(sessionOrg
                  ? { 'aws:PrincipalOrgID': sessionOrg.orgId, 'aws:PrincipalOrgPaths': sessionOrg.orgPaths }
                  : {}),
                ...(resourceOrg
                  ? { 'aws:ResourceOrgID': resourceOrg.orgId, 'aws:ResourceOrgPaths': resourceOrg.orgPaths }
                  : {}),
                ...request.context,
              },
            });
          }
        : undefined,
      callerKey: () => `session:${session.accountId}:${session.roleArn.split('/').slice(-1)[0] ?? ''}`,
    };
  }

  /** The IAM routes of a member account (built once per account). */
  private memberIamRoutes(accountId: string): Routes {
    let routes = this.memberRoutes.get(accountId);
    if (!routes) {
      const account = this.organization?.account(accountId);
      if (!account) throw new Error(`SimulatedAccount: no account ${accountId} in the organization`);
      routes = iamRoutes(account.iam, account.credentialReport);
      this.memberRoutes.set(accountId, routes);
    }
    return routes;
  }

  /** A target whose every call fails with this error before anything is answered. */
  private refusing(routes: Routes, name: string, message: string): CallTarget {
    const error = () => {
      if (name === 'AccessDeniedException') return organizationsAccessDenied(message);
      return iamError(name, message, 403);
    };
    const refused: Routes = new Map(
      [...routes].map(([command, r]) => [
        command,
        {
          ...r,
          authorize: () => [],
          handle: () => {
            throw error();
          },
        },
      ]),
    );
    return {
      routes: refused,
      account: undefined,
      caller: undefined,
      decide: undefined,
      callerKey: () => 'unknown',
    };
  }
}
