import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { RETRY_POLICY } from '#domain/delivery/retry.ts';
import { ProblemSchema } from './schemas/common.ts';
import { WebhookHeaders, WebhookMessageSchema } from './schemas/outbound.ts';

/** What the platform sends to a tenant's gateway (OpenAPI 3.1 `webhooks`): the request and how answers are taken. */
export const WEBHOOKS: RouteConfig[] = [
  {
    method: 'post',
    path: 'outboundMessage',
    operationId: 'outboundMessage',
    summary: 'One message to a `webhook` channel connection (PUT /v1/channels/{channel}), at its sendAfter',
    description:
      'Delivery is at least once: dedupe on `messageId`. Verify `x-cvm-signature` over the raw body with the ' +
      `connection secret. Retried answers come back after ${RETRY_POLICY.baseSeconds} s, then doubling; after ` +
      `${RETRY_POLICY.attempts} attempts the message goes to the tenant's outbound DLQ.`,
    request: {
      headers: WebhookHeaders,
      body: { content: { 'application/json': { schema: WebhookMessageSchema } } },
    },
    responses: {
      200: { description: 'Any 2xx: the gateway accepted the message' },
      429: { description: 'Retried with backoff (Retry-After is honoured up to 15 minutes)' },
      500: { description: 'Any 5xx, and time-outs: retried with backoff, then the DLQ' },
      400: {
        description: 'Any other status (4xx, 3xx): failed, not retried',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    },
  },
];
