/** Shared test data for the function unit tests: the run clock, keys, configs, runs, fakes. */
import { Readable } from 'node:stream';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { Context } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
import type { RetryOptions } from '../../functions/shared/retry';
import type { Run } from '../../functions/shared/run';

/** The run clock of every test: a Saturday morning, as the daily schedule would start it. */
export const NOW = new Date('2026-11-28T08:00:00Z');
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The ISO time `days` days (fractions allowed) before `from`. */
export function daysAgo(days: number, from: Date = NOW): string {
  return new Date(from.getTime() - days * DAY_MS).toISOString();
}

export { EXAMPLE_KEY_ID, FULL_KEY_ID, keyId } from '../key-ids';

export const ADMIN = 'security-admins@example.com';
export const SENDER = 'keysweep@example.com';

/** A parsed configuration: the defaults plus `overrides`. */
export function testConfig(overrides: Record<string, unknown> = {}): KeysweepConfig {
  return parseConfig({ adminEmails: [ADMIN], senderEmail: SENDER, ...overrides }, 'test');
}

/** Retries without waiting. */
export const noWaitRetry: RetryOptions = {
  attempts: 4,
  baseDelayMs: 0,
  maxDelayMs: 0,
  sleep: () => Promise.resolve(),
};

/** What the SDK throws when AWS throttles a call. */
export function throttlingError(name = 'Throttling'): Error {
  return Object.assign(new Error('Rate exceeded'), { name });
}

export function noSuchEntity(message = 'The user with name x cannot be found.'): NoSuchEntityException {
  return new NoSuchEntityException({ message, $metadata: {} });
}

export const EXECUTION_ID = 'arn:aws:states:eu-west-1:123456789012:execution:keysweep-sweep:run-2026-11-28';
export const PREFIX = 'runs/2026-11-28/run-2026-11-28/';

/** The run descriptor list-users would have made for an execution started at NOW. */
export function testRun(overrides: Partial<Run> = {}): Run {
  return {
    executionId: EXECUTION_ID,
    executionName: 'run-2026-11-28',
    startedAt: NOW.toISOString(),
    mode: 'enforce',
    modeSource: 'config',
    prefix: PREFIX,
    batchCount: 1,
    discovery: {
      source: 'full-scan',
      reason: 'every user is read',
      usersInAccount: 3,
      usersToRead: 3,
      credentialReportGeneratedAt: null,
    },
    version: '1.2.3+abc1234',
    deletionPaused: null,
    ...overrides,
  };
}

/** A minimal Lambda context, enough for the middy/Powertools wrapper. */
export function fakeContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/28/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface StoredObject {
  body: string;
  contentType: string | undefined;
}

/**
 * An in-memory report bucket behind a mocked S3 client: PutObject stores, GetObject reads
 * (NoSuchKey when absent). `log` records the order of writes for ordering assertions.
 */
export class FakeBucket {
  readonly objects = new Map<string, StoredObject>();

  constructor(readonly log: string[] = []) {}

  install(s3Mock: AwsClientStub<S3Client>): this {
    s3Mock.on(PutObjectCommand).callsFake((input: { Key?: string; Body?: unknown; ContentType?: string }) => {
      if (typeof input.Key !== 'string' || typeof input.Body !== 'string') {
        throw new Error('FakeBucket stores string bodies under a key');
      }
      this.objects.set(input.Key, { body: input.Body, contentType: input.ContentType });
      this.log.push(`s3:${input.Key}`);
      return {};
    });
    s3Mock.on(GetObjectCommand).callsFake((input: { Key?: string }): Partial<GetObjectCommandOutput> => {
      const object = input.Key === undefined ? undefined : this.objects.get(input.Key);
      if (object === undefined) {
        throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
      }
      return { Body: sdkStreamMixin(Readable.from([object.body])) };
    });
    // One page of the keys under a prefix (send-report lists the exposure runs of recent days).
    s3Mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
      Contents: [...this.objects.keys()]
        .filter((key) => key.startsWith(input.Prefix ?? ''))
        .map((Key) => ({ Key })),
      IsTruncated: false,
    }));
    return this;
  }

  put(key: string, value: unknown): void {
    this.objects.set(key, { body: JSON.stringify(value), contentType: 'application/json' });
  }

  json(key: string): unknown {
    const object = this.objects.get(key);
    if (object === undefined) throw new Error(`no object ${key} in the fake bucket`);
    return JSON.parse(object.body) as unknown;
  }

  text(key: string): string {
    const object = this.objects.get(key);
    if (object === undefined) throw new Error(`no object ${key} in the fake bucket`);
    return object.body;
  }
}

export interface FakeKey {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  lastUsedDate: string | null;
}

export interface FakeUser {
  tags?: Record<string, string>;
  groups?: string[];
  keys: FakeKey[];
}

type IamOperation =
  | 'ListAccessKeys'
  | 'ListUserTags'
  | 'ListGroupsForUser'
  | 'GetAccessKeyLastUsed'
  | 'UpdateAccessKey'
  | 'DeleteAccessKey';

/**
 * A small stateful IAM behind a mocked client: users with tags, groups and keys; NoSuchEntity
 * for what is not there; UpdateAccessKey and DeleteAccessKey change the state. `failNext`
 * makes the next calls of an operation (optionally for one user or key) throw a given error.
 */
export class FakeIam {
  readonly users = new Map<string, FakeUser>();
  private readonly failures: { operation: IamOperation; subject: string | undefined; error: Error }[] = [];

  constructor(users: Record<string, FakeUser> = {}) {
    for (const [name, user] of Object.entries(users)) this.users.set(name, user);
  }

  failNext(operation: IamOperation, error: Error, subject?: string, times = 1): this {
    for (let i = 0; i < times; i++) this.failures.push({ operation, subject, error });
    return this;
  }

