/**
 * The IAM of one simulated account: users with their tags, groups and access keys, served the
 * way IAM serves them (pagination with Marker and IsTruncated, ListUsers pages that may hold
 * fewer users than MaxItems, NoSuchEntity for a user or key that is gone, ValidationError for a
 * bad parameter). The credential report is credential-report.ts's job.
 */
import type {
  DeleteAccessKeyCommandInput,
  GetAccessKeyLastUsedCommandInput,
  GetAccessKeyLastUsedCommandOutput,
  ListAccessKeysCommandInput,
  ListAccessKeysCommandOutput,
  ListGroupsForUserCommandInput,
  ListGroupsForUserCommandOutput,
  ListUserTagsCommandInput,
  ListUserTagsCommandOutput,
  ListUsersCommandInput,
  ListUsersCommandOutput,
  UpdateAccessKeyCommandInput,
} from '@aws-sdk/client-iam';
import type { AccountKey, AccountUser } from './account-file';
import { iamValidationError, noSuchEntity } from './aws-errors';
import {
  checkMaxItems,
  compareStrings,
  decodeMarker,
  encodeMarker,
  firstIndexAfter,
  paginate,
} from './pagination';
import { mulberry32 } from './prng';

/** Region and service reported for a key that has been used (the account file records only the date). */
export const SIMULATED_LAST_USED_REGION = 'us-east-1';
export const SIMULATED_LAST_USED_SERVICE = 's3';

const DEFAULT_USER_CREATE_MS = Date.UTC(2020, 0, 1);
const GROUP_CREATE_MS = Date.UTC(2020, 0, 1);

export interface KeyState {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  createMs: number;
  lastUsedDate?: string;
  lastUsedMs?: number;
  activatedDate?: string;
  activatedMs?: number;
}

export interface UserState {
  userName: string;
  userId: string;
  arn: string;
  createMs: number;
  /** The user as the account file gave it (for toAccountUsers); keys live in `keys`. */
  source: AccountUser;
  tags: Record<string, string>;
  groups: string[];
  keys: KeyState[];
}

type Output<T> = Omit<T, '$metadata'>;

export class SimulatedIam {
  private readonly users = new Map<string, UserState>();
  private readonly keyIndex = new Map<string, { user: UserState; key: KeyState }>();
  private sortedNames: string[] | undefined;

