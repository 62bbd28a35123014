/**
 * Authorization in the simulated account: every call is evaluated against the policies the
 * synthesized stack gives the principal making it (its role's identity policies) and the
 * resource's own policy (the report bucket's), by a real IAM policy engine,
 * @cloud-copilot/iam-simulate (AGPL-3.0: used here, in the local simulator, and nowhere in a
 * Lambda bundle). Nothing here matches policies by hand.
 *
 * The caller of a call is named by the runner (local/callers.ts); a call whose caller is unknown
 * is refused: a simulator that cannot say who is calling cannot say what AWS would answer.
 */
import {
  getDenialReasons,
  runSimulation,
  type RequestDenial,
  type SimulationOrgPolicies,
} from '@cloud-copilot/iam-simulate';

export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

export interface PrincipalPolicies {
  /** the ARN its calls are signed with, e.g. `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  principalArn: string;
  /**
   * aws:PrincipalArn, when it is not the role of principalArn without a path: a role with a path
   * (IAM Identity Center's `role/aws-reserved/sso.amazonaws.com/...`) or an IAM user
   */
  roleArn?: string;
  identityPolicies: { name: string; policy: PolicyDocument }[];
  /** a function's log group (its logs and traces are delivered with its role's permissions) */
  logGroupArn?: string;
}

/** The policies of a deployment that decide what each principal may do. */
export interface AccessPolicies {
  /** by principal key: `function:<name>`, `state-machine`, `schedule` */
  principals: Record<string, PrincipalPolicies>;
  /** resource-based policies, by the ARN of the resource that holds them (a bucket) */
  resourcePolicies: Record<string, PolicyDocument>;
  /** an organization hub's roles in the other accounts (from the member and management stacks) */
  organization?: OrganizationPolicies;
}

/** Stands for the account a role is deployed in, in its synthesized policies (`AWS::AccountId`). */
export const ACCOUNT_PLACEHOLDER = '{{ACCOUNT_ID}}';

/** A role that the hub assumes in another account: its trust policy and its permissions. */
export interface AssumableRole {
  roleName: string;
  /** the role's trust policy: the resource policy sts:AssumeRole is evaluated against */
  trustPolicy: PolicyDocument;
  identityPolicies: { name: string; policy: PolicyDocument }[];
}

/** The roles of an organization deployment outside the hub account. */
export interface OrganizationPolicies {
  /** the organization ID the templates were synthesized for */
  organizationId: string;
  /** in every account the StackSet reaches, and in the management account (KeySweepManagement) */
  memberRole: AssumableRole;
  /** in the management account only (KeySweepManagement) */
  orgReaderRole: AssumableRole;
  /** beside the member role wherever it is, only with organization.planPrincipals (the read-only plan role) */
  planRole?: AssumableRole;
}

/** A role's policies with ACCOUNT_PLACEHOLDER replaced by the account it is in. */
export function roleInAccount(role: AssumableRole, accountId: string): AssumableRole {
  return JSON.parse(JSON.stringify(role).split(ACCOUNT_PLACEHOLDER).join(accountId)) as AssumableRole;
}

/** Everything iam-simulate needs to decide one request. */
export interface EvaluationInput {
  /** what the request is signed as, e.g. a role session `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  principalArn: string;
  /** aws:PrincipalArn: for a role session, the role's ARN (IAM User Guide, aws:PrincipalArn) */
  principalArnKey: string;
  principalAccount: string;
  identityPolicies: { name: string; policy: PolicyDocument }[];
  action: string;
  resource: string;
  resourceAccount: string;
  resourcePolicy?: PolicyDocument;
  /** the inline session policy the role session was created with (AssumeRole's Policy), if any */
  sessionPolicy?: PolicyDocument;
  /** the SCPs that limit the principal's account, root first (organization.ts) */
  serviceControlPolicies?: SimulationOrgPolicies[];
  context: Record<string, string | string[]>;
}

export interface AuthorizationRequest {
  /** e.g. `s3:GetObject` */
  action: string;
  /** the resource ARN, or `*` for actions that take none */
  resource: string;
  /** request-specific condition keys (s3:prefix, ses:FromAddress, ...) */
  context?: Record<string, string | string[]>;
}

export interface Decision {
  allowed: boolean;
  principalArn: string;
  /** AWS's words for why it was denied, e.g. "because no identity-based policy allows the s3:GetObject action" */
  reason: string;
}

/** A call the runner did not attribute to any principal. */
export class UnknownCallerError extends Error {
  override name = 'UnknownCaller';
}

/** The resource whose own policy applies to a request on `resource` (the bucket of an S3 object). */
function policyHolderOf(resource: string): string | undefined {
  const s3 = /^arn:aws:s3:::([^/]+)/.exec(resource);
  return s3 ? `arn:aws:s3:::${s3[1]}` : undefined;
}

