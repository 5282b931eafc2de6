import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamoClient } from './dynamo/client.ts';
import { sagemakerRuntimeClient } from './sagemaker/sagemaker-scorer.ts';
import { sfnClient } from './sfn/workflow-starter.ts';
import { sqsClient } from './sqs/client.ts';
import { CAPTURE_MIDDLEWARE, traced, tracerFor, tracingWanted } from './tracing.ts';

const LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
const middlewareOf = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify();
const captured = (client: { middlewareStack: { identify(): string[] } }) =>
  middlewareOf(client).some((m) => m.startsWith(CAPTURE_MIDDLEWARE));

afterEach(() => vi.unstubAllEnvs());

describe('tracing of the AWS SDK clients', () => {
  it('is wanted in a Lambda function only, and not when the stack turned it off', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted(LAMBDA)).toBe(true);
    expect(tracingWanted({ ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    expect(tracingWanted({ ...LAMBDA, AWS_SAM_LOCAL: 'true' })).toBe(false);
  });

  it('adds X-Ray capture middleware to a client when tracing is on', async () => {
    // the tracer reads Lambda's environment when it is built
    for (const [k, v] of Object.entries(LAMBDA)) vi.stubEnv(k, v);
    const tracer = await tracerFor(LAMBDA);
    expect(tracer?.isTracingEnabled()).toBe(true);
    const client = traced(new DynamoDBClient({ region: 'af-south-1' }), tracer);
    expect(captured(client)).toBe(true);
  });

  it('leaves every client the adapters build without it here, where tracing is off (no daemon, no cost)', async () => {
    expect(await tracerFor({})).toBeUndefined();
    for (const client of [
      dynamoClient(),
      sqsClient('af-south-1'),
      sfnClient('af-south-1'),
      sagemakerRuntimeClient('af-south-1'),
    ])
      expect(captured(client), client.constructor.name).toBe(false);
    // the same clients built through traced() with a tracer get it: the factories are the one place
    expect(middlewareOf(dynamoClient())).toEqual(middlewareOf(new DynamoDBClient({ region: 'af-south-1' })));
  });
});
