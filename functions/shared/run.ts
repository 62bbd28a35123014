/**
 * The run descriptor that ListUsers creates and every later state carries: small and fixed in
 * size. Its start time is the run's clock, so every Lambda of one run judges keys at one instant.
 */
import { z } from 'zod';
import { runAccountSchema } from './organization';

export const runSchema = z.object({
  executionId: z.string().min(1),
  executionName: z.string().min(1),
  startedAt: z.iso.datetime({ offset: true }),
  mode: z.enum(['enforce', 'report']),
  /** where the mode came from: the configuration, or an execution input asking for report mode */
  modeSource: z.enum(['config', 'input']),
  /** S3 prefix of this run's files: runs/<date>/<execution name>/ */
  prefix: z.string().min(1),
  batchCount: z.number().int().min(0),
  discovery: z.object({
    source: z.enum(['full-scan', 'credential-report']),
    reason: z.string(),
    usersInAccount: z.number().int().min(0),
    usersToRead: z.number().int().min(0),
    credentialReportGeneratedAt: z.string().nullable(),
  }),
  version: z.string(),
  /**
   * why this run deletes nothing although deleteAfterDays is set (the key index is missing or
   * unreadable: keysweep cannot tell how long a key has been inactive), or null
   */
  deletionPaused: z.string().nullable().default(null),
  /** in an organization: the account this run sweeps (absent in a single-account deployment) */
  account: runAccountSchema.optional(),
});
export type Run = z.infer<typeof runSchema>;

export function runClock(run: Pick<Run, 'startedAt'>): Date {
  return new Date(run.startedAt);
}

/** Parses a Lambda event with a schema; the error names the handler and the fields that are wrong. */
export function parseEvent<T extends z.ZodType>(schema: T, event: unknown, handlerName: string): z.output<T> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
  throw new InvalidEventError(`${handlerName} received an event it cannot use: ${problems}`);
}

export class InvalidEventError extends Error {
  override name = 'InvalidEvent';
}

/** arn:aws:states:<region>:<account>:execution:<machine>:<name> → console link and account. */
export function consoleLinkOf(executionId: string): { url: string | null; accountId: string | null } {
  const parts = executionId.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'states') return { url: null, accountId: null };
  const region = parts[3] ?? '';
  const domain =
    parts[1] === 'aws-cn'
      ? 'console.amazonaws.cn'
      : parts[1] === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : 'console.aws.amazon.com';
  return {
    url: `https://${region}.${domain}/states/home?region=${region}#/v2/executions/details/${executionId}`,
    accountId: parts[4] ?? null,
  };
}

/** The account and partition of an execution: arn:<partition>:states:<region>:<account>:execution:... */
export function executionAccount(executionId: string): { accountId: string; partition: string } | null {
  const parts = executionId.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'states' || !/^\d{12}$/.test(parts[4] ?? '')) {
    return null;
  }
  return { partition: parts[1] as string, accountId: parts[4] as string };
}