const POLICY_WORDS: Record<string, string> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  pb: 'a permissions boundary',
  vpce: 'a VPC endpoint policy',
  session: 'a session policy',
};

/** The wording AWS uses in an AccessDenied message for a denial. */
function denialWords(denials: readonly RequestDenial[], action: string): string {
  const explicit = denials.find((d) => d.denialType === 'Explicit');
  if (explicit) return `with an explicit deny in ${POLICY_WORDS[explicit.policyType] ?? 'a policy'}`;
  const implicit = denials[0];
  const words = (POLICY_WORDS[implicit?.policyType ?? 'identity'] ?? 'an identity-based policy').replace(
    /^an? /,
    '',
  );
  return `because no ${words} allows the ${action} action`;
}

export class PermissionChecker {
  private readonly decisions = new Map<string, Promise<Decision>>();

  constructor(
    private readonly policies: AccessPolicies,
    private readonly accountId: string,
    /** the principal key of the call being made now */
    private readonly caller: () => string | undefined,
    private readonly options: {
      /** the SCPs that limit this account's principals (an organization's member account) */
      serviceControlPolicies?: SimulationOrgPolicies[];
      /** condition keys every request of this account's principals carries (aws:PrincipalOrgID, ...) */
      principalContext?: Record<string, string | string[]>;
    } = {},
  ) {}

  /** The principal making the current call; throws when the runner named none or an unknown one. */
  currentPrincipal(): { key: string; policies: PrincipalPolicies } {
    const key = this.caller();
    if (key === undefined) {
      throw new UnknownCallerError(
        'The simulated account received a call with no known caller; the runner must name the principal of every AWS call',
      );
    }
    const policies = this.policies.principals[key];
    if (!policies) throw new UnknownCallerError(`The deployment has no principal ${key}`);
    return { key, policies };
  }

  /** Evaluates the request for the current caller (cached: the same question gets the same answer). */
  check(request: AuthorizationRequest): Promise<Decision> {
    const { key, policies } = this.currentPrincipal();
    const context = { 'aws:SecureTransport': 'true', ...request.context };
    const cacheKey = JSON.stringify([key, request.action, request.resource, context]);
    let decision = this.decisions.get(cacheKey);
    if (!decision) {
      decision = this.evaluate(policies, request.action, request.resource, context);
      this.decisions.set(cacheKey, decision);
    }
    return decision;
  }

  private evaluate(
    principal: PrincipalPolicies,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
  ): Promise<Decision> {
    const holder = policyHolderOf(resource);
    const resourcePolicy = holder === undefined ? undefined : this.policies.resourcePolicies[holder];
    return evaluateRequest({
      principalArn: principal.principalArn,
      principalArnKey: principal.roleArn ?? principal.principalArn,
      principalAccount: this.accountId,
      identityPolicies: principal.identityPolicies,
      action,
      resource,
      resourceAccount: this.accountId,
      ...(resourcePolicy ? { resourcePolicy } : {}),
      serviceControlPolicies: this.options.serviceControlPolicies ?? [],
      context: { ...this.options.principalContext, ...context },
    });
  }
}

/** Decides one request with iam-simulate, and words a denial as AWS does. */
export async function evaluateRequest(input: EvaluationInput): Promise<Decision> {
  const { action, resource } = input;
  const result = await runSimulation(
    {
      request: {
        principal: input.principalArn,
        action,
        resource: { resource, accountId: input.resourceAccount },
        contextVariables: {
          'aws:PrincipalArn': input.principalArnKey,
          'aws:PrincipalAccount': input.principalAccount,
          ...input.context,
        },
      },
      identityPolicies: input.identityPolicies,
      serviceControlPolicies: input.serviceControlPolicies ?? [],
      resourceControlPolicies: [],
      ...(input.resourcePolicy ? { resourcePolicy: input.resourcePolicy } : {}),
      ...(input.sessionPolicy ? { sessionPolicy: input.sessionPolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') {
    // A policy or request the engine cannot evaluate is a defect of the stack or the simulator.
    throw new Error(`iam-simulate could not evaluate ${action} on ${resource}: ${result.errors.message}`);
  }
  if (result.overallResult === 'Allowed')
    return { allowed: true, principalArn: input.principalArn, reason: '' };
  const analyses = result.resultType === 'single' ? [result.result] : result.results;
  const denials = analyses.flatMap((r) => getDenialReasons(r.analysis));
  if (denials.length === 0 && input.sessionPolicy) {
    // iam-simulate names no reason when only the session policy lacks the allow: ask without it.
    const withoutSession: EvaluationInput = { ...input };
    delete withoutSession.sessionPolicy;
    if ((await evaluateRequest(withoutSession)).allowed) {
      return {
        allowed: false,
        principalArn: input.principalArn,
        reason: `because no session policy allows the ${action} action`,
      };
    }
  }
  return { allowed: false, principalArn: input.principalArn, reason: denialWords(denials, action) };
}
