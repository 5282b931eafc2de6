import { isMailbox, isPlatformApplicationArn } from '#domain/delivery/aws-messages.ts';
import { DEFAULT_ADDRESS_ATTRIBUTE, ROTATION_OVERLAP_HOURS, WEBHOOK_TIMEOUT_MS } from '#domain/delivery/connection.ts';
import { RETRY_POLICY } from '#domain/delivery/retry.ts';
import { CHANNELS } from '#domain/customer.ts';
import * as z from 'zod';
import { ListOf, ReadOnlyStamp } from './common.ts';

export const ChannelParams = z.strictObject({
  channel: z.enum(CHANNELS).meta({ description: "A channel of the tenant's market" }),
});

const READ_ONLY = 'Read-only: accepted and ignored, so a GET body can be edited and sent back';

/** What a GET shows that the platform owns: a PUT accepts and ignores it (a GET -> edit -> PUT round trip). */
const readOnlyFields = {
  channel: z.enum(CHANNELS).optional().meta({ description: READ_ONLY }),
  configured: z.boolean().optional().meta({ description: READ_ONLY }),
  secretCreatedAt: z.string().optional().meta({ description: READ_ONLY }),
  previousValidUntil: z.string().optional().meta({ description: READ_ONLY }),
  ...ReadOnlyStamp,
};

const QueueConnection = z.strictObject({ type: z.literal('queue'), ...readOnlyFields }).meta({
  id: 'QueueConnection',
  description:
    "The default: each message, at its time and within capacity, goes to the tenant's hand-off queue " +
    '(SQS `cvm-<market>-<stage>-<tenant>-handoff`, the channel as the `channel` message attribute; ' +
    'locally `.local/outbound/<channel>.jsonl`) for an operator-run sender.',
});

