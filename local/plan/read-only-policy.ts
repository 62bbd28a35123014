/**
 * The IAM policy `npm run plan` needs: exactly the IAM reads the functions make, on the resources
 * the deployed stack grants them on (infra/key-sweep-stack.ts), and nothing else. S3 and SES stay
 * on the machine that runs the plan, so they need no permission.
 *
 * test/local/plan/read-only-policy.test.ts checks that these actions are the reads among the IAM commands
 * the functions import, and that the stack grants each of them on these resources.
 */

/** Accept only `*` as their resource (AWS Service Authorization Reference, IAM). */
export const ACCOUNT_WIDE_READS = [
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'iam:ListUsers',
];

/** Authorized on the user they read about. */
export const USER_READS = [
  'iam:GetAccessKeyLastUsed',
  'iam:ListAccessKeys',
  // read only when exemptGroups is set; in the policy so that one policy fits any configuration
  'iam:ListGroupsForUser',
  'iam:ListUserTags',
];

/** Every user of the account the policy is attached in, at any path. */
export const USERS_RESOURCE = 'arn:aws:iam::*:user/*';

export const PLAN_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'KeysweepPlanAccountReads',
      Effect: 'Allow',
      Action: ACCOUNT_WIDE_READS,
      Resource: '*',
    },
    {
      Sid: 'KeysweepPlanUserReads',
      Effect: 'Allow',
      Action: USER_READS,
      Resource: USERS_RESOURCE,
    },
  ],
} as const;

export const planPolicyJson = (): string => `${JSON.stringify(PLAN_POLICY, null, 2)}\n`;