  private maybeFail(operation: IamOperation, subject: string | undefined): void {
    const index = this.failures.findIndex(
      (f) => f.operation === operation && (f.subject === undefined || f.subject === subject),
    );
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      if (failure) throw failure.error;
    }
  }

  private user(userName: string | undefined): FakeUser {
    const user = userName === undefined ? undefined : this.users.get(userName);
    if (user === undefined) throw noSuchEntity(`The user with name ${String(userName)} cannot be found.`);
    return user;
  }

  private key(userName: string | undefined, accessKeyId: string | undefined): FakeKey {
    const key = this.user(userName).keys.find((k) => k.accessKeyId === accessKeyId);
    if (key === undefined)
      throw noSuchEntity(`The Access Key with id ${String(accessKeyId)} cannot be found.`);
    return key;
  }

  install(iamMock: AwsClientStub<IAMClient>): this {
    iamMock.on(ListAccessKeysCommand).callsFake((input: { UserName?: string }) => {
      this.maybeFail('ListAccessKeys', input.UserName);
      return {
        AccessKeyMetadata: this.user(input.UserName).keys.map((k) => ({
          UserName: input.UserName,
          AccessKeyId: k.accessKeyId,
          Status: k.status,
          CreateDate: new Date(k.createDate),
        })),
        IsTruncated: false,
      };
    });
    iamMock.on(ListUserTagsCommand).callsFake((input: { UserName?: string }) => {
      this.maybeFail('ListUserTags', input.UserName);
      const tags = this.user(input.UserName).tags ?? {};
      return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })), IsTruncated: false };
    });
    iamMock.on(ListGroupsForUserCommand).callsFake((input: { UserName?: string }) => {
      this.maybeFail('ListGroupsForUser', input.UserName);
      const groups = this.user(input.UserName).groups ?? [];
      return { Groups: groups.map((GroupName) => ({ GroupName })), IsTruncated: false };
    });
    iamMock.on(GetAccessKeyLastUsedCommand).callsFake((input: { AccessKeyId?: string }) => {
      this.maybeFail('GetAccessKeyLastUsed', input.AccessKeyId);
      for (const [userName, user] of this.users) {
        const key = user.keys.find((k) => k.accessKeyId === input.AccessKeyId);
        if (key === undefined) continue;
        return {
          UserName: userName,
          AccessKeyLastUsed:
            key.lastUsedDate === null
              ? { ServiceName: 'N/A', Region: 'N/A' }
              : { LastUsedDate: new Date(key.lastUsedDate), ServiceName: 's3', Region: 'eu-west-1' },
        };
      }
      throw noSuchEntity(`The Access Key with id ${String(input.AccessKeyId)} cannot be found.`);
    });
    iamMock
      .on(UpdateAccessKeyCommand)
      .callsFake((input: { UserName?: string; AccessKeyId?: string; Status?: string }) => {
        this.maybeFail('UpdateAccessKey', input.AccessKeyId);
        const key = this.key(input.UserName, input.AccessKeyId);
        if (input.Status !== 'Active' && input.Status !== 'Inactive') throw new Error('bad status');
        key.status = input.Status;
        return {};
      });
    iamMock.on(DeleteAccessKeyCommand).callsFake((input: { UserName?: string; AccessKeyId?: string }) => {
      this.maybeFail('DeleteAccessKey', input.AccessKeyId);
      this.key(input.UserName, input.AccessKeyId);
      const user = this.user(input.UserName);
      user.keys = user.keys.filter((k) => k.accessKeyId !== input.AccessKeyId);
      return {};
    });
    return this;
  }
}

/** The header of a real IAM credential report, in AWS's column order. */
export const CREDENTIAL_REPORT_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,' +
  'password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,' +
  'access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,' +
  'access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,' +
  'cert_2_active,cert_2_last_rotated';

/**
 * A report as AWS writes it: LF line ends, +00:00 dates, N/A where there is nothing, and RFC 4180
 * quotes around the fields with a comma (AWS does not document its quoting; see credential-report-csv.ts).
 */
export const REALISTIC_CREDENTIAL_REPORT = [
  CREDENTIAL_REPORT_HEADER,
  '<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,' +
    '2026-11-27T10:00:00+00:00,not_supported,not_supported,true,true,2020-02-02T02:02:02+00:00,' +
    '2026-11-01T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // two keys: one used, one never used
  'alice,arn:aws:iam::123456789012:user/alice,2025-01-01T00:00:00+00:00,true,2026-11-20T09:00:00+00:00,' +
    '2025-01-01T00:00:00+00:00,N/A,true,true,2026-05-01T10:00:00+00:00,2026-11-20T09:00:00+00:00,' +
    'eu-west-1,s3,true,2026-11-01T12:30:45+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
  // no keys at all (console user)
  'bob,arn:aws:iam::123456789012:user/bob,2025-03-01T00:00:00+00:00,true,no_information,' +
    '2025-03-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // key 1 deleted: only slot 2 holds a key, inactive
  'carol,arn:aws:iam::123456789012:user/carol,2024-06-01T00:00:00+00:00,false,N/A,N/A,N/A,false,' +
    'false,N/A,N/A,N/A,N/A,false,2026-01-03T08:15:00+00:00,2026-02-01T00:00:00+00:00,us-east-1,ec2,' +
    'false,N/A,false,N/A',
  // an IAM user name may hold a comma (here under the path /ops/): name and ARN quoted
  '"ops,team","arn:aws:iam::123456789012:user/ops/ops,team",2025-01-01T00:00:00+00:00,false,N/A,N/A,' +
    'N/A,false,true,2026-10-10T10:10:10+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
].join('\n');
