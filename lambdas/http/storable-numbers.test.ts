import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { routeRequest } from './http-handler.ts';
import { ROUTES } from './routes.ts';
import { isStorableNumber, unstorableNumber } from './storable-numbers.ts';

describe('numbers DynamoDB can store', () => {
  it('accepts 0 and magnitudes from 1e-130 to 9.99e125, and nothing beyond', () => {
    expect([0, -0, 1, -1.5, 1e-130, 9.9e125, -9.9e125].every(isStorableNumber)).toBe(true);
    expect([1e308, -1e200, 1e-300, 5e-324, 1e126].some(isStorableNumber)).toBe(false);
  });

  it('names the first field holding one, however deep (found by the fuzz test: budget 1e308 was a 500)', () => {
    expect(unstorableNumber({ name: 'x', budget: 1e308 })).toEqual({ field: 'budget', message: expect.any(String) });
    expect(unstorableNumber({ attributes: { a: 1e-300 } })?.field).toBe('attributes.a');
    let deep: unknown = 1e308;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableNumber(deep)?.field).toMatch(/^0\.0\./);
    expect(unstorableNumber({ a: [1, 2, { b: 3 }] })).toBeUndefined();
  });

  it('answers a PUT whose body holds such a number with 400 before any use case runs', async () => {
    let called = false;
    const route = ROUTES.find((r) => r.id === 'putCustomer')!;
    const handle = routeRequest([route], {
      putCustomer: async () => {
        called = true;
        return { status: 200 };
      },
    });
    const event = {
      httpMethod: 'PUT',
      path: '/v1/customers/c1',
      headers: { 'content-type': 'application/json' },
      queryStringParameters: null,
      isBase64Encoded: false,
      body: '{"attributes":{"a":1e308}}',
      requestContext: { requestId: 'r', authorizer: { tenant: 'consumer', scope: 'admin', keyId: 'k' } },
    } as unknown as APIGatewayProxyEvent;
    await expect(handle(event)).rejects.toMatchObject({ code: 'invalid-input', errors: [{ field: 'attributes.a' }] });
    expect(called).toBe(false);
  });
});
