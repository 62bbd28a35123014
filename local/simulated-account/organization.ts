/**
 * A simulated AWS Organization: its accounts, each with its own IAM and credential report (one clock
 * for all), its OU tree, its service control policies, and the read-only Organizations API the hub
 * uses (DescribeOrganization, ListAccounts, ListAccountsForParent, ListRoots, ListChildren,
 * ListOrganizationalUnitsForParent, ListParents, DescribeOrganizationalUnit, ListTagsForResource).
 * Who may call these, and through which role, is sts.ts's and simulated-account.ts's job.
 *
 * As AWS documents them (Organizations API reference, List* operations):
 * - pages hold at most MaxResults (1 to 20) items and "might return fewer results than the maximum
 *   even when there are more results available"; List* operations "can occasionally return an empty
 *   set of results even when there are more results available": with `emptyFirstPage` (the default)
 *   every non-empty listing starts with an empty page that has a NextToken;
 * - NextToken is opaque; a token from another listing is InvalidInputException INVALID_NEXT_TOKEN.
 * IDs are made up deterministically from the file: the root `r-` + 4 characters, an OU
 * `ou-<root part>-<8 characters>`. The management account is in the organization whether or not the
 * file lists it (not listed: no users, at the root, its stack deployed).
 */
import { createHash } from 'node:crypto';
import type { SimulationOrgPolicies } from '@cloud-copilot/iam-simulate';
import { SimulatedCredentialReport } from './credential-report';
import type { Faults } from './faults';
import { SimulatedIam } from './iam';
import {
  SIMULATED_ORGANIZATION_ID,
  type OrganizationAccount,
  type OrganizationFile,
  type OrganizationSpec,
} from './organization-file';
import { organizationsInvalidInput, organizationsNotFound } from './organizations-errors';

