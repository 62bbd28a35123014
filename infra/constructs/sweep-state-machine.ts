/**
 * The keysweep state machine: STANDARD, its definition the ASL file as it is in the repository
 * (placeholders filled through DefinitionSubstitutions), X-Ray tracing and logging of every
 * event. A definition loaded from a file is opaque to CDK grants, so the role gets its
 * permissions here, explicitly.
 */
import { ArnFormat, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag';
import { ASL_FILE } from '../paths';
import { toStatement, wildcardsOf, type Permission } from '../permissions';

/** The Lambda functions the ASL calls, by the name of their `${<Name>FunctionArn}` placeholder. */
export const SWEEP_FUNCTIONS = [
  'ListUsers',
  'FindStaleKeys',
  'CheckActionLimit',
  'DeactivateKey',
  'SendReport',
] as const;
export type SweepFunctionName = (typeof SWEEP_FUNCTIONS)[number];
export type SweepFunctions = Readonly<Record<SweepFunctionName, lambda.IFunction>>;

export interface SweepStateMachineProps {
  readonly stateMachineName: string;
  /** the functions the ASL invokes, by the name of their `${<Name>FunctionArn}` placeholder */
  readonly functions: SweepFunctions | Readonly<Record<string, lambda.IFunction>>;
  /** the ASL file (default the account state machine's, statemachine/key-sweep.asl.json) */
  readonly definitionFile?: string;
  /** further `${...}` placeholders and what the stack fills them with */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** what the role may do besides invoking the functions, running its own maps and the runs/ objects */
  readonly permissions?: readonly Permission[];
  readonly reportBucketName: string;
  /** The object ARN pattern the child workflows read and write (`<bucket>/runs/*`). */
  readonly runObjectsArn: string;
  readonly version: string;
}

/** Added by CDK for the log destination and for X-Ray tracing. */
const LOG_DELIVERY_WILDCARD_REASON =
  'The CloudWatch Logs delivery actions Step Functions needs for logging (logs:CreateLogDelivery, ' +
  'GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, ' +
  'DescribeResourcePolicies, DescribeLogGroups) accept only * as resource.';
const XRAY_WILDCARD_REASON =
  'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets (X-Ray ' +
  'tracing) accept only * as resource.';

export class SweepStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SweepStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under /aws/vendedlogs/, as Step Functions recommends ("Avoiding CloudWatch Logs resource
      // policy size restrictions", docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html), so
      // the log group need not be added to the account's CloudWatch Logs resource policy, which is
      // limited to 5,120 characters. The suffix (from the stack's ID) keeps the name unique, so a
      // retained group left by a deleted stack does not block deploying the stack again.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}-${Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))))}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const functions: Readonly<Record<string, lambda.IFunction>> = props.functions;
    const definitionSubstitutions: Record<string, string> = {
      ReportBucketName: props.reportBucketName,
      Version: props.version,
      ...props.substitutions,
    };
    for (const [name, fn] of Object.entries(functions)) {
      definitionSubstitutions[`${name}FunctionArn`] = fn.functionArn;
    }

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile ?? ASL_FILE),
      definitionSubstitutions,
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel.ALL,
        // State inputs and outputs carry full access key IDs: they stay in the execution
        // history (readable in the console by operators) and never go to CloudWatch Logs.
        includeExecutionData: false,
      },
    });

    // The distributed maps start child executions of this same state machine. Their ARNs are
    // built from the name, not from the resource, so the role policy does not depend on the
    // state machine it belongs to.
    const ownArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const ownExecutionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const functionArns = Object.values(functions).map((fn) => fn.functionArn);
    const permissions: Permission[] = [
      {
        actions: ['lambda:InvokeFunction'],
        resources: functionArns.flatMap((arn) => [arn, `${arn}:*`]),
        wildcardReason:
          `<function ARN>:* covers the versions and aliases of each of the ${functionArns.length} keysweep functions this state machine runs (what ` +
          "CDK's grantInvoke grants); no other function can be invoked.",
      },
      {
        actions: ['states:StartExecution'],
        resources: [ownArn],
      },
      {
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [ownExecutionsArn],
        wildcardReason:
          'The distributed maps run child executions of this state machine, whose names Step Functions ' +
          'generates at run time (execution:<state machine name>/<map run>:<id>).',
      },
      {
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [props.runObjectsArn],
        wildcardReason:
          'The child workflow reads planned actions and saves key results under runs/<date>/<execution>/, ' +
          'keys known only at run time; limited to the runs/ prefix of the report bucket.',
      },
      ...(props.permissions ?? []),
    ];
    for (const permission of permissions) {
      this.stateMachine.addToRolePolicy(toStatement(permission));
    }
    acknowledgeWildcardResources(this.stateMachine.role, [
      ...wildcardsOf(permissions),
      { resource: '*', reason: LOG_DELIVERY_WILDCARD_REASON },
      { resource: '*', reason: XRAY_WILDCARD_REASON },
    ]);
  }
}
