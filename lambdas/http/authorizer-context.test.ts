import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerOf, tenantOf } from './authorizer-context.ts';

const withContext = (authorizer: unknown) => ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEvent;

describe("the authorizer's context", () => {
  it('gives the caller the authorizer resolved, and nothing else it carried', () => {
    const event = withContext({ tenant: 'acme', scope: 'admin', keyId: 'acme-admin', principalId: 'acme:acme-admin' });
    expect(callerOf(event)).toEqual({ tenant: 'acme', scope: 'admin', keyId: 'acme-admin' });
    expect(tenantOf(event)).toBe('acme');
  });

  it('has no caller without a tenant or with a scope no key has, and an empty key id when none is given', () => {
    expect(callerOf(withContext(null))).toBeUndefined();
    expect(callerOf(withContext({ tenant: '', scope: 'admin' }))).toBeUndefined();
    expect(callerOf(withContext({ tenant: 'acme', scope: 'root', keyId: 'k' }))).toBeUndefined();
    expect(tenantOf(withContext({ tenant: 'acme', scope: 'root' }))).toBe('acme');
    expect(callerOf(withContext({ tenant: 'acme', scope: 'channel' }))).toEqual({
      tenant: 'acme',
      scope: 'channel',
      keyId: '',
    });
  });
});
