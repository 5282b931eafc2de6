import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorize } from '#app/authorize.ts';
import { SecretsUsageKeys } from '#adapters/usage-keys.ts';
import { UnauthenticatedError } from '#domain/errors.ts';
import { platformEnv } from './env.ts';
import { adaptersFor } from './wiring.ts';

const env = platformEnv();
const resolveCaller = authorize(adaptersFor(env));
const usageKeys = new SecretsUsageKeys(JSON.parse(process.env['USAGE_KEY_SECRETS'] ?? '{}') as Record<string, string>);

const headerOf = (event: APIGatewayRequestAuthorizerEvent, name: string) =>
  Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

/** REQUEST authorizer: Allow with the caller in the context, Deny (403) or Unauthorized (401). */
export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const apiArn = `${event.methodArn.split('/').slice(0, 2).join('/')}/*`;
  try {
    const caller = await resolveCaller(headerOf(event, 'x-api-key'));
    const usageIdentifierKey = await usageKeys.keyFor(caller.tenant);
    return {
      principalId: `${caller.tenant}:${caller.keyId}`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiArn }],
      },
      context: { tenant: caller.tenant, scope: caller.scope, keyId: caller.keyId },
      ...(usageIdentifierKey ? { usageIdentifierKey } : {}),
    };
  } catch (err) {
    // API Gateway turns this exact message into a 401 (UNAUTHORIZED gateway response).
    if (err instanceof UnauthenticatedError) throw new Error('Unauthorized');
    if ((err as { code?: string }).code === 'forbidden') {
      return {
        principalId: 'denied',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: apiArn }],
        },
      };
    }
    throw err;
  }
};
