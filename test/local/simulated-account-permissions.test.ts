/**
 * The simulated account authorizes every call as AWS would: against the caller's identity
 * policies and the resource's policy (iam-simulate), answering a denial with the service's own
 * error, a missing object with 404 only for a caller that may list it, and SES as SES checks
 * identities, the sandbox and configuration sets.
 */
import {
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendEmailCommand, SESClient, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import { SimulatedAccount, type AccountFile } from '../../local/simulated-account';
import type { AccessPolicies, PolicyDocument } from '../../local/simulated-account/permissions';
import type { SesSetup } from '../../local/simulated-account/ses';

const iam = new IAMClient({});
const s3 = new S3Client({});
const ses = new SESClient({});

const ACCOUNT = '123456789012';
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/reader-session`;
const BUCKET = 'reports';

const file: AccountFile = {
  now: '2026-11-28T08:00:00Z',
  users: [
    {
      userName: 'alice',
      accessKeys: [
        { accessKeyId: 'AKIAALICE00000000001', status: 'Active', createDate: '2026-01-01T00:00:00Z' },
      ],
    },
  ],
};

const allow = (Action: string | string[], Resource: string | string[], Condition?: unknown) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

function policies(statements: unknown[], bucketPolicy?: PolicyDocument): AccessPolicies {
  return {
    principals: {
      reader: {
        principalArn: PRINCIPAL,
        identityPolicies: [
          { name: 'ReaderPolicy', policy: { Version: '2012-10-17', Statement: statements } },
        ],
      },
    },
    resourcePolicies: bucketPolicy ? { [`arn:aws:s3:::${BUCKET}`]: bucketPolicy } : {},
  };
}

let account: SimulatedAccount;
let caller: string | undefined;
afterEach(() => account?.uninstall());

function start(statements: unknown[], options: { bucketPolicy?: PolicyDocument; ses?: SesSetup } = {}) {
  caller = 'reader';
  account = new SimulatedAccount(file, {
    now: new Date('2026-11-28T08:00:00Z'),
    authorization: { policies: policies(statements, options.bucketPolicy), caller: () => caller },
    ses: options.ses ?? { verifiedIdentities: ['keysweep@example.com'], sandbox: false },
  }).install();
  account.putObjectText(BUCKET, 'state/key-index.json', '{}');
  return account;
}

describe('IAM', () => {
  it('answers an allowed call and refuses another with IAM AccessDenied (403) naming action and resource', async () => {
    start([allow('iam:ListAccessKeys', `arn:aws:iam::${ACCOUNT}:user/*`)]);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(keys.AccessKeyMetadata).toHaveLength(1);
    const denied = iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000001',
        Status: 'Inactive',
      }),
    );
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${PRINCIPAL} is not authorized to perform: iam:UpdateAccessKey on resource: arn:aws:iam::${ACCOUNT}:user/alice because no identity-based policy allows the iam:UpdateAccessKey action`,
    });
    // Refused before it changed anything, and recorded.
    expect(account.toAccountFile().users[0]?.accessKeys?.[0]?.status).toBe('Active');
    expect(account.calls.at(-1)).toMatchObject({
      operation: 'UpdateAccessKey',
      outcome: 'error',
      error: 'AccessDenied',
    });
    expect(account.denials).toEqual([
      expect.objectContaining({
        caller: 'reader',
        action: 'iam:UpdateAccessKey',
        operation: 'UpdateAccessKey',
      }),
    ]);
  });

  it('authorizes ListUsers on *, and a user ARN pattern does not cover it', async () => {
    start([allow('iam:ListUsers', `arn:aws:iam::${ACCOUNT}:user/*`)]);
    await expect(iam.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a call whose caller the runner did not name', async () => {
    start([allow('iam:ListUsers', '*')]);
    caller = undefined;
    await expect(iam.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'UnknownCaller' });
  });
});

describe('S3', () => {
  const read = (Key: string) => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));

  it('answers a missing object with 403 AccessDenied to a caller that may not list the bucket', async () => {
    start([allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)]);
    await expect(read('state/key-index.json')).resolves.toMatchObject({ ContentLength: 2 });
    await expect(read('state/missing.json')).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::${BUCKET}"`,
      ),
    });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'state/missing.json' })),
    ).rejects.toMatchObject({
      name: 'Forbidden',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('answers it with 404 NoSuchKey when the caller may list that prefix, and 403 outside it', async () => {
    start([
      allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`),
      allow('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { StringLike: { 's3:prefix': ['state/*'] } }),
    ]);
    await expect(read('state/missing.json')).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'state/missing.json' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
    await expect(read('runs/missing.json')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a read without s3:GetObject whether or not the object exists', async () => {
    start([allow('s3:ListBucket', `arn:aws:s3:::${BUCKET}`)]);
    await expect(read('state/key-index.json')).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(read('state/missing.json')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('evaluates s3:prefix for ListObjectsV2', async () => {
    start([allow('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { StringLike: { 's3:prefix': ['state/*'] } })]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'state/' }));
    expect(listed.KeyCount).toBe(1);
    await expect(s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('applies an explicit deny in the bucket policy over an identity allow', async () => {
    start([allow('s3:PutObject', `arn:aws:s3:::${BUCKET}/*`)], {
      bucketPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: PRINCIPAL },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${BUCKET}/state/*`,
          },
        ],
      },
    });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'runs/a.json', Body: '{}' }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'state/a.json', Body: '{}' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('with an explicit deny in a resource-based policy'),
    });
    expect(account.getObjectText(BUCKET, 'state/a.json')).toBeUndefined();
  });
});

describe('SES', () => {
  const identity = (name: string) => `arn:aws:ses:us-east-1:${ACCOUNT}:identity/${name}`;
  const message = (extra: Partial<SendEmailCommandInput> = {}) =>
    new SendEmailCommand({
      Source: 'keysweep@example.com',
      Destination: { ToAddresses: ['admin@corp.example'] },
      Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
      ...extra,
    });

  it('authorizes on the address identity when the address is verified', async () => {
    start([allow('ses:SendEmail', identity('keysweep@example.com'))]);
    await ses.send(message());
    expect(account.emails).toHaveLength(1);
  });

  it('authorizes on the domain identity when only the domain is verified', async () => {
    start([allow('ses:SendEmail', identity('keysweep@example.com'))], {
      ses: { verifiedIdentities: ['example.com'], sandbox: false },
    });
    await expect(ses.send(message())).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User \`${PRINCIPAL}' is not authorized to perform \`ses:SendEmail' on resource \`${identity('example.com')}'`,
    });
    account.uninstall();
    start([allow('ses:SendEmail', identity('example.com'))], {
      ses: { verifiedIdentities: ['example.com'], sandbox: false },
    });
    await ses.send(message());
    expect(account.emails).toHaveLength(1);
  });

  it('rejects a sender that is not verified, as SES does', async () => {
    start([allow('ses:SendEmail', '*')], { ses: { verifiedIdentities: ['other.example'], sandbox: false } });
    await expect(ses.send(message())).rejects.toMatchObject({
      name: 'MessageRejected',
      message:
        'Email address is not verified. The following identities failed the check in region US-EAST-1: keysweep@example.com',
    });
  });

  it('in the sandbox, rejects unverified recipients and authorizes on each recipient identity', async () => {
    const sandbox = { verifiedIdentities: ['keysweep@example.com', 'corp.example'], sandbox: true };
    start([allow('ses:SendEmail', identity('keysweep@example.com'))], { ses: sandbox });
    await expect(ses.send(message())).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(identity('corp.example')),
    });
    account.uninstall();
    start([allow('ses:SendEmail', [identity('keysweep@example.com'), identity('corp.example')])], {
      ses: sandbox,
    });
    await ses.send(message());
    await expect(
      ses.send(message({ Destination: { ToAddresses: ['admin@corp.example', 'someone@gmail.example'] } })),
    ).rejects.toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('failed the check in region US-EAST-1: someone@gmail.example'),
    });
    expect(account.emails).toHaveLength(1);
  });

  it('authorizes on the configuration set too, and refuses one that does not exist', async () => {
    const setup = {
      verifiedIdentities: ['keysweep@example.com'],
      sandbox: false,
      configurationSets: ['events'],
    };
    start([allow('ses:SendEmail', identity('keysweep@example.com'))], { ses: setup });
    await expect(ses.send(message({ ConfigurationSetName: 'events' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`configuration-set/events`),
    });
    account.uninstall();
    start(
      [
        allow('ses:SendEmail', [
          identity('keysweep@example.com'),
          `arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/*`,
        ]),
      ],
      { ses: setup },
    );
    await ses.send(message({ ConfigurationSetName: 'events' }));
    await expect(ses.send(message({ ConfigurationSetName: 'gone' }))).rejects.toMatchObject({
      name: 'ConfigurationSetDoesNotExistException',
    });
  });

  it('evaluates the SES condition keys (ses:FromAddress)', async () => {
    start([allow('ses:SendEmail', '*', { StringEquals: { 'ses:FromAddress': 'other@example.com' } })]);
    await expect(ses.send(message())).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