/** AWS attaches FullAWSAccess to the root, every OU and every account unless someone detaches it. */
const FULL_AWS_ACCESS = {
  name: 'FullAWSAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};
const MAX_RESULTS = 20;
const JOINED = new Date(Date.UTC(2020, 0, 1));

export interface OrganizationOptions {
  listUsersPageSize: number;
  faults?: Faults;
  /** most items an Organizations page holds, even when MaxResults is larger (default 20) */
  pageSize?: number;
  /** start every non-empty listing with an empty page (default true; see above) */
  emptyFirstPage?: boolean;
}

export interface MemberAccount {
  readonly spec: OrganizationAccount;
  /** whether the file lists it (the management account may be implied) */
  readonly listed: boolean;
  readonly iam: SimulatedIam;
  readonly credentialReport: SimulatedCredentialReport;
  readonly parentId: string;
}

interface Ou {
  id: string;
  name: string;
  path: string;
  parentId: string;
}

const hash = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

export class SimulatedOrganization {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly accounts = new Map<string, MemberAccount>();
  private readonly ous = new Map<string, Ou>(); // by path
  private readonly ouById = new Map<string, Ou>();
  private readonly scps: OrganizationSpec['serviceControlPolicies'];
  private readonly pageSize: number;
  private readonly emptyFirstPage: boolean;

  constructor(
    private readonly file: OrganizationFile,
    nowMs: number,
    options: OrganizationOptions,
  ) {
    const spec = file.organization;
    this.organizationId = spec.organizationId ?? SIMULATED_ORGANIZATION_ID;
    this.managementAccountId = spec.managementAccountId;
    this.rootId = `r-${hash(this.organizationId, 4)}`;
    this.scps = spec.serviceControlPolicies;
    this.pageSize = options.pageSize ?? MAX_RESULTS;
    this.emptyFirstPage = options.emptyFirstPage ?? true;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new Error(`SimulatedOrganization: pageSize must be a positive integer (got ${this.pageSize})`);
    }
    const listed = spec.accounts.map((account) => ({ account, listed: true }));
    if (!spec.accounts.some((a) => a.accountId === spec.managementAccountId)) {
      listed.unshift({
        account: {
          accountId: spec.managementAccountId,
          name: 'management',
          organizationalUnit: 'Root',
          status: 'ACTIVE',
          memberRole: 'deployed',
          tags: {},
          users: [],
        },
        listed: false,
      });
    }
    for (const { account, listed: isListed } of listed) {
      const iam = new SimulatedIam(account.accountId, account.users, nowMs, options.listUsersPageSize);
      const credentialReport = new SimulatedCredentialReport(
        iam,
        nowMs,
        account.credentialReportAgeHours ?? 0,
        options.faults,
      );
      this.accounts.set(account.accountId, {
        spec: account,
        listed: isListed,
        iam,
        credentialReport,
        parentId: this.ouAt(account.organizationalUnit),
      });
    }
    for (const { target } of this.scps) if (target.startsWith('Root')) this.ouAt(target);
  }

  /** The ID of the container at an OU path, creating the OUs on the way. */
  private ouAt(path: string): string {
    if (path === 'Root') return this.rootId;
    const known = this.ous.get(path);
    if (known) return known.id;
    const parentPath = path.slice(0, path.lastIndexOf('/'));
    const ou: Ou = {
      id: `ou-${this.rootId.slice(2)}-${hash(`${this.organizationId}/${path}`, 8)}`,
      name: path.slice(path.lastIndexOf('/') + 1),
      path,
      parentId: this.ouAt(parentPath),
    };
    this.ous.set(path, ou);
    this.ouById.set(ou.id, ou);
    return ou.id;
  }

  account(accountId: string): MemberAccount | undefined {
    return this.accounts.get(accountId);
  }

  /** The ID of an OU path, or undefined when no OU has that path. */
  ouIdOf(path: string): string | undefined {
    return path === 'Root' ? this.rootId : this.ous.get(path)?.id;
  }

  /** The containers from the root down to an account's parent: [rootId, ou..., parentId]. */
  private chain(accountId: string): string[] {
    const ids: string[] = [];
    let id = this.accounts.get(accountId)?.parentId;
    while (id !== undefined) {
      ids.unshift(id);
      id = this.ouById.get(id)?.parentId;
    }
    return ids;
  }

  /**
   * The organization condition keys of a principal or resource in `accountId`: aws:PrincipalOrgID /
   * aws:ResourceOrgID and the OrgPaths ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", IAM User Guide,
   * aws:PrincipalOrgPaths), or nothing for an account outside the organization.
   */
  orgContext(accountId: string): { orgId: string; orgPaths: string[] } | undefined {
    if (!this.accounts.has(accountId)) return undefined;
    return {
      orgId: this.organizationId,
      orgPaths: [`${this.organizationId}/${this.chain(accountId).join('/')}/`],
    };
  }

  /**
   * The SCPs that limit the principals of `accountId`, as iam-simulate takes them: the root first,
   * then each OU down, the account last, each with FullAWSAccess plus the file's policies there.
   * None for the management account ("SCPs don't affect users or roles in the management account",
   * Organizations User Guide, service control policies) or an account outside the organization.
   */
  serviceControlPoliciesFor(accountId: string): SimulationOrgPolicies[] {
    const account = this.accounts.get(accountId);
    if (!account || accountId === this.managementAccountId) return [];
    const levels: { id: string; targets: string[] }[] = [
      { id: this.rootId, targets: ['Root'] },
      ...this.chain(accountId)
        .slice(1)
        .map((id) => ({ id, targets: [this.ouById.get(id)?.path ?? ''] })),
      { id: accountId, targets: [accountId] },
    ];
    return levels.map(({ id, targets }) => ({
      orgIdentifier: id,
      policies: [
        FULL_AWS_ACCESS,
        ...this.scps
          .map((scp, i) => ({ scp, i }))
          .filter(({ scp }) => targets.includes(scp.target))
          .map(({ scp, i }) => ({ name: scp.name ?? `scp-${i}`, policy: scp.policy })),
      ],
    }));
  }

  // ---------------------------------------------------------------- the Organizations API

  private accountView(account: MemberAccount) {
    const a = account.spec;
    return {
      Id: a.accountId,
      Arn: `arn:aws:organizations::${this.managementAccountId}:account/${this.organizationId}/${a.accountId}`,
      Email: a.email ?? `aws+${a.accountId}@example.com`,
      Name: a.name,
      Status: a.status,
      State: a.status,
      JoinedMethod: a.accountId === this.managementAccountId ? 'CREATED' : 'INVITED',
      JoinedTimestamp: JOINED,
    };
  }

  private ouView(ou: Ou) {
    return {
      Id: ou.id,
      Arn: `arn:aws:organizations::${this.managementAccountId}:ou/${this.organizationId}/${ou.id}`,
      Name: ou.name,
    };
  }

  /** One page of `items`, Organizations-style: MaxResults 1..20, an opaque NextToken, maybe an empty first page. */
  private page<T>(items: readonly T[], input: { MaxResults?: number; NextToken?: string }, listing: string) {
    const max = input.MaxResults ?? MAX_RESULTS;
    if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
      throw organizationsInvalidInput(
        'MAX_VALUE_EXCEEDED',
        `You provided a value that exceeds the maximum allowed value: MaxResults must be 1 to ${MAX_RESULTS} (got ${max}).`,
      );
    }
    let start = 0;
    if (input.NextToken !== undefined) {
      const [kind, offset] = Buffer.from(input.NextToken, 'base64url').toString('utf8').split('\n');
      start = Number(offset);
      if (kind !== listing || !Number.isInteger(start) || start < 0 || start > items.length) {
        throw organizationsInvalidInput('INVALID_NEXT_TOKEN', 'The provided NextToken is not valid.');
      }
    }
    const token = (offset: number) => Buffer.from(`${listing}\n${offset}`, 'utf8').toString('base64url');
    if (input.NextToken === undefined && this.emptyFirstPage && items.length > 0) {
      return { page: [] as T[], NextToken: token(0) };
    }
    const end = Math.min(start + Math.min(max, this.pageSize), items.length);
    return { page: items.slice(start, end), ...(end < items.length ? { NextToken: token(end) } : {}) };
  }

  private container(id: string | undefined, kind: 'parent' | 'target'): string {
    if (id === this.rootId || (id !== undefined && this.ouById.has(id))) return id as string;
    throw organizationsNotFound(kind, id ?? '');
  }

  describeOrganization() {
    return {
      Organization: {
        Id: this.organizationId,
        Arn: `arn:aws:organizations::${this.managementAccountId}:organization/${this.organizationId}`,
        FeatureSet: 'ALL',
        MasterAccountId: this.managementAccountId,
        MasterAccountArn: `arn:aws:organizations::${this.managementAccountId}:account/${this.organizationId}/${this.managementAccountId}`,
        MasterAccountEmail: this.accountView(this.accounts.get(this.managementAccountId) as MemberAccount)
          .Email,
      },
    };
  }

  listAccounts(input: { MaxResults?: number; NextToken?: string }) {
    const { page, NextToken } = this.page([...this.accounts.values()], input, 'accounts');
    return { Accounts: page.map((a) => this.accountView(a)), ...(NextToken ? { NextToken } : {}) };
  }

  listAccountsForParent(input: { ParentId?: string; MaxResults?: number; NextToken?: string }) {
    const parent = this.container(input.ParentId, 'parent');
    const children = [...this.accounts.values()].filter((a) => a.parentId === parent);
    const { page, NextToken } = this.page(children, input, `accounts:${parent}`);
    return { Accounts: page.map((a) => this.accountView(a)), ...(NextToken ? { NextToken } : {}) };
  }

  listRoots(input: { MaxResults?: number; NextToken?: string }) {
    const root = {
      Id: this.rootId,
      Arn: `arn:aws:organizations::${this.managementAccountId}:root/${this.organizationId}/${this.rootId}`,
      Name: 'Root',
      PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
    };
    const { page, NextToken } = this.page([root], input, 'roots');
    return { Roots: page, ...(NextToken ? { NextToken } : {}) };
  }

  listOrganizationalUnitsForParent(input: { ParentId?: string; MaxResults?: number; NextToken?: string }) {
    const parent = this.container(input.ParentId, 'parent');
    const ous = [...this.ous.values()].filter((ou) => ou.parentId === parent);
    const { page, NextToken } = this.page(ous, input, `ous:${parent}`);
    return { OrganizationalUnits: page.map((ou) => this.ouView(ou)), ...(NextToken ? { NextToken } : {}) };
  }

  listChildren(input: { ParentId?: string; ChildType?: string; MaxResults?: number; NextToken?: string }) {
    const parent = this.container(input.ParentId, 'parent');
    const children =
      input.ChildType === 'ACCOUNT'
        ? [...this.accounts.values()].filter((a) => a.parentId === parent).map((a) => a.spec.accountId)
        : input.ChildType === 'ORGANIZATIONAL_UNIT'
          ? [...this.ous.values()].filter((ou) => ou.parentId === parent).map((ou) => ou.id)
          : undefined;
    if (children === undefined) {
      throw organizationsInvalidInput('INPUT_REQUIRED', 'ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
    }
    const { page, NextToken } = this.page(children, input, `children:${input.ChildType}:${parent}`);
    return {
      Children: page.map((Id) => ({ Id, Type: input.ChildType })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  listParents(input: { ChildId?: string; MaxResults?: number; NextToken?: string }) {
    const id = input.ChildId ?? '';
    const parentId = this.accounts.get(id)?.parentId ?? this.ouById.get(id)?.parentId;
    if (parentId === undefined) throw organizationsNotFound('child', id);
    const parent = { Id: parentId, Type: parentId === this.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' };
    const { page, NextToken } = this.page([parent], input, `parents:${id}`);
    return { Parents: page, ...(NextToken ? { NextToken } : {}) };
  }

  describeOrganizationalUnit(input: { OrganizationalUnitId?: string }) {
    const ou = this.ouById.get(input.OrganizationalUnitId ?? '');
    if (!ou) throw organizationsNotFound('ou', input.OrganizationalUnitId ?? '');
    return { OrganizationalUnit: this.ouView(ou) };
  }

  listTagsForResource(input: { ResourceId?: string; NextToken?: string }) {
    const id = input.ResourceId ?? '';
    const account = this.accounts.get(id);
    if (!account && !this.ouById.has(id) && id !== this.rootId) throw organizationsNotFound('target', id);
    const tags = Object.entries(account?.spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    // ListTagsForResource takes no MaxResults; its pages are the service's own size.
    const { page, NextToken } = this.page(
      tags,
      { ...(input.NextToken ? { NextToken: input.NextToken } : {}) },
      `tags:${id}`,
    );
    return { Tags: page, ...(NextToken ? { NextToken } : {}) };
  }

  /**
   * The resource an Organizations request is authorized on (Service Authorization Reference, AWS
   * Organizations): `*` for the operations that take none, else the ARN of the account, OU or root.
   */
  resourceOf(operation: string, input: Record<string, unknown>): string {
    const arn = (id: string) => {
      const base = `arn:aws:organizations::${this.managementAccountId}`;
      if (id === this.rootId) return `${base}:root/${this.organizationId}/${id}`;
      if (id.startsWith('ou-')) return `${base}:ou/${this.organizationId}/${id}`;
      return `${base}:account/${this.organizationId}/${id}`;
    };
    const id = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '');
    switch (operation) {
      case 'ListAccountsForParent':
      case 'ListOrganizationalUnitsForParent':
      case 'ListChildren':
        return arn(id('ParentId'));
      case 'ListParents':
        return arn(id('ChildId'));
      case 'DescribeOrganizationalUnit':
        return arn(id('OrganizationalUnitId'));
      case 'ListTagsForResource':
        return arn(id('ResourceId'));
      default:
        return '*';
    }
  }

  /** The organization as it is now, in the account-file format (the accounts the file listed). */
  toSpec(): OrganizationSpec {
    const spec: OrganizationSpec = {
      managementAccountId: this.managementAccountId,
      accounts: [...this.accounts.values()]
        .filter((a) => a.listed)
        .map((a) => ({ ...structuredClone({ ...a.spec, users: [] }), users: a.iam.toAccountUsers() })),
      serviceControlPolicies: structuredClone(this.scps),
    };
    if (this.file.organization.organizationId !== undefined) spec.organizationId = this.organizationId;
    return spec;
  }
}
