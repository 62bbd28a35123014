/**
 * The keysweep stack: five Lambdas, the report bucket, the state machine that runs them, the
 * schedule that starts it and the alarms that watch it; and the exposure path (two Lambdas, a state
 * machine and the rule on AWS Health's exposed-key events).
 */
import { ArnFormat, CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { KeysweepConfig } from '../functions/shared/config';
import { functionConfigJson } from './config';
import { FUNCTION_TIMEOUT_SECONDS } from '../functions/shared/retry-budget';
import { KeysweepFunction } from './constructs/keysweep-function';
import { ExposedKeyResponse } from './constructs/exposed-key-response';
import { ReportBucket, RUNS_PREFIX, STATE_PREFIX } from './constructs/report-bucket';
import { SweepAlarms } from './constructs/sweep-alarms';
import { SweepSchedule } from './constructs/sweep-schedule';
import { SweepStateMachine, type SweepFunctionName } from './constructs/sweep-state-machine';
import { exposureStateMachineName } from './exposed-keys';
import type { Permission } from './permissions';
import { HubOrganizationAccess } from './hub-organization-access';
import {
  ACCOUNT_WIDE_REASON,
  deactivateKeyActions,
  deactivateKeyExemptionActions,
  findStaleKeysActions,
  LIST_USERS_ACTIONS,
} from './sweep-iam-actions';
import { organizationSweep, type OrganizationSweep } from './organization-sweep';
import type { BuildVersion } from './version';

export interface KeySweepStackProps extends StackProps {
  readonly config: KeysweepConfig;
  readonly buildVersion: BuildVersion;
}

const USERS_REASON =
  'keysweep examines the access keys of every IAM user of the account, whose names are known only at ' +
  'run time; user/* (users of any path, nothing but users) is the narrowest ARN that covers them.';
const RUNS_REASON =
  'Each run writes and reads its own files under runs/<date>/<execution name>/, names known only at ' +
  'run time; limited to the runs/ prefix of the report bucket.';
const STATE_REASON =
  'The state keysweep keeps between runs (state/key-index.json: the keys seen and which keysweep ' +
  'deactivated) lives under state/; limited to the state/ prefix of the report bucket.';

export class KeySweepStack extends Stack {
  public readonly reportBucket: ReportBucket;
  public readonly functions: Readonly<Record<SweepFunctionName, KeysweepFunction>>;
  public readonly sweep: SweepStateMachine;
  public readonly schedule: SweepSchedule;
  public readonly alarms: SweepAlarms;
  /** With organization.enabled: the fixed role names and the cross-account grants (else undefined). */
  public readonly organization: HubOrganizationAccess | undefined;
  /** With organization.enabled: the role of the list-accounts function (it alone assumes the org reader). */
  public readonly listAccountsRole: iam.Role | undefined;
  /** With organization.enabled: the organization run (its functions and state machine), else undefined. */
  public readonly organizationSweep: OrganizationSweep | undefined;
  /** The exposure path: AWS Health's exposed-key events deactivate the key at once (exposed-key-response.ts). */
  public readonly exposure: ExposedKeyResponse;

  constructor(scope: Construct, id: string, props: KeySweepStackProps) {
    super(scope, id, props);
    const { config, buildVersion } = props;
    const { version } = buildVersion;

    Tags.of(this).add('Project', 'keysweep');
    Tags.of(this).add('keysweep:version', version);
    Tags.of(this).add('keysweep:commit', buildVersion.commit);

    this.reportBucket = new ReportBucket(this, 'ReportBucket', {
      reportRetentionDays: config.reportRetentionDays,
    });
    const runObjects = this.reportBucket.objectsUnder(RUNS_PREFIX);
    const stateObjects = this.reportBucket.objectsUnder(STATE_PREFIX);
    const usersArn = this.formatArn({
      service: 'iam',
      region: '',
      resource: 'user',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const sesArn = (resource: string, resourceName: string) =>
      this.formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // SES authorizes a message on the sender's identity: the address identity when the address is
    // verified, else its domain's; so both, and nothing else, may be used to send.
    const identitiesOf = (address: string) => [address, address.slice(address.lastIndexOf('@') + 1)];
    const sesPermissions: Permission[] = [
      {
        actions: ['ses:SendEmail'],
        resources: identitiesOf(config.senderEmail).map((identity) => sesArn('identity', identity)),
      },
    ];
    if (config.sesConfigurationSet !== null) {
      // A message sent with a configuration set is authorized on the set too.
      sesPermissions.push({
        actions: ['ses:SendEmail'],
        resources: [sesArn('configuration-set', config.sesConfigurationSet)],
      });
    }
    if (config.sesSandbox) {
      // In the sandbox SES authorizes a message on every recipient's identity as well.
      sesPermissions.push({
        actions: ['ses:SendEmail'],
        resources: [...new Set(config.adminEmails.flatMap(identitiesOf))].map((identity) =>
          sesArn('identity', identity),
        ),
      });
    }

    // An organization hub: the roles that work in member accounts get fixed names and may assume the
    // member role there (hub-organization-access.ts). Off: nothing of this exists.
    const org = config.organization.enabled ? new HubOrganizationAccess(config) : undefined;
    this.organization = org;

    const ownAccount = (permissions: Permission[]): Permission[] => (org ? [] : permissions);
    const baseEnvironment = {
      KEYSWEEP_CONFIG: functionConfigJson(config),
      KEYSWEEP_VERSION: version,
    };
    const withBucket = { ...baseEnvironment, REPORT_BUCKET: this.reportBucket.bucket.bucketName };

    const listUsers = new KeysweepFunction(this, 'ListUsers', {
      name: 'list-users',
      ...org?.roleOf('list-users'),
      purpose: 'lists the IAM users to examine and writes them to the report bucket in batches',
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['list-users']),
      memorySize: 512,
      environment: withBucket,
      permissions: [
        // In an organization every account is swept through its member role (the hub's too), so the
        // hub's function roles hold no IAM permission of their own (functions/shared/organization.ts).
        ...ownAccount([
          { actions: LIST_USERS_ACTIONS, resources: ['*'], wildcardReason: ACCOUNT_WIDE_REASON },
        ]),
        { actions: ['s3:PutObject'], resources: [runObjects], wildcardReason: RUNS_REASON },
        { actions: ['s3:GetObject'], resources: [stateObjects], wildcardReason: STATE_REASON },
        // The key index does not exist before the first run: without this, S3 answers 403, not 404.
        this.reportBucket.listUnder(STATE_PREFIX),
        ...(org?.memberAccess ?? []),
      ],
    });

    const findStaleKeysIam: Permission = {
      actions: findStaleKeysActions(config),
      resources: [usersArn],
      wildcardReason: USERS_REASON,
    };
    const findStaleKeys = new KeysweepFunction(this, 'FindStaleKeys', {
      name: 'find-stale-keys',
      ...org?.roleOf('find-stale-keys'),
      purpose: "reads each user's keys, tags and groups and decides each key's fate; changes nothing",
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['find-stale-keys']),
      memorySize: 512,
      environment: withBucket,
      permissions: [
        ...ownAccount([findStaleKeysIam]),
        { actions: ['s3:GetObject', 's3:PutObject'], resources: [runObjects], wildcardReason: RUNS_REASON },
        ...(org?.memberAccess ?? []),
      ],
    });

    const checkActionLimit = new KeysweepFunction(this, 'CheckActionLimit', {
      name: 'check-action-limit',
      purpose: 'adds up the planned deactivations and deletions and applies maxActionsPerRun',
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['check-action-limit']),
      memorySize: 256,
      environment: baseEnvironment,
      permissions: [],
    });

    const deactivateKey = new KeysweepFunction(this, 'DeactivateKey', {
      name: 'deactivate-key',
      ...org?.roleOf('deactivate-key'),
      purpose:
        're-reads one access key and its user’s exemption, and deactivates (or deletes) the key if it still breaks the policy',
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['deactivate-key']),
      memorySize: 256,
      environment: baseEnvironment,
      permissions: [
        ...ownAccount([
          {
            actions: deactivateKeyActions(config),
            resources: [usersArn],
            wildcardReason: USERS_REASON,
          },
          {
            // The exemption, read again right before acting: a user may have become exempt since the plan.
            actions: deactivateKeyExemptionActions(config),
            resources: [usersArn],
            wildcardReason: USERS_REASON,
          },
        ]),
        ...(org?.memberAccess ?? []),
      ],
    });

    const sendReport = new KeysweepFunction(this, 'SendReport', {
      name: 'send-report',
      purpose: 'assembles the run report, stores it with the rendered email and emails the admins',
      version,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['send-report']),
      memorySize: 1024,
      environment: withBucket,
      permissions: [
        {
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [runObjects, stateObjects],
          wildcardReason: `${RUNS_REASON} ${STATE_REASON}`,
        },
        // Files that may be missing: the key index (first run), owner-notifications.json (first
        // send) and the decisions and results of a sweep that stopped early.
        this.reportBucket.listUnder(RUNS_PREFIX, STATE_PREFIX),
        ...sesPermissions,
      ],
    });

    this.functions = {
      ListUsers: listUsers,
      FindStaleKeys: findStaleKeys,
      CheckActionLimit: checkActionLimit,
      DeactivateKey: deactivateKey,
      SendReport: sendReport,
    };

    this.sweep = new SweepStateMachine(this, 'KeySweep', {
      stateMachineName: `${this.stackName}-KeySweep`,
      functions: {
        ListUsers: listUsers.function,
        FindStaleKeys: findStaleKeys.function,
        CheckActionLimit: checkActionLimit.function,
        DeactivateKey: deactivateKey.function,
        SendReport: sendReport.function,
      },
      reportBucketName: this.reportBucket.bucket.bucketName,
      runObjectsArn: runObjects,
      version,
    });

    this.organizationSweep =
      org &&
      organizationSweep(this, {
        config,
        access: org,
        reportBucket: this.reportBucket,
        runsPrefix: RUNS_PREFIX,
        runObjects,
        runsReason: RUNS_REASON,
        sesPermissions,
        accountStateMachineName: `${this.stackName}-KeySweep`,
        stateMachineName: `${this.stackName}-Organization`,
        version,
      });
    this.listAccountsRole = this.organizationSweep?.functions.ListAccounts.role;
    // An organization's run is the organization state machine's: the schedule starts it and the
    // alarms watch it (each account's executions fail it when they fail).
    const run = this.organizationSweep?.stateMachine.stateMachine ?? this.sweep.stateMachine;

    this.schedule = new SweepSchedule(this, 'Schedule', {
      schedule: config.schedule,
      stateMachine: run,
      version,
    });

    this.alarms = new SweepAlarms(this, 'Alarms', {
      stateMachine: run,
      deadLetterQueue: this.schedule.deadLetterQueue,
      adminEmails: config.adminEmails,
    });

    this.exposure = new ExposedKeyResponse(this, 'ExposedKeys', {
      config,
      version,
      stateMachineName: exposureStateMachineName(this.stackName),
      reportBucketName: this.reportBucket.bucket.bucketName,
      exposureRecordsArn: this.reportBucket.objectsUnder(`${STATE_PREFIX}exposures/`),
      runObjectsArn: runObjects,
      usersArn,
      sesPermissions,
      organization: org,
      alarmTopic: this.alarms.topic,
    });

    // What an operator looks for first, shown by `cdk deploy` and in the CloudFormation console.
    new CfnOutput(this, 'ReportBucketName', {
      value: this.reportBucket.bucket.bucketName,
      description: 'Run reports (runs/<date>/<execution>/report.json) and the key index (state/)',
    });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.sweep.stateMachine.stateMachineArn,
      description: 'The keysweep state machine: start a run by hand with {} or {"mode": "report"}',
    });
    if (this.organizationSweep) {
      new CfnOutput(this, 'OrganizationStateMachineArn', {
        value: this.organizationSweep.stateMachine.stateMachine.stateMachineArn,
        description:
          'The organization run: the schedule starts it; start one by hand with {} or {"mode": "report"}',
      });
    }
    new CfnOutput(this, 'ExposureStateMachineArn', {
      value: this.exposure.stateMachine.stateMachineArn,
      description: 'The exposure state machine: started by AWS Health AWS_RISK_CREDENTIALS_EXPOSED events',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'SNS topic of the keysweep alarms (admin addresses subscribed)',
    });
  }
}
