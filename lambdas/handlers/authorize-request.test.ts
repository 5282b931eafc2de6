import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

let t: TestTables;
let authorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
const methodArn = 'arn:aws:execute-api:af-south-1:123456789012:api1234/v1/GET/v1/customers/c-1';

const asked = (headers: Record<string, string>) =>
  authorizer({ type: 'REQUEST', methodArn, headers } as unknown as APIGatewayRequestAuthorizerEvent);

beforeAll(async () => {
  t = await testTables(['acme']);
  Object.assign(process.env, t.env);
  authorizer = (await import('./authorize-request.ts')).handler;
});

describe('the API authorizer', () => {
  it("allows a usable key, with its caller in the context API functions read, whatever the header's case", async () => {
    await expect(asked({ 'X-Api-Key': t.keys['acme']!.channel })).resolves.toEqual({
      principalId: 'acme:acme-channel',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:af-south-1:123456789012:api1234/v1/*',
          },
        ],
      },
      context: { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' },
    });
  });

  it('answers Unauthorized (the 401 gateway response) without a key', async () => {
    await expect(asked({})).rejects.toThrow(/^Unauthorized$/);
    await expect(asked({ 'x-api-key': '  ' })).rejects.toThrow(/^Unauthorized$/);
  });

  it('denies (the 403 gateway response) a key that is not valid', async () => {
    const denied = await asked({ 'x-api-key': 'not-a-key' });
    expect(denied.principalId).toBe('denied');
    expect(denied.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        Resource: 'arn:aws:execute-api:af-south-1:123456789012:api1234/v1/*',
      },
    ]);
    expect(denied).not.toHaveProperty('context');
  });
});
