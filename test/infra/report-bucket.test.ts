import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synthStack, type BuiltStack } from './build-stack';

const BLOCK_ALL = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true,
};

function tlsOnlyStatement(bucketId: string) {
  return Match.objectLike({
    Effect: 'Deny',
    Action: 's3:*',
    Principal: { AWS: '*' },
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    Resource: [
      { 'Fn::GetAtt': [bucketId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
    ],
  });
}

describe.each([
  { label: 'the default retention', config: {}, days: 400 },
  { label: 'a configured retention', config: { reportRetentionDays: 30 }, days: 30 },
])('the report bucket with $label', ({ config, days }) => {
  let built: BuiltStack;
  let bucketId: string;
  let accessLogsId: string;
  beforeAll(() => {
    built = synthStack({ config });
    bucketId = logicalId(built.stack.reportBucket.bucket);
    accessLogsId = logicalId(built.stack.reportBucket.accessLogsBucket);
  });

  test('is encrypted, private, versioned and retained', () => {
    expect(built.template.toJSON().Resources[bucketId]).toMatchObject({
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: BLOCK_ALL,
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('accepts TLS requests only', () => {
    built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([tlsOnlyStatement(bucketId)]) },
    });
  });

  test(`expires runs/ after ${days} days and noncurrent versions after 30 days`, () => {
    built.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'runs/', ExpirationInDays: days, Status: 'Enabled' }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
        ]),
      },
    });
    // Nothing outside runs/ expires (state/ lives as long as the stack).
    const rules = (
      built.template.toJSON().Resources[bucketId] as {
        Properties: { LifecycleConfiguration: { Rules: Record<string, unknown>[] } };
      }
    ).Properties.LifecycleConfiguration.Rules;
    for (const rule of rules.filter((r) => r.ExpirationInDays !== undefined)) {
      expect(rule.Prefix).toBe('runs/');
    }
  });

  test('logs server access to a separate bucket, itself encrypted, private, TLS-only and retained', () => {
    built.template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: accessLogsId } },
    });
    expect(built.template.toJSON().Resources[accessLogsId]).toMatchObject({
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: BLOCK_ALL,
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: days }] },
      },
      DeletionPolicy: 'Retain',
    });
    built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          tlsOnlyStatement(accessLogsId),
          // Log delivery through the bucket policy, only for the report bucket of this account.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });
});
