/**
 * Who runs `npm run plan -- --org`: the account of the plan's credentials, from STS
 * GetCallerIdentity, which is also the plan's first call and so tries the credentials before
 * anything else runs. An organization plan runs as the hub (the account the organization's roles
 * trust, `organization.hubAccountId`): credentials of another account are refused in one line, as
 * a plan made from them would not be the hub's.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { ExitError } from '../cli';
import { briefError, credentialsMessage, isCredentialError } from './aws-credentials';

export interface HubIdentity {
  /** the hub account: the credentials' account, which organization.hubAccountId names too */
  accountId: string;
  /** the principal the plan runs as (a role session, a user), as STS names it */
  arn: string;
}

export async function identifyHub(
  sts: STSClient,
  hubAccountId: string,
  profile: string | undefined,
): Promise<HubIdentity> {
  let identity;
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    if (isCredentialError(error)) throw new ExitError(credentialsMessage(error, profile), 2);
    throw new ExitError(`STS could not tell who these credentials are (${briefError(error)})`, 1);
  }
  const accountId = identity.Account ?? '';
  if (accountId !== hubAccountId) {
    throw new ExitError(
      `these credentials are of account ${accountId || '(none given)'}, but organization.hubAccountId is ${hubAccountId}: ` +
        "plan --org runs as the hub; use the hub account's credentials (--profile), or correct hubAccountId in --config",
      2,
    );
  }
  return { accountId, arn: identity.Arn ?? '(unknown principal)' };
}
