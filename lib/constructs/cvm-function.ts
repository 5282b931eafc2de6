import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Fn, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: handler entries, tsconfig and lock file are resolved from here. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HANDLERS_DIR = path.join(REPO_ROOT, 'lambdas', 'handlers');

/**
 * ESM bundles have no `require`; CJS dependencies bundled into them (Powertools, middy helpers,
 * parts of the SDK) still call it. The banner gives them one (DESIGN.md, known pitfalls).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __cvmCreateRequire } from 'node:module'; const require = __cvmCreateRequire(import.meta.url);";

/**
 * Packages only the local runtime loads, and only by a dynamic `import()` (never at a module's top
 * level): left out of every Lambda bundle. aws-local-stepfunctions (with ajv, jsonata and a Lambda
 * client, ~450 KiB) runs the campaign workflow when there is no state machine ARN.
 */
export const LOCAL_ONLY_MODULES = ['aws-local-stepfunctions'];

/**
 * The SDK's event-stream serde (~21 KiB and its compile time at every cold start). The protocols
 * reach it only by a dynamic `import()` made for an operation with an event stream, which none of
 * our calls is; but a client that has such operations (SageMaker runtime, S3) imports it from its
 * runtime config at load. So it is left out of every bundle except the handlers that hold such a
 * client. infra-tests/bundle.test.ts links every deployed bundle where no package resolves: a
 * handler that gains such a client and is missing here fails there, not at a cold start.
 */
export const SDK_EVENT_STREAMS = '@smithy/core/event-streams';
export const HANDLERS_WITH_EVENT_STREAM_CLIENTS: ReadonlySet<string> = new Set([
  'run-campaign-step.ts',
  'serve-audiences.ts',
  'serve-campaigns.ts',
  'serve-decisions.ts',
]);

/** The packages a handler's bundle leaves out (esbuild `external`, NodejsFunction `externalModules`). */
export function externalModulesOf(handlerFile: string): string[] {
  return HANDLERS_WITH_EVENT_STREAM_CLIENTS.has(handlerFile)
    ? [...LOCAL_ONLY_MODULES]
    : [...LOCAL_ONLY_MODULES, SDK_EVENT_STREAMS];
}

/**
 * Modules a Lambda bundle takes in place of others, paths relative to the repository root (esbuild
 * resolves an alias from its working directory). The SDK's default credential chain gives way to
 * one that reads the execution role's credentials from the environment, where Lambda always puts
 * them: ~137 KiB less per function (lambdas/adapters/lambda-credentials.ts says why).
 */
export const LAMBDA_ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './lambdas/adapters/lambda-credentials.ts',
};

/**
 * What lambdas/adapters/usage/meter-from-env.ts reads: seconds between a container's metrics lines
 * (0: every invocation). Every API function gets it (CvmApi, and AudienceUploads in its nested stack).
 */
export const METER_FLUSH_VARIABLE = 'CVM_METER_FLUSH_SECONDS';

/** The market's own stack, also from inside one of its nested stacks. */
function rootStackOf(scope: Construct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

/** CloudWatch Logs accepts only some retention periods: the smallest one that keeps `days`. */
export function retentionFor(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE)
    .sort((a, b) => a - b);
  const fit = allowed.find((d) => d >= days);
  return (fit ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}

export interface CvmFunctionProps {
  /** The handler file under lambdas/handlers, e.g. `serve-customers.ts`. */
  readonly handlerFile: string;
  readonly description?: string;
  /** Log retention in days (config.retention.logsDays); rounded up to an allowed period. */
  readonly logRetentionDays: number;
  /** What happens to the log group when the stack goes; RETAIN in production. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  /** Directories copied into the bundle (e.g. the market's model artifacts): `from` absolute, `to` relative. */
  readonly bundleDirs?: ReadonlyArray<{ from: string; to: string }>;
}

/**
 * The one house Lambda: Node 24 on arm64, ESM with the SDK bundled, minified with source maps,
 * X-Ray active, an explicit log group with retention, and a role that may write only to that
 * log group (no AWS-managed policy).
 */
export class CvmFunction extends NodejsFunction {
  readonly logGroupOfFunction: logs.LogGroup;
  /** The handler file under lambdas/handlers it bundles (infra-tests name each bundle by it). */
  readonly handlerFile: string;

  constructor(scope: Construct, id: string, props: CvmFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: retentionFor(props.logRetentionDays),
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: path.join(HANDLERS_DIR, props.handlerFile),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      // INFO keeps the platform's START and REPORT lines: memory used and init duration per
      // invocation, for sizing memory; cheaper than Lambda Insights at any volume (docs/operations.md)
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      logGroup,
      role,
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // logs name customers by a salted hash (lambdas/edge/logger.ts customerRef): one salt per
        // deployed stack, the unguessable part of its id, so refs match across functions (a nested
        // stack's function takes the market stack's id, passed in as a parameter)
        CUSTOMER_REF_SALT: Fn.select(2, Fn.split('/', rootStackOf(scope).stackId)),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        externalModules: externalModulesOf(props.handlerFile),
        esbuildArgs: { '--alias': Object.entries(LAMBDA_ALIASES).map(([from, to]) => `${from}=${to}`) },
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        tsconfig: path.join(REPO_ROOT, 'tsconfig.json'),
        ...(props.bundleDirs?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) =>
                  props.bundleDirs!.map(
                    (d) =>
                      `mkdir -p "${path.posix.join(output, path.posix.dirname(d.to))}" && cp -R "${d.from}" "${path.posix.join(output, d.to)}"`,
                  ),
              },
            }
          : {}),
      },
    });
    this.logGroupOfFunction = logGroup;
    this.handlerFile = props.handlerFile;

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; this is the statement CDK adds for active tracing.',
    });
  }
}
