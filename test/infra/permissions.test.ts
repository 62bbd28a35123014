/**
 * The exact permissions of every role: the set of (action, resource) pairs of all policies
 * attached to it must equal the expected set, so a missing or an extra permission fails.
 */
import { logicalId, pairs, rolePermissions, synthStack, type BuiltStack } from './build-stack';

const PARTITION_ACCOUNT = 'arn:<AWS::Partition>';
const USERS = `${PARTITION_ACCOUNT}:iam::<AWS::AccountId>:user/*`;
const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

type FunctionName = keyof BuiltStack['stack']['functions'];

function names(built: BuiltStack) {
  const bucket = `<${logicalId(built.stack.reportBucket.bucket)}.Arn>`;
  const logGroup = (name: FunctionName) => `<${logicalId(built.stack.functions[name].logGroup)}.Arn>`;
  /** s3:ListBucket on the report bucket, under these prefixes only */
  const listUnder = (...prefixes: string[]) =>
    `s3:ListBucket ${bucket} if ${JSON.stringify({ StringLike: { 's3:prefix': prefixes } })}`;
  return { runs: `${bucket}/runs/*`, state: `${bucket}/state/*`, logGroup, listUnder };
}

const SES_IDENTITY = `${PARTITION_ACCOUNT}:ses:<AWS::Region>:<AWS::AccountId>:identity`;

/** What every function may do: write its own logs and traces. */
function basics(built: BuiltStack, name: FunctionName): string[] {
  return [...pairs(LOG_ACTIONS, [names(built).logGroup(name)]), ...pairs(XRAY, ['*'])];
}

function permissionsOf(built: BuiltStack, name: FunctionName): string[] {
  return [...rolePermissions(built.template, logicalId(built.stack.functions[name].role))].sort();
}

