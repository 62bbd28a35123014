/**
 * What an IAM error says about the plan's credentials, in one line that says what to do.
 *
 * No credentials, or credentials IAM no longer accepts, surface as (AWS SDK v3):
 * - CredentialsProviderError: the default chain found none, or a profile cannot give any (not
 *   found, an SSO session expired or invalid: "To refresh this SSO session run aws sso login with
 *   the corresponding profile."); TokenProviderError: an SSO token missing or expired;
 * - IAM's answers to a signed request: ExpiredToken (temporary credentials past their end),
 *   InvalidClientTokenId (a key ID or session token IAM does not know), SignatureDoesNotMatch (a
 *   wrong secret), and UnrecognizedClientException, InvalidAccessKeyId, ExpiredTokenException
 *   (the same from JSON-protocol services and endpoints that answer so).
 * Permission errors (AccessDenied) are another matter: the credentials are good, their policy too
 * narrow for the plan.
 */
import { redactAccessKeyIds } from '../../functions/shared/masking';

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
]);

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

const nameOf = (error: unknown) =>
  error !== null && typeof error === 'object' && typeof Reflect.get(error, 'name') === 'string'
    ? (Reflect.get(error, 'name') as string)
    : '';

export const isCredentialError = (error: unknown): boolean => CREDENTIAL_ERRORS.has(nameOf(error));
export const isAccessDenied = (error: unknown): boolean => ACCESS_DENIED.has(nameOf(error));

/** "Name: first line of the message", key IDs masked, at most 200 characters. */
export function briefError(error: unknown): string {
  const message =
    error !== null && typeof error === 'object' && typeof Reflect.get(error, 'message') === 'string'
      ? (Reflect.get(error, 'message') as string)
      : String(error);
  const firstLine = message.split(/\r?\n/)[0]?.trim() ?? '';
  const text = redactAccessKeyIds(`${nameOf(error) || 'Error'}${firstLine ? `: ${firstLine}` : ''}`);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The one line for credentials that do not work, naming the profile when one was given. */
export function credentialsMessage(error: unknown, profile: string | undefined): string {
  const login = `run \`aws sso login --profile ${profile ?? 'NAME'}\``;
  const otherwise =
    profile === undefined
      ? 'or set AWS_PROFILE (or --profile) to a profile with valid credentials'
      : `or refresh the credentials of profile ${profile}`;
  return `no valid AWS credentials (${briefError(error)}): ${login} ${otherwise}`;
}

/** The one line for credentials whose policy does not allow the plan's reads. */
export function accessDeniedMessage(error: unknown): string {
  return (
    `these AWS credentials may not read IAM (${briefError(error)}): ` +
    'attach the read-only policy that `npm run plan -- --print-policy` prints'
  );
}
