/** JSON and text objects in the report bucket. */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export async function putText(s3: S3Client, bucket: string, key: string, body: string, contentType: string) {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await putText(s3, bucket, key, JSON.stringify(value), 'application/json');
}

/** The object's parsed JSON, or undefined when there is no such object. */
export async function getJsonIfExists(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await response.Body?.transformToString();
    if (text === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey'))
      return undefined;
    throw error;
  }
}

export async function getJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const value = await getJsonIfExists(s3, bucket, key);
  if (value === undefined) throw new Error(`s3://${bucket}/${key} does not exist`);
  return value;
}
