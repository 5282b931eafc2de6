import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Meter, MeteredName } from '#domain/usage-readings.ts';
import { apiMeter, installApiMeter } from './request-metering.ts';
import { httpHandler } from './http-handler.ts';
import { CUSTOMER_ROUTES } from './routes/customers.ts';

function recordingMeter() {
  const readings: { tenant: string; name: MeteredName; count: number; route?: string }[] = [];
  const flushes: number[] = [];
  const meter: Meter = {
    meter: (tenant, name, count = 1, detail = {}) =>
      void readings.push({ tenant, name, count, ...(detail.route ? { route: detail.route } : {}) }),
    flush: () => void flushes.push(readings.length),
  };
  return { meter, readings, flushes };
}

const event = (method: string, path: string, tenant?: string): APIGatewayProxyEvent =>
  ({
    httpMethod: method,
    path,
    headers: {},
    body: null,
    isBase64Encoded: false,
    queryStringParameters: null,
    requestContext: {
      requestId: 'r-1',
      authorizer: tenant ? { tenant, scope: 'channel', keyId: `${tenant}-k` } : null,
    },
  }) as unknown as APIGatewayProxyEvent;

describe('API call metering in the HTTP pipeline', () => {
  const unused = async () => ({ status: 501 });
  const handler = httpHandler(CUSTOMER_ROUTES, {
    getCustomer: async (req) => ({ status: 200, body: { id: req.params.customerId } }),
    putCustomer: async () => {
      throw new Error('boom');
    },
    patchCustomer: unused,
    deleteCustomer: unused,
    exportCustomer: unused,
    getHousehold: unused,
  });
  const invoke = (e: APIGatewayProxyEvent) => handler(e, { awsRequestId: 'r-1' } as never);

  it("meters an answered call by the caller's tenant and route id", async () => {
    const { meter, readings } = recordingMeter();
    installApiMeter(meter);
    const res = await invoke(event('GET', '/v1/customers/c-1', 'consumer'));
    expect(res.statusCode).toBe(200);
    expect(readings).toEqual([{ tenant: 'consumer', name: 'ApiRequest', count: 1, route: 'getCustomer' }]);
  });

  it('meters refused and failed calls of a known tenant too, and never a call without one', async () => {
    const { meter, readings } = recordingMeter();
    installApiMeter(meter);
    expect((await invoke(event('POST', '/v1/customers/c-1', 'enterprise'))).statusCode).toBe(405);
    expect((await invoke(event('PUT', '/v1/customers/c-1', 'enterprise'))).statusCode).toBe(403);
    expect((await invoke(event('GET', '/v1/customers/c-1'))).statusCode).toBe(401);
    expect(readings.map((r) => [r.tenant, r.route])).toEqual([
      ['enterprise', 'method-not-allowed'],
      ['enterprise', 'putCustomer'],
    ]);
  });

  it('flushes the meter once per call, after the call is metered, also when the call failed', async () => {
    const { meter, flushes } = recordingMeter();
    installApiMeter(meter);
    expect((await invoke(event('GET', '/v1/customers/c-1', 'consumer'))).statusCode).toBe(200);
    expect((await invoke(event('PUT', '/v1/customers/c-1', 'consumer'))).statusCode).toBe(403);
    expect((await invoke(event('GET', '/v1/customers/c-1'))).statusCode).toBe(401);
    // each flush sees the call's own ApiRequest; the unauthenticated call still flushes (capacity it used)
    expect(flushes).toEqual([1, 2, 2]);
  });

  it('answers the request even when the meter throws', async () => {
    installApiMeter({
      meter: () => {
        throw new Error('meter down');
      },
      flush: () => {
        throw new Error('stdout closed');
      },
    });
    expect((await invoke(event('GET', '/v1/customers/c-2', 'consumer'))).statusCode).toBe(200);
  });

  it('uses the installed meter', () => {
    const { meter } = recordingMeter();
    installApiMeter(meter);
    expect(apiMeter()).toBe(meter);
  });
});
