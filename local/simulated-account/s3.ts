/** The S3 of a simulated account: in-memory buckets and objects, created on first write. */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  NoSuchKey,
  NotFound,
  type DeleteObjectCommandInput,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type HeadObjectCommandInput,
  type HeadObjectCommandOutput,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { s3InvalidArgument, s3PreconditionFailed } from './aws-errors';
import { compareStrings, firstIndexAfter } from './pagination';

interface S3Object {
  body: Buffer;
  contentType?: string;
  lastModified: Date;
  etag: string;
}

type Output<T> = Omit<T, '$metadata'>;

export class SimulatedS3 {
  private readonly buckets = new Map<string, Map<string, S3Object>>();

  constructor(private readonly nowMs: number) {}

  getObjectText(bucket: string, key: string): string | undefined {
    return this.buckets.get(bucket)?.get(key)?.body.toString('utf8');
  }

  putObjectText(bucket: string, key: string, body: string): void {
    this.store(bucket, key, Buffer.from(body, 'utf8'), undefined);
  }

  hasObject(bucket: string, key: string): boolean {
    return this.buckets.get(bucket)?.has(key) ?? false;
  }

  /** Keys in a bucket, sorted, optionally only those starting with `prefix`. */
  listObjectKeys(bucket: string, prefix = ''): string[] {
    const objects = this.buckets.get(bucket);
    if (!objects) return [];
    return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareStrings);
  }

  /**
   * PutObject, with S3's conditional write: `If-None-Match: *` writes only when no object has the key,
   * else 412 PreconditionFailed (S3 User Guide, "How to prevent object overwrites with conditional
   * writes"). Calls here never overlap, so S3's 409 ConditionalRequestConflict for two such writes at the
   * same moment does not happen locally. `If-Match` is not used by keysweep and refused.
   */
  putObject(input: PutObjectCommandInput): Output<PutObjectCommandOutput> {
    const { bucket, key } = requireBucketKey(input, 'PutObject');
    if (input.IfMatch !== undefined)
      throw new Error('The simulated account does not support PutObject If-Match');
    if (input.IfNoneMatch !== undefined) {
      if (input.IfNoneMatch !== '*') throw s3InvalidArgument('If-None-Match accepts only *');
      if (this.hasObject(bucket, key)) throw s3PreconditionFailed('If-None-Match');
    }
    const body = input.Body;
    let buffer: Buffer;
    if (body === undefined) buffer = Buffer.alloc(0);
    else if (typeof body === 'string') buffer = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) buffer = Buffer.from(body);
    else
      throw new Error('The simulated account accepts only a string, Buffer or Uint8Array as PutObject Body');
    const object = this.store(bucket, key, buffer, input.ContentType);
    return { ETag: object.etag };
  }

  getObject(input: GetObjectCommandInput): Output<GetObjectCommandOutput> {
    const object = this.lookup(input, 'GetObject');
    if (!object) {
      throw new NoSuchKey({
        message: 'The specified key does not exist.',
        $metadata: { httpStatusCode: 404 },
      });
    }
    return {
      Body: sdkStreamMixin(Readable.from([object.body])),
      ContentLength: object.body.length,
      ContentType: object.contentType ?? 'application/octet-stream',
      ETag: object.etag,
      LastModified: object.lastModified,
    };
  }

  headObject(input: HeadObjectCommandInput): Output<HeadObjectCommandOutput> {
    const object = this.lookup(input, 'HeadObject');
    if (!object) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return {
      ContentLength: object.body.length,
      ContentType: object.contentType ?? 'application/octet-stream',
      ETag: object.etag,
      LastModified: object.lastModified,
    };
  }

  listObjectsV2(input: ListObjectsV2CommandInput): Output<ListObjectsV2CommandOutput> {
    if (!input.Bucket) throw new Error('The simulated account needs Bucket for ListObjectsV2');
    const maxKeys = Math.min(input.MaxKeys ?? 1000, 1000);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw s3InvalidArgument('Invalid MaxKeys');
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter || undefined;
    let after = input.StartAfter ?? '';
    if (input.ContinuationToken !== undefined) {
      const decoded = decodeToken(input.ContinuationToken);
      if (decoded === undefined) throw s3InvalidArgument('The continuation token provided is incorrect');
      after = decoded;
    }
    const keys = this.listObjectKeys(input.Bucket, prefix);
    const objects = this.buckets.get(input.Bucket);
    const contents: { Key: string; Size: number; LastModified: Date; ETag: string }[] = [];
    const commonPrefixes: { Prefix: string }[] = [];
    let i = firstIndexAfter(keys, after);
    let last = after;
    for (; i < keys.length && contents.length + commonPrefixes.length < maxKeys; i++) {
      const key = keys[i] as string;
      if (key <= last) continue;
      const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
      if (delimiter !== undefined && cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        commonPrefixes.push({ Prefix: common });
        last = `${common}\uffff`;
        continue;
      }
      const object = objects?.get(key) as S3Object;
      contents.push({
        Key: key,
        Size: object.body.length,
        LastModified: object.lastModified,
        ETag: object.etag,
      });
      last = key;
    }
    const truncated = keys.slice(i).some((k) => k > last);
    const out: Output<ListObjectsV2CommandOutput> = {
      Name: input.Bucket,
      Prefix: prefix,
      MaxKeys: maxKeys,
      KeyCount: contents.length + commonPrefixes.length,
      IsTruncated: truncated,
    };
    if (contents.length > 0) out.Contents = contents;
    if (commonPrefixes.length > 0) out.CommonPrefixes = commonPrefixes;
    if (delimiter !== undefined) out.Delimiter = delimiter;
    if (input.ContinuationToken !== undefined) out.ContinuationToken = input.ContinuationToken;
    if (input.StartAfter !== undefined) out.StartAfter = input.StartAfter;
    if (truncated) out.NextContinuationToken = Buffer.from(`o:${last}`, 'utf8').toString('base64');
    return out;
  }

  deleteObject(input: DeleteObjectCommandInput): object {
    const { bucket, key } = requireBucketKey(input, 'DeleteObject');
    this.buckets.get(bucket)?.delete(key);
    return {};
  }

  private store(bucket: string, key: string, body: Buffer, contentType: string | undefined): S3Object {
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    const object: S3Object = {
      body,
      lastModified: new Date(this.nowMs),
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
    };
    if (contentType !== undefined) object.contentType = contentType;
    objects.set(key, object);
    return object;
  }

  private lookup(input: { Bucket?: string; Key?: string }, operation: string): S3Object | undefined {
    const { bucket, key } = requireBucketKey(input, operation);
    return this.buckets.get(bucket)?.get(key);
  }
}

export function requireBucketKey(
  input: { Bucket?: string; Key?: string },
  operation: string,
): { bucket: string; key: string } {
  if (!input.Bucket || !input.Key)
    throw new Error(`The simulated account needs Bucket and Key for ${operation}`);
  return { bucket: input.Bucket, key: input.Key };
}

function decodeToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64').toString('utf8');
  return text.startsWith('o:') && Buffer.from(text, 'utf8').toString('base64') === token
    ? text.slice(2)
    : undefined;
}
