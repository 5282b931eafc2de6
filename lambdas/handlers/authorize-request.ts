import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizerFor } from '#composition/authorizer.ts';

const { resolveCaller, usageKeys } = authorizerFor();

const headerOf = (event: APIGatewayRequestAuthorizerEvent, name: string) =>
  Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

const policy = (effect: 'Allow' | 'Deny', resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
});

/** REQUEST authorizer: Allow with the caller in the context, Deny (403) or Unauthorized (401). */
export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const apiArn = `${event.methodArn.split('/').slice(0, 2).join('/')}/*`;
  const verdict = await resolveCaller(headerOf(event, 'x-api-key'));
  if (!verdict.allowed) {
    // API Gateway turns this exact message into a 401 (UNAUTHORIZED gateway response).
    if (verdict.refused === 'no-key') throw new Error('Unauthorized');
    return { principalId: 'denied', policyDocument: policy('Deny', apiArn) };
  }
  const { caller } = verdict;
  const usageIdentifierKey = await usageKeys.keyFor(caller.tenant);
  return {
    principalId: `${caller.tenant}:${caller.keyId}`,
    policyDocument: policy('Allow', apiArn),
    context: { tenant: caller.tenant, scope: caller.scope, keyId: caller.keyId },
    ...(usageIdentifierKey ? { usageIdentifierKey } : {}),
  };
};
