/** A rendered email kept in the report bucket beside the report: its HTML and its plain text. */
import type { S3Client } from '@aws-sdk/client-s3';
import { putText } from '../shared/s3-json';
import type { RenderedEmail } from './render-admin-email';

export async function storeEmail(
  s3: S3Client,
  bucket: string,
  keys: { html: string; text: string },
  email: RenderedEmail,
): Promise<void> {
  await putText(s3, bucket, keys.html, email.html, 'text/html; charset=utf-8');
  await putText(s3, bucket, keys.text, email.text, 'text/plain; charset=utf-8');
}
