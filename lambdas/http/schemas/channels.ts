import { ROTATION_OVERLAP_HOURS, WEBHOOK_TIMEOUT_MS } from '#domain/delivery/connection.ts';
import { RETRY_POLICY } from '#domain/delivery/retry.ts';
import { CHANNELS } from '#domain/customer.ts';
import { ListOf, z } from './common.ts';

export const ChannelParams = z.strictObject({
  channel: z.enum(CHANNELS).openapi({ description: "A channel of the tenant's market" }),
});

const QueueConnection = z.strictObject({ type: z.literal('queue') }).openapi('QueueConnection', {
  description:
    "The default: each message, at its time and within capacity, goes to the tenant's hand-off queue " +
    '(SQS `cvm-<market>-<stage>-<tenant>-handoff`, the channel as the `channel` message attribute; ' +
    'locally `.local/outbound/<channel>.jsonl`) for an operator-run sender.',
});

const WebhookConnection = z
  .strictObject({
    type: z.literal('webhook'),
    url: z
      .string()
      .min(1)
      .max(2048)
      .openapi({
        description:
          'https:// URL of the gateway. Refused (400) when its host resolves to a loopback, private or link-local ' +
          'address unless the market allows private targets; checked again before every request. The local runtime ' +
          'also takes loopback targets over plain http://.',
        example: 'https://smsc.example.com/cvm/messages',
      }),
    timeoutMs: z
      .number()
      .int()
      .min(WEBHOOK_TIMEOUT_MS.min)
      .max(WEBHOOK_TIMEOUT_MS.max)
      .optional()
      .openapi({ description: `Per request, connect to status line (default ${WEBHOOK_TIMEOUT_MS.default})` }),
  })
  .openapi('WebhookConnection', {
    description:
      'Each message is POSTed as JSON (see the `outboundMessage` webhook), signed with the connection secret. ' +
      `2xx: accepted. 429, 5xx and time-outs: retried (${RETRY_POLICY.attempts} attempts, waits doubling from ` +
      `${RETRY_POLICY.baseSeconds} s), then the DLQ. Any other status: failed.`,
  });

/** What a PUT takes: one member per connection type (the SMS, e-mail and push connectors join here). */
export const ConnectionBody = z.discriminatedUnion('type', [QueueConnection, WebhookConnection]);

export const ChannelConnectionSchema = z
  .object({
    channel: z.enum(CHANNELS),
    type: z.enum(['queue', 'webhook']),
    url: z.string().optional(),
    timeoutMs: z.number().int().optional(),
    configured: z.boolean().openapi({ description: 'False: nobody connected the channel; it uses the queue' }),
    secretCreatedAt: z.string().optional(),
    previousValidUntil: z
      .string()
      .optional()
      .openapi({ description: 'While a rotation overlaps: until when the previous secret still signs' }),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .openapi('ChannelConnection', { description: 'A channel connection; a secret is never shown here' });

export const ChannelConnectionCreated = ChannelConnectionSchema.extend({
  secret: z
    .string()
    .optional()
    .openapi({
      description:
        'The signing secret, returned only by the write that generated it (a new webhook connection, or a webhook ' +
        'replacing a queue); stored encrypted and never shown again',
    }),
}).openapi('ChannelConnectionWritten');

export const ChannelList = ListOf(ChannelConnectionSchema).openapi('ChannelList');

export const RotatedSecret = z
  .object({
    secret: z.string().openapi({ description: 'The new signing secret, shown this once' }),
    previousValidUntil: z.string().openapi({
      description: `Until then (${ROTATION_OVERLAP_HOURS} h) requests carry a second v1 made with the previous secret`,
    }),
  })
  .openapi('RotatedSecret');
