import type { Tracer } from '@aws-lambda-powertools/tracer';

type Env = Record<string, string | undefined>;

/**
 * Tracing runs in a Lambda function only (`AWS_EXECUTION_ENV` is Lambda's), and not when the
 * stack turned it off (`POWERTOOLS_TRACE_ENABLED=false`, a `tracingSampleRate` of 0). Locally
 * there is no X-Ray daemon to send segments to.
 */
export const tracingWanted = (env: Env): boolean =>
  Boolean(env['AWS_EXECUTION_ENV']) &&
  !env['AWS_SAM_LOCAL'] &&
  (env['POWERTOOLS_TRACE_ENABLED'] ?? 'true').toLowerCase() !== 'false';

/**
 * The Powertools tracer, or nothing when tracing is off. Imported only when wanted: the X-Ray
 * SDK under it takes time to load, which the local runtime and the tests should not pay. No
 * HTTP capture: the SDK clients are captured below, and the global http patch would trace each
 * AWS call twice.
 */
export async function tracerFor(env: Env): Promise<Tracer | undefined> {
  if (!tracingWanted(env)) return undefined;
  // esbuild inlines this into the one-file bundle (~120 KiB with the X-Ray SDK and semver, issue 22):
  // a separate chunk would spare no load time, since every deployed function traces from its init
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  return new Tracer({ serviceName: 'telco-cvm', captureHTTPsRequests: false });
}

const active = await tracerFor(process.env);

/** The middleware X-Ray adds to a captured client's stack (tests look for it). */
export const CAPTURE_MIDDLEWARE = 'XRaySDKInstrumentation';

/**
 * Every AWS SDK client the adapters build passes through here: with tracing on, each call
 * becomes a subsegment of the invocation's trace (service, operation, table or queue, retries,
 * errors), so a trace follows a request into DynamoDB, SQS, Step Functions and SageMaker.
 */
export function traced<C extends object>(client: C, tracer: Tracer | undefined = active): C {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
