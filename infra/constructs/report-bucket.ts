/**
 * The report bucket: every run's audit record (batches, decisions, results, the report and the
 * rendered email under runs/, state kept between runs under state/). Encrypted, private,
 * TLS-only, versioned and retained; runs/ expires after `reportRetentionDays`. Its server
 * access logs go to a separate bucket with the same protections, so reads of the reports
 * (which hold full key IDs) leave a trail.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import type { Permission } from '../permissions';

/** Where each run writes its files: runs/<date>/<execution name>/... */
export const RUNS_PREFIX = 'runs/';
/** What keysweep keeps between runs. */
export const STATE_PREFIX = 'state/';

const NONCURRENT_VERSION_DAYS = 30;

export interface ReportBucketProps {
  /** How long the run records under runs/ (and the access logs) are kept. */
  readonly reportRetentionDays: number;
}

export class ReportBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ReportBucketProps) {
    super(scope, id);
    // Let S3 deliver access logs through a bucket policy (logging.s3.amazonaws.com, limited to
    // the report bucket and this account) rather than the legacy LogDeliveryWrite ACL, which
    // a bucket with ACLs disabled (BUCKET_OWNER_ENFORCED) cannot use.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to an SSE-S3 encrypted bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.reportRetentionDays) }],
    });
    acknowledge(
      this.accessLogsBucket,
      'AwsSolutions-S1',
      'This bucket receives the report bucket server access logs; logging it into itself would loop and ' +
        'a third bucket would only move the finding.',
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'report-bucket/',
      lifecycleRules: [
        {
          id: 'expire-run-records',
          prefix: RUNS_PREFIX,
          expiration: Duration.days(props.reportRetentionDays),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
  }

  /**
   * Listing the bucket under these prefixes only. A read of a missing object answers 404
   * NoSuchKey to a caller allowed s3:ListBucket and 403 AccessDenied to any other (S3 API
   * reference, GetObject, "Permissions"), and keysweep reads objects that may not exist yet (the
   * key index before the first run, owner-notifications.json, the files of a partial sweep).
   */
  public listUnder(...prefixes: string[]): Permission {
    return {
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
    };
  }

  /** The object ARN pattern of a prefix, e.g. `arn:...:<bucket>/runs/*`. */
  public objectsUnder(prefix: string): string {
    return this.bucket.arnForObjects(`${prefix}*`);
  }
}
