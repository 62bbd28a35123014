/**
 * An account file (local/simulated-account/account-file.ts) put into moto, and read back.
 *
 * Seeding goes through the AWS API wherever the API can say it: CreateUser, TagUser, CreateGroup,
 * AddUserToGroup, CreateAccessKey, UpdateAccessKey, CreateBucket, VerifyEmailIdentity. What only
 * AWS itself decides (a key's ID, its creation and last-use dates, a user's creation date) is set
 * on moto's backend objects by moto_host.py.
 *
 * Not representable in moto (`asMotoHoldsIt` leaves them out, so that the simulated run it is
 * compared with sees the same account):
 * - a key's `activatedDate`: moto records no activation, so its credential report's last_rotated
 *   is always the key's creation, where AWS's moves on re-activation (DESIGN.md's first trap);
 * - `credentialReportAgeHours`: moto builds the report afresh at each GetCredentialReport, from
 *   the state of that moment, and never expires it (no ReportExpired, no ReportInProgress).
 * Read otherwise than the simulator's default (MOTO_REPORT_READING, for the simulated run compared):
 * - an Inactive key's last_rotated: moto writes its creation date, the simulator N/A (the stricter
 *   reading of AWS's documentation; simulated-account/credential-report.ts).
 * Dates go in as the account file writes them: moto answers the API with them to the microsecond
 * (the SDK keeps milliseconds) and writes them in the credential report to the second.
 */
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { maskAccessKeyId } from '../../functions/shared/masking';
import type { AccountFile, Faults } from '../../local/simulated-account';
import type { MotoHost } from './moto-host';

/** SDK clients of the test itself (not the functions'), aimed at moto explicitly. */
export interface MotoClients {
  region: string;
  iam: IAMClient;
  s3: S3Client;
  ses: SESClient;
}

export function motoClients(endpoint: string, region: string): MotoClients {
  return {
    region,
    iam: new IAMClient({ endpoint, region }),
    s3: new S3Client({ endpoint, region, forcePathStyle: true }),
    ses: new SESClient({ endpoint, region }),
  };
}

interface BackdatedKey {
  accessKeyId: string;
  newAccessKeyId: string;
  createDate: string;
  lastUsedDate: string | null;
}

interface BackdatedUser {
  userName: string;
  createDate: string | null;
  keys: BackdatedKey[];
}

/** The faults that make the simulated account's credential report read AWS's documentation as moto does. */
export const MOTO_REPORT_READING = { credentialReportInactiveLastRotated: 'shown' } as const satisfies Faults;

/** The account as moto can hold it: no activation dates, a credential report of the moment. */
export function asMotoHoldsIt(account: AccountFile): AccountFile {
  return {
    ...account,
    credentialReportAgeHours: 0,
    users: account.users.map((user) => ({
      ...user,
      ...(user.accessKeys
        ? { accessKeys: user.accessKeys.map(({ activatedDate: _activated, ...key }) => key) }
        : {}),
    })),
  };
}

/** Creates the account's users, groups and keys, the report bucket and the sender identity. */
export async function seedMoto(
  moto: MotoHost,
  clients: MotoClients,
  account: AccountFile,
  options: { bucket: string; senderEmail: string },
): Promise<void> {
  const { s3, ses } = clients;
  await s3.send(new CreateBucketCommand({ Bucket: options.bucket }));
  // moto refuses mail from an unverified sender, as SES does; it does not check recipients (the
  // SES sandbox), so they are not verified here.
  await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: options.senderEmail }));
  await seedMotoUsers(moto, clients.iam, account.users);
}

/**
 * Creates users, their groups and keys through `iam`, then gives them the file's key IDs and
 * dates: in moto's default account, or in `accountId` (an organization's member account, `iam`
 * then signing with a session in it).
 */
