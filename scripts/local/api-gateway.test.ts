import { describe, expect, it } from 'vitest';
import { UnavailableError } from '#domain/errors.ts';
import { gateway, type AuthorizerHandler, type ProxyHandler } from './api-gateway.ts';

const request = {
  method: 'GET',
  path: '/v1/customers/c1',
  query: {},
  headers: { 'x-api-key': 'cvm_consumer_channel_x' },
  body: '',
};
const customers: ProxyHandler = async () => ({ statusCode: 200, body: '{}' });

describe('the local gateway', () => {
  it('answers 503 problem+json with Retry-After when the authorizer cannot reach the key store (found by the fault test)', async () => {
    const failing: AuthorizerHandler = async () => {
      throw new UnavailableError('the customer store is unavailable, retry shortly', 2);
    };
    const res = await gateway({ customers }, failing)(request);
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '2' });
    expect(JSON.parse(res.body)).toMatchObject({ status: 503, type: 'https://telco-cvm.dev/problems/unavailable' });
  });

  it('does not cache a failed authorization: the next request is authorized once the store is back', async () => {
    let up = false;
    const authorizer: AuthorizerHandler = async () => {
      if (!up) throw new Error('connect ECONNREFUSED');
      return {
        principalId: 'p',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
        },
        context: { tenant: 'consumer', scope: 'channel', keyId: 'k' },
      };
    };
    const dispatch = gateway({ customers }, authorizer);
    expect((await dispatch(request)).statusCode).toBe(503);
    up = true;
    expect((await dispatch(request)).statusCode).toBe(200);
  });
});

describe("the local gateway's authorizer cache", () => {
  const allowWhile =
    (valid: () => boolean): AuthorizerHandler =>
    async () => ({
      principalId: 'p',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: valid() ? 'Allow' : 'Deny', Resource: '*' }],
      },
      context: { tenant: 'consumer', scope: 'channel', keyId: 'k' },
    });

  it('keeps an answer 60 s, and forgets every answer when flushed (a revocation then holds at once)', async () => {
    let valid = true;
    const dispatch = gateway(
      { customers },
      allowWhile(() => valid),
    );
    expect((await dispatch(request)).statusCode).toBe(200);
    valid = false; // revoked in the key table
    expect((await dispatch(request)).statusCode).toBe(200); // the cached Allow
    dispatch.flushAuthorizerCache();
    expect((await dispatch(request)).statusCode).toBe(403);
  });

  it('does not cache an authorization that was in flight when the cache was flushed', async () => {
    let valid = true;
    let release: () => void = () => undefined;
    const slow: AuthorizerHandler = async (e) => {
      const answer = await allowWhile(() => valid)(e);
      await new Promise<void>((r) => (release = r));
      return answer;
    };
    const dispatch = gateway({ customers }, slow);
    const inFlight = dispatch(request);
    await new Promise((r) => setTimeout(r, 10));
    valid = false;
    dispatch.flushAuthorizerCache();
    release();
    expect((await inFlight).statusCode).toBe(200); // read before the revocation
    const next = dispatch(request);
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect((await next).statusCode).toBe(403);
  });
});
