import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { guarded } from '#adapters/dynamo/errors.ts';
import { NotFoundError, UnavailableError } from '#domain/errors.ts';
import { causeChain } from './cause-chain.ts';
import { logContext } from './logger.ts';
import { problemErrors } from '#http/http-handler.ts';

const MSISDN = '27821234567';
const throttled = () =>
  Object.assign(new Error(`Rate of requests exceeded for C#${MSISDN}`), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

describe('the cause chain of a failure', () => {
  it('keeps the SDK fault behind a database outage as its cause', async () => {
    const err = await guarded(() => Promise.reject(throttled())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).cause).toMatchObject({ name: 'ThrottlingException' });
  });

  it('names each link with its code and status, and keeps only the platform’s own fault text', () => {
    const err = new UnavailableError('the customer store is unavailable, retry shortly', 2, {
      cause: Object.assign(throttled(), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }),
    });
    expect(causeChain(err)).toEqual([
      { name: 'UnavailableError', code: 'unavailable', message: 'the customer store is unavailable, retry shortly' },
      { name: 'ThrottlingException', status: 400 },
      { name: 'Error', code: 'ECONNRESET' },
    ]);
    expect(causeChain(new NotFoundError(`customer ${MSISDN} not found`))).toEqual([
      { name: 'NotFoundError', code: 'not-found' },
    ]);
  });

  it('stops at a cycle and at five links', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(causeChain(a)).toHaveLength(1);
    let deep: Error = new Error('0');
    for (let i = 1; i < 9; i++) deep = new Error(String(i), { cause: deep });
    expect(causeChain(deep)).toHaveLength(5);
  });

  it('is on the log line of an API request that failed, with the request ids and no customer data', async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const context = { awsRequestId: 'lambda-req-1', functionName: 'cvm-test' } as Context;
      const event = { requestContext: { requestId: 'api-req-1' } } as unknown as APIGatewayProxyEvent;
      const request = {
        event,
        context,
        error: await guarded(() => Promise.reject(throttled())).catch((e: unknown) => e as Error),
        response: undefined,
        internal: {},
      } as never;
      await logContext({ correlationIdPath: 'requestContext.requestId' }).before!(request);
      await problemErrors().onError!(request);
      expect((request as { response: { statusCode: number } }).response.statusCode).toBe(503);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['message'] === 'request failed');
    expect(line).toMatchObject({
      level: 'WARN',
      function_request_id: 'lambda-req-1',
      correlation_id: 'api-req-1',
      causes: [
        { name: 'UnavailableError', code: 'unavailable' },
        { name: 'ThrottlingException', status: 400 },
      ],
    });
    expect(lines.join('')).not.toContain(MSISDN);
    expect(lines.join('')).not.toContain('Rate of requests');
  });
});