function expected(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

describe('with the default configuration', () => {
  let built: BuiltStack;
  beforeAll(() => {
    built = synthStack();
  });

  test('list-users lists users and reads the credential report, writes runs/, reads and lists state/', () => {
    const { runs, state, listUnder } = names(built);
    expect(permissionsOf(built, 'ListUsers')).toEqual(
      expected(
        basics(built, 'ListUsers'),
        pairs(['iam:ListUsers', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport'], ['*']),
        pairs(['s3:PutObject'], [runs]),
        pairs(['s3:GetObject'], [state]),
        [listUnder('state/*')],
      ),
    );
  });

  test('find-stale-keys reads keys and tags of users (no groups without exemptGroups) and runs/', () => {
    const { runs } = names(built);
    expect(permissionsOf(built, 'FindStaleKeys')).toEqual(
      expected(
        basics(built, 'FindStaleKeys'),
        pairs(['iam:ListAccessKeys', 'iam:ListUserTags', 'iam:GetAccessKeyLastUsed'], [USERS]),
        pairs(['s3:GetObject', 's3:PutObject'], [runs]),
      ),
    );
  });

  test('check-action-limit may only write its logs and traces', () => {
    expect(permissionsOf(built, 'CheckActionLimit')).toEqual(expected(basics(built, 'CheckActionLimit')));
  });

  test('deactivate-key re-reads and deactivates keys, re-reads tags, and cannot delete keys or read groups unless configured', () => {
    expect(permissionsOf(built, 'DeactivateKey')).toEqual(
      expected(
        basics(built, 'DeactivateKey'),
        pairs(['iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:GetAccessKeyLastUsed'], [USERS]),
        // the exemption, read again right before acting
        pairs(['iam:ListUserTags'], [USERS]),
      ),
    );
  });

  test('send-report reads, writes and lists runs/ and state/ and sends email only as the sender identity', () => {
    const { runs, state, listUnder } = names(built);
    expect(permissionsOf(built, 'SendReport')).toEqual(
      expected(
        basics(built, 'SendReport'),
        pairs(['s3:GetObject', 's3:PutObject'], [runs, state]),
        [listUnder('runs/*', 'state/*')],
        // The identity SES checks: the sender's address, or its domain when only that is verified.
        pairs(['ses:SendEmail'], [`${SES_IDENTITY}/keysweep@example.com`, `${SES_IDENTITY}/example.com`]),
      ),
    );
  });

  test('the state machine invokes only the five functions, manages only its own executions, and uses runs/', () => {
    const functionArns = (
      ['ListUsers', 'FindStaleKeys', 'CheckActionLimit', 'DeactivateKey', 'SendReport'] as const
    )
      .map((name) => `<${logicalId(built.stack.functions[name].function)}.Arn>`)
      .flatMap((arn) => [arn, `${arn}:*`]);
    const states = `${PARTITION_ACCOUNT}:states:<AWS::Region>:<AWS::AccountId>`;
    const roleId = logicalId(built.stack.sweep.stateMachine.role);
    expect([...rolePermissions(built.template, roleId)].sort()).toEqual(
      expected(
        pairs(['lambda:InvokeFunction'], functionArns),
        pairs(['states:StartExecution'], [`${states}:stateMachine:KeySweep-KeySweep`]),
        pairs(
          ['states:DescribeExecution', 'states:StopExecution'],
          [`${states}:execution:KeySweep-KeySweep/*`],
        ),
        pairs(['s3:GetObject', 's3:PutObject'], [names(built).runs]),
        // Added by CDK for logging and tracing; these actions accept only *.
        pairs(
          [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          ['*'],
        ),
        pairs([...XRAY, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], ['*']),
      ),
    );
  });

  test('the state machine is named from the stack, so its role needs no reference to it', () => {
    built.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'KeySweep-KeySweep',
    });
  });

  test('the schedule may only start the state machine', () => {
    const rule = built.template.toJSON().Resources[logicalId(built.stack.schedule.rule)] as {
      Properties: { Targets: { RoleArn: { 'Fn::GetAtt': [string, string] } }[] };
    };
    const roleId = rule.Properties.Targets[0]?.RoleArn['Fn::GetAtt'][0] ?? '';
    expect([...rolePermissions(built.template, roleId)]).toEqual([
      `states:StartExecution <${logicalId(built.stack.sweep.stateMachine)}>`,
    ]);
  });

  test('no role has an AWS managed policy, and every role is one of the expected eleven', () => {
    // five sweep functions, the sweep's state machine and schedule; two exposure functions, the
    // exposure state machine and its rule
    const roles = built.template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(11);
    for (const role of Object.values(roles)) {
      expect((role.Properties as Record<string, unknown>).ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('with an SES configuration set and the SES sandbox', () => {
  test('send-report may also send with the configuration set, and to the admins, whose identities SES checks in the sandbox', () => {
    const built = synthStack({
      config: {
        sesConfigurationSet: 'keysweep-events',
        sesSandbox: true,
        adminEmails: ['sec@example.org', 'ops@corp.example.net'],
      },
    });
    const { runs, state, listUnder } = names(built);
    expect(permissionsOf(built, 'SendReport')).toEqual(
      expected(
        basics(built, 'SendReport'),
        pairs(['s3:GetObject', 's3:PutObject'], [runs, state]),
        [listUnder('runs/*', 'state/*')],
        pairs(
          ['ses:SendEmail'],
          [
            `${SES_IDENTITY}/keysweep@example.com`,
            `${SES_IDENTITY}/example.com`,
            `${PARTITION_ACCOUNT}:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/keysweep-events`,
            `${SES_IDENTITY}/sec@example.org`,
            `${SES_IDENTITY}/example.org`,
            `${SES_IDENTITY}/ops@corp.example.net`,
            `${SES_IDENTITY}/corp.example.net`,
          ],
        ),
      ),
    );
  });
});

describe('with exemptGroups and deleteAfterDays set', () => {
  let built: BuiltStack;
  beforeAll(() => {
    built = synthStack({ config: { exemptGroups: ['break-glass'], deleteAfterDays: 180 } });
  });

  test('find-stale-keys may also read group membership', () => {
    expect(permissionsOf(built, 'FindStaleKeys')).toEqual(
      expected(
        basics(built, 'FindStaleKeys'),
        pairs(
          ['iam:ListAccessKeys', 'iam:ListUserTags', 'iam:GetAccessKeyLastUsed', 'iam:ListGroupsForUser'],
          [USERS],
        ),
        pairs(['s3:GetObject', 's3:PutObject'], [names(built).runs]),
      ),
    );
  });

  test('deactivate-key may also delete keys, and re-read group membership', () => {
    expect(permissionsOf(built, 'DeactivateKey')).toEqual(
      expected(
        basics(built, 'DeactivateKey'),
        pairs(
          ['iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:GetAccessKeyLastUsed', 'iam:DeleteAccessKey'],
          [USERS],
        ),
        pairs(['iam:ListUserTags', 'iam:ListGroupsForUser'], [USERS]),
      ),
    );
  });
});
