import { CHANNELS } from '#domain/customer.ts';
import { MESSAGE_ID_HEADER, SIGNATURE_HEADER } from '#domain/delivery/signature.ts';
import * as z from 'zod';
import { TreatmentParams } from './treatment-params.ts';

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO instant');

/**
 * The outbound hand-off as it travels on a tenant's outbound queue and reaches a gateway: what the
 * sender checks a queue message against (anything else goes to the DLQ after its attempts).
 */
export const OutboundMessageSchema = z
  .object({
    messageId: z.string().min(1).max(128).meta({ description: 'Stable per message: receivers dedupe on it' }),
    tenant: z.string().min(1),
    customerId: z.string().min(1),
    channel: z.enum(CHANNELS),
    actionId: z.string().min(1),
    variantId: z.string().optional().meta({
      description: "The treatment's message variant sent (only when it lists variants): responses count for it",
    }),
    kind: z.enum(['offer', 'retention', 'service', 'information']),
    treatment: z.string(),
    language: z.string(),
    text: z.string().optional(),
    params: TreatmentParams,
    reason: z.object({ type: z.enum(['trigger', 'campaign', 'decision']), id: z.string() }),
    createdAt: instant,
    sendAfter: instant.meta({ description: 'The message is sent at this time, never before (quiet hours)' }),
    segments: z.number().int().min(1).optional(),
  })
  .meta({ id: 'OutboundMessage' });

/** A webhook request's body: the hand-off plus the SMS segment count (1 on other channels). */
export const WebhookMessageSchema = OutboundMessageSchema.extend({
  segments: z
    .number()
    .int()
    .min(1)
    .meta({ description: 'SMS parts of the rendered text (GSM-7 160/153, UCS-2 70/67); 1 on other channels' }),
}).meta({ id: 'WebhookMessage' });

export const WebhookHeaders = z.object({
  [SIGNATURE_HEADER]: z.string().meta({
    description:
      '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; during a secret rotation a second ' +
      '`v1` made with the previous secret follows. Verify with either secret and refuse a stale `t`.',
    example: 't=1772517600,v1=5f2b…',
  }),
  [MESSAGE_ID_HEADER]: z.string().meta({ description: 'The messageId of the body' }),
});