const WebhookConnection = z
  .strictObject({
    type: z.literal('webhook'),
    ...readOnlyFields,
    url: z
      .string()
      .min(1)
      .max(2048)
      .meta({
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
      .meta({ description: `Per request, connect to status line (default ${WEBHOOK_TIMEOUT_MS.default})` }),
  })
  .meta({
    id: 'WebhookConnection',
    description:
      'Each message is POSTed as JSON (see the `outboundMessage` webhook), signed with the connection secret. ' +
      `2xx: accepted. 429, 5xx and time-outs: retried (${RETRY_POLICY.attempts} attempts, waits doubling from ` +
      `${RETRY_POLICY.baseSeconds} s), then the DLQ. Any other status: failed.`,
  });

/** An AWS resource name or ARN as the SMS and SES APIs take it. */
const awsName = (description: string, example: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9_:/+.=-]+$/, 'letters, digits and _ : / + . = - (a name, id or ARN)')
    .meta({ description, example });
const attributeName = (description: string, example: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a profile attribute name: letters, digits, _ . - (up to 64)')
    .meta({ description, example });
const RECEIPTS =
  'Every message is tagged with `cvmTenant`, `cvmMessageId` and `cvmCustomerRef` (the receipts map them back). ' +
  'Throttling, quotas ' +
  `and 5xx: retried (${RETRY_POLICY.attempts} attempts, waits doubling from ${RETRY_POLICY.baseSeconds} s), then the DLQ; ` +
  'other 4xx (an invalid or opted-out address, a rejected message) and a profile without a usable address: failed. ' +
  'Locally (no AWS) the request is written to `.local/outbound/<channel>.jsonl` instead of being sent.';

const SmsConnection = z
  .strictObject({
    type: z.literal('sms'),
    ...readOnlyFields,
    originationIdentity: awsName(
      'Phone number, sender ID or pool (id or ARN) of the account the messages are sent from',
      'CVMDEMO',
    ),
    configurationSetName: awsName(
      'End User Messaging SMS configuration set (its event destinations carry the receipts)',
      'cvm-demo',
    ),
    phoneAttribute: attributeName(
      `Profile attribute holding the customer's E.164 number (default \`${DEFAULT_ADDRESS_ATTRIBUTE.sms}\`)`,
      'msisdn',
    ).optional(),
  })
  .meta({
    id: 'SmsConnection',
    description:
      'AWS End User Messaging SMS `SendTextMessage` to the number in `attributes.<phoneAttribute>` of the profile; ' +
      'offers and retention as PROMOTIONAL, service and information as TRANSACTIONAL; the tags are its `Context`. ' +
      RECEIPTS,
  });

const EmailConnection = z
  .strictObject({
    type: z.literal('email'),
    ...readOnlyFields,
    fromAddress: z
      .string()
      .refine(isMailbox, 'one e-mail address (a verified SES identity)')
      .meta({ description: 'Sender: an address of a verified SES identity', example: 'offers@cvm.example.com' }),
    configurationSetName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an SES configuration set name')
      .meta({
        description: 'SES configuration set (its event destinations carry the receipts)',
        example: 'cvm-demo',
      }),
    addressAttribute: attributeName(
      `Profile attribute holding the customer's address (default \`${DEFAULT_ADDRESS_ATTRIBUTE.email}\`)`,
      'email',
    ).optional(),
  })
  .meta({
    id: 'EmailConnection',
    description:
      "SES v2 `SendEmail`, plain text: the treatment's first line is the subject, the rest the body; the tags are " +
      `its \`EmailTags\`. ${RECEIPTS}`,
  });

const PushConnection = z
  .strictObject({
    type: z.literal('push'),
    ...readOnlyFields,
    platformApplicationArn: z
      .string()
      .refine(
        isPlatformApplicationArn,
        'an SNS platform application ARN (arn:aws:sns:<region>:<account>:app/<platform>/<name>)',
      )
      .meta({
        description: "The app's SNS platform application, in the market's region; endpoints of other applications fail",
        example: 'arn:aws:sns:af-south-1:123456789012:app/GCM/cvm-app',
      }),
    endpointAttribute: attributeName("Profile attribute holding the device's SNS endpoint ARN", 'pushEndpoint'),
  })
  .meta({
    id: 'PushConnection',
    description: `SNS mobile push \`Publish\` of the text to the device endpoint; the tags are message attributes. ${RECEIPTS}`,
  });

/** What a PUT takes: one member per connection type (read-only fields of a GET body are dropped). */
export const ConnectionBody = z
  .discriminatedUnion('type', [QueueConnection, WebhookConnection, SmsConnection, EmailConnection, PushConnection])
  // spelled out rather than withoutStamp: a rest of this concrete union keeps one member per `type`
  .transform(
    ({
      channel: _channel,
      configured: _configured,
      secretCreatedAt: _secretCreatedAt,
      previousValidUntil: _previousValidUntil,
      version: _version,
      createdAt: _createdAt,
      updatedAt: _updatedAt,
      ...connection
    }) => connection,
  );

export const ChannelConnectionSchema = z
  .object({
    channel: z.enum(CHANNELS),
    type: z.enum(['queue', 'webhook', 'sms', 'email', 'push']),
    url: z.string().optional(),
    timeoutMs: z.number().int().optional(),
    originationIdentity: z.string().optional(),
    configurationSetName: z.string().optional(),
    phoneAttribute: z.string().optional(),
    fromAddress: z.string().optional(),
    addressAttribute: z.string().optional(),
    platformApplicationArn: z.string().optional(),
    endpointAttribute: z.string().optional(),
    configured: z.boolean().meta({ description: 'False: nobody connected the channel; it uses the queue' }),
    secretCreatedAt: z.string().optional(),
    previousValidUntil: z
      .string()
      .optional()
      .meta({ description: 'While a rotation overlaps: until when the previous secret still signs' }),
    version: z.number().int().min(1).optional().meta({
      description: 'Moves on with every write (rotations too); the ETag is `"<version>"`. Absent while not configured',
    }),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .meta({ id: 'ChannelConnection', description: 'A channel connection; a secret is never shown here' });

export const ChannelConnectionCreated = ChannelConnectionSchema.extend({
  secret: z
    .string()
    .optional()
    .meta({
      description:
        'The signing secret, returned only by the write that generated it (a new webhook connection, or a webhook ' +
        'replacing a queue); stored encrypted and never shown again',
    }),
}).meta({ id: 'ChannelConnectionWritten' });

export const ChannelList = ListOf(ChannelConnectionSchema).meta({ id: 'ChannelList' });

export const RotatedSecret = z
  .object({
    secret: z.string().meta({ description: 'The new signing secret, shown this once' }),
    previousValidUntil: z.string().meta({
      description: `Until then (${ROTATION_OVERLAP_HOURS} h) requests carry a second v1 made with the previous secret`,
    }),
  })
  .meta({ id: 'RotatedSecret' });
