import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import type { Caller } from '#domain/api-key.ts';

// what the authorizer (API Gateway's, or the local gateway's) puts into the request context
const Tenant = z.object({ tenant: z.string().min(1) });
const CallerContext = Tenant.extend({
  scope: z.enum(['admin', 'channel']),
  keyId: z
    .unknown()
    .optional()
    .transform((id) => String(id ?? '')),
});

/** The caller the authorizer resolved; none on a public route or without a usable context. */
export function callerOf(event: APIGatewayProxyEvent): Caller | undefined {
  const parsed = CallerContext.safeParse(event.requestContext?.authorizer);
  return parsed.success ? parsed.data : undefined;
}

/** The caller's tenant alone: what metering needs, whatever the key's scope. */
export function tenantOf(event: APIGatewayProxyEvent): string | undefined {
  const parsed = Tenant.safeParse(event.requestContext?.authorizer);
  return parsed.success ? parsed.data.tenant : undefined;
}
