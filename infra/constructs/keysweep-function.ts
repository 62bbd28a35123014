/**
 * One keysweep Lambda: functions/<name>/handler.ts bundled with the local esbuild, Node.js 22
 * on arm64, active X-Ray tracing, its own log group (kept a year, retained) and its own role
 * holding exactly the permissions it is given, plus writing to its log group and X-Ray.
 * No AWS managed policy: the log group permissions are explicit.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResources } from '../nag';
import { handlerEntry, PACKAGE_LOCK, REPO_ROOT } from '../paths';
import { toStatement, wildcardsOf, type Permission } from '../permissions';

/** Added by CDK for active tracing (lambda.Tracing.ACTIVE). */
const XRAY_WILDCARD_REASON =
  'xray:PutTraceSegments and xray:PutTelemetryRecords (active X-Ray tracing) accept only * as resource.';

export interface KeysweepFunctionProps {
  /** The folder under functions/ that holds handler.ts. */
  readonly name: string;
  /** What the function does; the description reads `keysweep <version>: <purpose>`. */
  readonly purpose: string;
  readonly version: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Function-specific environment; the Powertools and source-map settings are added here. */
  readonly environment: Readonly<Record<string, string>>;
  /** Exactly what the function may do besides writing its logs and traces. */
  readonly permissions: readonly Permission[];
  /** A fixed role name, for a role other accounts trust by ARN (organization.ts); default: generated. */
  readonly roleName?: string;
}

export class KeysweepFunction extends Construct {
  /** The folder under functions/ that holds its handler. */
  public readonly name: string;
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: KeysweepFunctionProps) {
    super(scope, id);
    this.name = props.name;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      ...(props.roleName !== undefined ? { roleName: props.roleName } : {}),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `keysweep ${props.name}: logs, traces and only the permissions it needs`,
    });
    const logPermission: Permission = {
      // The log group exists (created above), so logs:CreateLogGroup is not needed.
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
    };
    const permissions = [logPermission, ...props.permissions];
    for (const permission of permissions) {
      this.role.addToPrincipalPolicy(toStatement(permission));
    }
    acknowledgeWildcardResources(this.role, [
      ...wildcardsOf(permissions),
      { resource: '*', reason: XRAY_WILDCARD_REASON },
    ]);

    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.name),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: PACKAGE_LOCK,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      description: `keysweep ${props.version}: ${props.purpose}`,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: 'keysweep',
        POWERTOOLS_METRICS_NAMESPACE: 'keysweep',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.CJS,
        // Bundle the AWS SDK too: the deployed code runs the SDK versions locked and tested
        // here, not whatever the Lambda runtime happens to ship.
        externalModules: [],
      },
    });
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x on purpose: the bundle targets node22 (esbuild) and the code is tested on ' +
        'Node.js 20 and 22; nodejs22.x is a supported Lambda runtime. Move runtime and esbuild target ' +
        'together once the tests run on a newer Node.js.',
    );
  }
}
