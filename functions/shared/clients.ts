/** The SDK clients, created once per Lambda container and passed into the logic as arguments. */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';

export const iam = new IAMClient({});
export const s3 = new S3Client({});
export const ses = new SESClient({});
