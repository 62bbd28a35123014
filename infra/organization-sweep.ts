/**
 * The hub's organization run (organization.enabled): the list-accounts, check-organization-limit
 * and send-organization-report functions and the organization state machine
 * (statemachine/organization-sweep.asl.json), which runs each account's sweep as an execution of
 * the account state machine of its own (nested, `states:startExecution.sync:2`).
 *
 * The role of a state machine that starts another and waits for it (".sync") needs
 * states:StartExecution on that state machine, states:DescribeExecution and StopExecution on its
 * executions, and events:PutTargets, PutRule and DescribeRule on the managed rule
 * StepFunctionsGetEventsForStepFunctionsExecutionRule, through which Step Functions learns that the
 * nested execution ended (Step Functions developer guide, "IAM policies for ... Step Functions"
 * (stepfunctions-iam.html), Synchronous). Its own distributed maps need StartExecution on itself and
 * Describe/StopExecution on its own executions, as the account state machine's do.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { KeysweepConfig } from '../functions/shared/config';
import { functionConfigJson } from './config';
import { ORGANIZATION_FUNCTION_TIMEOUT_SECONDS } from '../functions/shared/retry-budget';
import { KeysweepFunction } from './constructs/keysweep-function';
import type { ReportBucket } from './constructs/report-bucket';
import { SweepStateMachine } from './constructs/sweep-state-machine';
import type { HubOrganizationAccess } from './hub-organization-access';
import { ORGANIZATION_ASL_FILE } from './paths';
import type { Permission } from './permissions';

/** The managed rule a .sync integration with Step Functions puts its targets on. */
export const SYNC_EVENTS_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

export interface OrganizationSweepProps {
  readonly config: KeysweepConfig;
  readonly access: HubOrganizationAccess;
  readonly reportBucket: ReportBucket;
  readonly runsPrefix: string;
  readonly runObjects: string;
  readonly runsReason: string;
  readonly sesPermissions: readonly Permission[];
  readonly accountStateMachineName: string;
  readonly stateMachineName: string;
  readonly version: string;
}

export interface OrganizationSweep {
  readonly functions: {
    ListAccounts: KeysweepFunction;
    CheckOrganizationLimit: KeysweepFunction;
    SendOrganizationReport: KeysweepFunction;
  };
  readonly stateMachine: SweepStateMachine;
}

export function organizationSweep(scope: Construct, props: OrganizationSweepProps): OrganizationSweep {
  const stack = Stack.of(scope);
  const { config, version, runObjects, reportBucket } = props;
  const environment = {
    KEYSWEEP_CONFIG: functionConfigJson(config),
    KEYSWEEP_VERSION: version,
    REPORT_BUCKET: reportBucket.bucket.bucketName,
  };
  const runs = (actions: string[]): Permission => ({
    actions,
    resources: [runObjects],
    wildcardReason: props.runsReason,
  });
  const timeout = (name: keyof typeof ORGANIZATION_FUNCTION_TIMEOUT_SECONDS) =>
    Duration.seconds(ORGANIZATION_FUNCTION_TIMEOUT_SECONDS[name]);

  const listAccounts = new KeysweepFunction(scope, 'ListAccounts', {
    name: 'list-accounts',
    ...props.access.roleOf('list-accounts'),
    purpose:
      "lists the organization's accounts to sweep (through the org reader role) and writes them in batches",
    version,
    timeout: timeout('list-accounts'),
    memorySize: 512,
    environment,
    permissions: [props.access.orgReaderAccess, runs(['s3:PutObject'])],
  });
  const checkOrganizationLimit = new KeysweepFunction(scope, 'CheckOrganizationLimit', {
    name: 'check-organization-limit',
    purpose: "adds up every account's planned changes and applies maxActionsPerOrgRun",
    version,
    timeout: timeout('check-organization-limit'),
    memorySize: 512,
    environment,
    // Every plans file exists by then: the map run that writes them has succeeded (else the run went
    // straight to the summary), so no read needs S3's 404 (s3:ListBucket).
    permissions: [runs(['s3:GetObject', 's3:PutObject'])],
  });
  const sendOrganizationReport = new KeysweepFunction(scope, 'SendOrganizationReport', {
    name: 'send-organization-report',
    purpose: 'assembles the organization summary, stores it with its email and emails the admins',
    version,
    timeout: timeout('send-organization-report'),
    memorySize: 1024,
    environment,
    // The files of a failed account (unreachable.json or account-summary.json) may be missing.
    permissions: [
      runs(['s3:GetObject', 's3:PutObject']),
      reportBucket.listUnder(props.runsPrefix),
      ...props.sesPermissions,
    ],
  });

  const arn = (resource: string, resourceName: string, service = 'states') =>
    stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const accountStateMachineArn = arn('stateMachine', props.accountStateMachineName);
  const stateMachine = new SweepStateMachine(scope, 'OrganizationSweep', {
    stateMachineName: props.stateMachineName,
    definitionFile: ORGANIZATION_ASL_FILE,
    functions: {
      ListAccounts: listAccounts.function,
      CheckOrganizationLimit: checkOrganizationLimit.function,
      SendOrganizationReport: sendOrganizationReport.function,
    },
    substitutions: { KeySweepStateMachineArn: accountStateMachineArn },
    reportBucketName: reportBucket.bucket.bucketName,
    runObjectsArn: runObjects,
    version,
    permissions: [
      // the nested account executions (startExecution.sync:2)
      { actions: ['states:StartExecution'], resources: [accountStateMachineArn] },
      {
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [arn('execution', `${props.accountStateMachineName}:*`)],
        wildcardReason:
          "Each account's plan and act executions of the account state machine, named at run time " +
          '(<account>-<phase>-<organization execution>); the .sync integration describes and, on a stop, stops them.',
      },
      {
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: SYNC_EVENTS_RULE,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      },
    ],
  });
  return {
    functions: {
      ListAccounts: listAccounts,
      CheckOrganizationLimit: checkOrganizationLimit,
      SendOrganizationReport: sendOrganizationReport,
    },
    stateMachine,
  };
}