export async function seedMotoUsers(
  moto: MotoHost,
  iam: IAMClient,
  users: AccountFile['users'],
  accountId?: string,
): Promise<void> {
  const groups = new Set(users.flatMap((user) => user.groups ?? []));
  for (const GroupName of groups) await iam.send(new CreateGroupCommand({ GroupName }));

  const backdated: BackdatedUser[] = [];
  for (const user of users) {
    const UserName = user.userName;
    await iam.send(new CreateUserCommand({ UserName }));
    const tags = Object.entries(user.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    if (tags.length > 0) await iam.send(new TagUserCommand({ UserName, Tags: tags }));
    for (const GroupName of user.groups ?? [])
      await iam.send(new AddUserToGroupCommand({ UserName, GroupName }));
    const keys: BackdatedKey[] = [];
    for (const key of user.accessKeys ?? []) {
      const created = await iam.send(new CreateAccessKeyCommand({ UserName }));
      const motoId = created.AccessKey?.AccessKeyId;
      if (!motoId) throw new Error(`moto created a key without an ID for ${UserName}`);
      if (key.status === 'Inactive') {
        await iam.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId: motoId, Status: 'Inactive' }));
      }
      keys.push({
        accessKeyId: motoId,
        newAccessKeyId: key.accessKeyId,
        createDate: key.createDate,
        lastUsedDate: key.lastUsedDate ?? null,
      });
    }
    const firstKey = keys.map((k) => k.createDate).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    backdated.push({ userName: UserName, createDate: user.createDate ?? firstKey ?? null, keys });
  }
  await moto.command({ op: 'backdate', users: backdated, ...(accountId ? { accountId } : {}) });
}

export interface MotoKey {
  userName: string;
  status: string;
  createDate: string;
}

/** Every key in moto now, by ID, read through the API. */
export async function readMotoKeys(iam: IAMClient): Promise<Map<string, MotoKey>> {
  // moto answers ListUsers and ListAccessKeys in one page (IsTruncated false); AWS pages them.
  // Reading past the first page keeps this right against either.
  const keys = new Map<string, MotoKey>();
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListUsersCommand({ Marker }));
    for (const user of page.Users ?? []) {
      const userName = user.UserName ?? '';
      let keyMarker: string | undefined;
      do {
        const listed = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: keyMarker }));
        for (const meta of listed.AccessKeyMetadata ?? []) {
          keys.set(meta.AccessKeyId ?? '', {
            userName,
            status: meta.Status ?? '',
            createDate: meta.CreateDate?.toISOString() ?? '',
          });
        }
        keyMarker = listed.IsTruncated ? listed.Marker : undefined;
      } while (keyMarker);
    }
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return keys;
}

/** An object's text from moto's S3, or undefined when it is not there. */
export async function readMotoObject(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString('utf8');
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** The keys of a bucket's objects under a prefix. */
export async function listMotoObjects(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys.sort();
}

/** A message moto's SES accepted. moto keeps one body: the HTML part when there is one. */
export interface MotoEmail {
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
}

export function sentEmails(moto: MotoHost, region: string): Promise<MotoEmail[]> {
  return moto.command<MotoEmail[]>({ op: 'sent_emails', region });
}

/** Everything of moto's IAM a sweep could change, read through the API: users, their tags, groups and keys. */
export async function snapshotMotoIam(iam: IAMClient): Promise<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = {};
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListUsersCommand({ Marker }));
    for (const user of page.Users ?? []) {
      const UserName = user.UserName ?? '';
      const [keys, tags, groups] = await Promise.all([
        iam.send(new ListAccessKeysCommand({ UserName })),
        iam.send(new ListUserTagsCommand({ UserName })),
        iam.send(new ListGroupsForUserCommand({ UserName })),
      ]);
      snapshot[UserName] = {
        createDate: user.CreateDate?.toISOString(),
        tags: (tags.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
        groups: (groups.Groups ?? []).map((g) => g.GroupName).sort(),
        // IDs masked: a failing comparison prints no full key ID.
        keys: (keys.AccessKeyMetadata ?? []).map(
          (k) => `${maskAccessKeyId(k.AccessKeyId ?? '')} ${k.Status} ${k.CreateDate?.toISOString()}`,
        ),
      };
    }
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return snapshot;
}
