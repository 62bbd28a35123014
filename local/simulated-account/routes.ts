/**
 * The calls the simulated account answers, by SDK command class: for each, what AWS authorizes it
 * on before answering, and the handler that answers it. One table per service; the IAM table is
 * built per account (an organization has one IAM per account).
 */
import {
  DeleteAccessKeyCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
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
} from '@aws-sdk/client-s3';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import type { SimulatedCredentialReport } from './credential-report';
import type { SimulatedIam } from './iam';
import type { PolicyDocument } from './permissions';
import type { AuthorizationRequest } from './permissions';
import type { SimulatedS3 } from './s3';
import type { SimulatedSes } from './ses';

/** Who signed a call: a principal of the hub's deployment, or a session of an assumed role. */
export interface Caller {
  /** what the call is signed as: `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  arn: string;
  /** aws:PrincipalArn: the role's own ARN */
  roleArn: string;
  accountId: string;
  identityPolicies: { name: string; policy: PolicyDocument }[];
  /** the access key ID of an assumed role's session (never printed unmasked) */
  accessKeyId?: string;
  /** the session policy it was assumed with: it can only narrow what the role allows */
  sessionPolicy?: PolicyDocument;
}

/** What a handler may know about the call besides its input. */
export interface CallContext {
  /** the signer, when the simulator can tell (always for a session; for the hub only with permissions enforced) */
  caller: Caller | undefined;
}

export interface Route {
  operation: string;
  /** what AWS authorizes the call on before it answers */
  authorize: (input: object) => AuthorizationRequest[];
  handle: (input: object, context: CallContext) => object | Promise<object>;
  /** for a read of an object that does not exist: what else the caller needs to be told so (404 rather than 403) */
  ifMissing?: (input: object) => AuthorizationRequest | undefined;
}
export type Routes = Map<unknown, Route>;

/** Routes an SDK command class to its handler. */
export function route<I extends object>(
  routes: Routes,
  command: abstract new (...args: never[]) => { input: I },
  operation: string,
  authorize: (input: I) => AuthorizationRequest[],
  handle: (input: I, context: CallContext) => object | Promise<object>,
  ifMissing?: (input: I) => AuthorizationRequest | undefined,
): void {
  routes.set(command, {
    operation,
    authorize: authorize as (input: object) => AuthorizationRequest[],
    handle: handle as (input: object, context: CallContext) => object,
    ...(ifMissing ? { ifMissing: ifMissing as (input: object) => AuthorizationRequest | undefined } : {}),
  });
}

/** The IAM of one account. */
export function iamRoutes(iam: SimulatedIam, credentialReport: SimulatedCredentialReport): Routes {
  const all = (action: string) => () => [{ action, resource: '*' }];
  const onUser = (action: string) => (i: { UserName?: string }) => [
    { action, resource: iam.userArn(i.UserName ?? '') },
  ];
  const routes: Routes = new Map();
  route(routes, ListUsersCommand, 'ListUsers', all('iam:ListUsers'), (i) => iam.listUsers(i));
  route(routes, ListAccessKeysCommand, 'ListAccessKeys', onUser('iam:ListAccessKeys'), (i) =>
    iam.listAccessKeys(i),
  );
  route(routes, ListUserTagsCommand, 'ListUserTags', onUser('iam:ListUserTags'), (i) => iam.listUserTags(i));
  route(routes, ListGroupsForUserCommand, 'ListGroupsForUser', onUser('iam:ListGroupsForUser'), (i) =>
    iam.listGroupsForUser(i),
  );
  route(
    routes,
    GetAccessKeyLastUsedCommand,
    'GetAccessKeyLastUsed',
    // Authorized on the user that owns the key. For a key no user has, AWS does not document what it
    // authorizes the request on: the simulator authorizes it on the account's users (user/*, which a
    // caller that looks keys up by ID holds anyway) and answers NoSuchEntity, the error IAM's earlier
    // API model listed. Were AWS to answer AccessDenied instead, the exposure path would report the key
    // failed rather than gone, and the admins would check it by hand.
    (i) => [
      {
        action: 'iam:GetAccessKeyLastUsed',
        resource: iam.userArn(iam.ownerOfKey(i.AccessKeyId)?.userName ?? '*'),
      },
    ],
    (i) => iam.getAccessKeyLastUsed(i),
  );
  route(routes, UpdateAccessKeyCommand, 'UpdateAccessKey', onUser('iam:UpdateAccessKey'), (i) =>
    iam.updateAccessKey(i),
  );
  route(routes, DeleteAccessKeyCommand, 'DeleteAccessKey', onUser('iam:DeleteAccessKey'), (i) =>
    iam.deleteAccessKey(i),
  );
  route(
    routes,
    GenerateCredentialReportCommand,
    'GenerateCredentialReport',
    all('iam:GenerateCredentialReport'),
    () => credentialReport.generate(),
  );
  route(routes, GetCredentialReportCommand, 'GetCredentialReport', all('iam:GetCredentialReport'), () =>
    credentialReport.get(),
  );
  return routes;
}

const s3Object = (input: { Bucket?: string; Key?: string }) =>
  `arn:aws:s3:::${input.Bucket ?? ''}/${input.Key ?? ''}`;
const s3Bucket = (input: { Bucket?: string }) => `arn:aws:s3:::${input.Bucket ?? ''}`;

export function s3Routes(s3: SimulatedS3): Routes {
  // A read of a missing object is a 404 only for a caller allowed s3:ListBucket, else a 403 (S3 API
  // reference, GetObject and HeadObject, "Permissions"). That check is evaluated with the object's
  // key as s3:prefix: AWS's documentation does not say so; Ceph's RGW adopted it "to match aws
  // behavior" (ceph/ceph#68577), and keysweep grants ListBucket by prefix only, so an AWS that
  // evaluated it without s3:prefix would answer 403 where this simulator answers 404.
  const listForMissing = (i: { Bucket?: string; Key?: string }) =>
    i.Bucket !== undefined && i.Key !== undefined && !s3.hasObject(i.Bucket, i.Key)
      ? { action: 's3:ListBucket', resource: s3Bucket(i), context: { 's3:prefix': i.Key } }
      : undefined;
  const routes: Routes = new Map();
  route(
    routes,
    PutObjectCommand,
    'PutObject',
    (i) => [{ action: 's3:PutObject', resource: s3Object(i) }],
    (i) => s3.putObject(i),
  );
  route(
    routes,
    GetObjectCommand,
    'GetObject',
    (i) => [{ action: 's3:GetObject', resource: s3Object(i) }],
    (i) => s3.getObject(i),
    listForMissing,
  );
  route(
    routes,
    HeadObjectCommand,
    'HeadObject',
    (i) => [{ action: 's3:GetObject', resource: s3Object(i) }],
    (i) => s3.headObject(i),
    listForMissing,
  );
  route(
    routes,
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
    (i) => s3.listObjectsV2(i),
  );
  route(
    routes,
    DeleteObjectCommand,
    'DeleteObject',
    (i) => [{ action: 's3:DeleteObject', resource: s3Object(i) }],
    (i) => s3.deleteObject(i),
  );
  return routes;
}

export function sesRoutes(ses: SimulatedSes): Routes {
  const routes: Routes = new Map();
  route(
    routes,
    SendEmailCommand,
    'SendEmail',
    (i) => ses.authorizationsFor(i),
    (i) => ses.sendEmail(i),
  );
  return routes;
}