  constructor(
    readonly accountId: string,
    users: readonly AccountUser[],
    private readonly nowMs: number,
    /** Most users one ListUsers page holds even when MaxItems is larger. */
    private readonly listUsersPageSize: number,
  ) {
    for (const user of users) {
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
        arn: this.userArn(user.userName),
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
  }

  /** The ARN of a user (every simulated user has the path /). */
  userArn(userName: string): string {
    return `arn:aws:iam::${this.accountId}:user/${userName}`;
  }

  /** The owner of a key, or undefined when no user has it. */
  ownerOfKey(accessKeyId: string | undefined): UserState | undefined {
    return accessKeyId === undefined ? undefined : this.keyIndex.get(accessKeyId)?.user;
  }

  // ---------------------------------------------------------------- inspection and test helpers

  /** The users as they are now, in the account-file format (in their original order). */
  toAccountUsers(): AccountUser[] {
    const users: AccountUser[] = [];
    for (const state of this.users.values()) {
      const { source } = state;
      const user: AccountUser = { userName: state.userName };
      if (source.createDate !== undefined) user.createDate = source.createDate;
      if (source.tags !== undefined || Object.keys(state.tags).length > 0) user.tags = { ...state.tags };
      if (source.groups !== undefined || state.groups.length > 0) user.groups = [...state.groups];
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
    return users;
  }

  /** Removes a user and its keys. A user already gone is left alone. */
  deleteUser(userName: string): void {
    const user = this.users.get(userName);
    if (!user) return;
    for (const key of user.keys) this.keyIndex.delete(key.accessKeyId);
    this.users.delete(userName);
    this.sortedNames = undefined;
  }

  /** Sets a key's status directly; re-activating sets activatedDate, as UpdateAccessKey does. */
  setKeyStatus(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): void {
    const found = this.keyIndex.get(accessKeyId);
    if (!found || found.user.userName !== userName) {
      throw new Error(`SimulatedAccount.setKeyStatus: user ${userName} has no key ${accessKeyId}`);
    }
    this.applyStatus(found.key, status);
  }

  /** Sets tags on a user, as TagUser does (a key already there gets the new value). */
  tagUser(userName: string, tags: Readonly<Record<string, string>>): void {
    const user = this.users.get(userName);
    if (!user) throw new Error(`SimulatedAccount.tagUser: no user ${userName}`);
    Object.assign(user.tags, tags);
  }

  /** Adds a user to a group, as AddUserToGroup does (once). */
  addUserToGroup(userName: string, groupName: string): void {
    const user = this.users.get(userName);
    if (!user) throw new Error(`SimulatedAccount.addUserToGroup: no user ${userName}`);
    if (!user.groups.includes(groupName)) user.groups.push(groupName);
  }

  hasUser(userName: string): boolean {
    return this.users.has(userName);
  }

  /** Every user, by name in IAM's (binary) order. */
  namesInOrder(): string[] {
    this.sortedNames ??= [...this.users.keys()].sort(compareStrings);
    return this.sortedNames;
  }

  user(userName: string): UserState | undefined {
    return this.users.get(userName);
  }

  allUsers(): IterableIterator<UserState> {
    return this.users.values();
  }

  // ---------------------------------------------------------------- operations

  listUsers(input: ListUsersCommandInput): Output<ListUsersCommandOutput> {
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

  listAccessKeys(input: ListAccessKeysCommandInput): Output<ListAccessKeysCommandOutput> {
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

  listUserTags(input: ListUserTagsCommandInput): Output<ListUserTagsCommandOutput> {
    const user = this.requireUser(input.UserName, 'ListUserTags');
    const tags = Object.entries(user.tags).map(([Key, Value]) => ({ Key, Value }));
    const { page, IsTruncated, Marker } = paginate(tags, input, 't');
    return { Tags: page, IsTruncated, ...(Marker !== undefined ? { Marker } : {}) };
  }

  listGroupsForUser(input: ListGroupsForUserCommandInput): Output<ListGroupsForUserCommandOutput> {
    const user = this.requireUser(input.UserName, 'ListGroupsForUser');
    const groups = user.groups.map((GroupName) => ({
      Path: '/',
      GroupName,
      GroupId: `AGPA${idChars(GroupName, 17)}`,
      Arn: `arn:aws:iam::${this.accountId}:group/${GroupName}`,
      CreateDate: new Date(GROUP_CREATE_MS),
    }));
    const { page, IsTruncated, Marker } = paginate(groups, input, 'g');
    return { Groups: page, IsTruncated, ...(Marker !== undefined ? { Marker } : {}) };
  }

  getAccessKeyLastUsed(input: GetAccessKeyLastUsedCommandInput): Output<GetAccessKeyLastUsedCommandOutput> {
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

  updateAccessKey(input: UpdateAccessKeyCommandInput): object {
    if (input.Status !== 'Active' && input.Status !== 'Inactive') {
      throw iamValidationError(
        `1 validation error detected: Value '${String(input.Status)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
      );
    }
    const key = this.requireKey(input.UserName, input.AccessKeyId, 'UpdateAccessKey');
    this.applyStatus(key, input.Status);
    return {};
  }

  deleteAccessKey(input: DeleteAccessKeyCommandInput): object {
    const key = this.requireKey(input.UserName, input.AccessKeyId, 'DeleteAccessKey');
    const found = this.keyIndex.get(key.accessKeyId);
    if (found) found.user.keys = found.user.keys.filter((k) => k !== key);
    this.keyIndex.delete(key.accessKeyId);
    return {};
  }

  // ---------------------------------------------------------------- internals

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
}

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
