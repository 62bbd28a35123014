/**
 * Error texts that may hold an access key ID, masked before anything records them.
 *
 * IAM puts the key ID in its error messages ("The Access Key with id AKIA... cannot be found.")
 * and so may a handler's own error. Whoever gets an error next may write it down: the X-Ray SDK
 * records an AWS call's error (message and stack) in the call's subsegment, Powertools' tracer the
 * handler's error in the handler's subsegment, and the Lambda runtime logs a handler's error. So
 * errors are masked in place, at the two places they come from: the SDK client and the handler.
 */
import { redactAccessKeyIds } from './masking';

/**
 * Masks every access key ID in an error's message, stack and other text fields, in place: the
 * error keeps its class and name (so `instanceof` and error matching still work), its text shows
 * masked IDs only.
 */
export function redactKeyIdsInError(error: unknown): void {
  if (!(error instanceof Error)) return;
  error.message = redactAccessKeyIds(error.message);
  // The stack begins with the message as it was when the error was made.
  if (typeof error.stack === 'string') error.stack = redactAccessKeyIds(error.stack);
  const fields = error as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') fields[name] = redactAccessKeyIds(value);
  }
}

/** The name of the SDK middleware that masks key IDs in a call's error. */
export const REDACT_KEY_IDS_MIDDLEWARE = 'keysweepRedactKeyIds';

/** The part of an AWS SDK v3 client's middleware stack this module uses. */
interface MiddlewareStackLike {
  add(
    middleware: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>,
    options: { step: 'build'; priority: 'low'; name: string; override: boolean },
  ): void;
}

/**
 * Masks key IDs in the errors of every call the client makes, before the X-Ray SDK sees them.
 *
 * The X-Ray SDK's middleware (`XRaySDKInstrumentation`, added by `captureAWSv3Client`) sits in the
 * `build` step at normal priority and records the error that comes back through it. This one sits
 * in the same step at low priority, which the SDK runs inside it: the error passes here first.
 * It is also outside the retry middleware (`finalizeRequest` step), so it sees each call's final
 * error once. Whether tracing is on or not, the caller gets the masked error.
 */
export function redactKeyIdsInSdkErrors<C extends { middlewareStack: MiddlewareStackLike }>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        redactKeyIdsInError(error);
        throw error;
      }
    },
    { step: 'build', priority: 'low', name: REDACT_KEY_IDS_MIDDLEWARE, override: true },
  );
  return client;
}
