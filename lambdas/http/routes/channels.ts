import { AUTH_ERRORS, route } from '../route-spec.ts';
import {
  ChannelConnectionCreated,
  ChannelConnectionSchema,
  ChannelList,
  ChannelParams,
  ConnectionBody,
  RotatedSecret,
} from '../schemas/channels.ts';
import { IfMatchHeader } from '../schemas/common.ts';
import { ETAG, NO_STORE } from '../schemas/headers.ts';

export const CHANNEL_ROUTES = [
  route({
    id: 'listChannels',
    method: 'GET',
    path: '/v1/channels',
    fn: 'channels',
    scope: 'admin',
    tag: 'channels',
    description:
      "Every channel of the market with the tenant's connection to it (the hand-off queue when none was set) and whether it is configured. Secrets are never shown.",
    summary: "Every channel of the market with the tenant's connection (never a secret)",
    responses: { 200: { description: 'The channels', schema: ChannelList } },
    errors: [...AUTH_ERRORS],
  }),
  route({
    id: 'getChannel',
    method: 'GET',
    path: '/v1/channels/{channel}',
    fn: 'channels',
    scope: 'admin',
    tag: 'channels',
    description:
      "The tenant's connection for one channel of the market, with its `version`; `ETag` carries the version to send back in `If-Match` (a channel nobody connected has neither). Secrets are never shown; a channel the market does not have is a 404.",
    summary: "One channel's connection (never a secret)",
    params: ChannelParams,
    responses: {
      200: {
        description: 'The connection; ETag carries the version once the channel is configured',
        schema: ChannelConnectionSchema,
        headers: { ETag: { ...ETAG, required: false } },
      },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'putChannel',
    method: 'PUT',
    path: '/v1/channels/{channel}',
    fn: 'channels',
    scope: 'admin',
    tag: 'channels',
    description:
      "Sets how messages on this channel leave: a signed webhook to the operator's gateway, AWS End User Messaging SMS, SES e-mail, SNS mobile push, or the tenant's hand-off queue. A new webhook connection answers its signing secret once (201); replacing a webhook keeps its secret (200). With `If-Match` the write happens only if the stored version matches (412 otherwise; `*` needs a configured channel); without it the write is unconditional (the last writer wins). The read-only fields of a GET body (`version`, `createdAt`, `updatedAt`, `channel`, `configured`, `secretCreatedAt`, `previousValidUntil`) are accepted and ignored. The answer carries the new version as `ETag`. Answers that show a secret are not to be cached.",
    summary:
      'Connect a channel: a webhook to the gateway, AWS SMS, SES e-mail, SNS push, or the hand-off queue (the default)',
    params: ChannelParams,
    headers: IfMatchHeader,
    body: ConnectionBody,
    responses: {
      200: {
        description: 'Replaced; a secret the connection had is kept and not shown',
        schema: ChannelConnectionCreated,
        headers: { ETag: ETAG, 'Cache-Control': NO_STORE },
      },
      201: {
        description: 'Created; a webhook connection comes with its `secret`, shown this once',
        schema: ChannelConnectionCreated,
        headers: { ETag: ETAG, 'Cache-Control': NO_STORE },
      },
    },
    errors: [400, ...AUTH_ERRORS, 404, 409, 412, 413],
  }),
  route({
    id: 'rotateChannelSecret',
    method: 'POST',
    path: '/v1/channels/{channel}/rotate-secret',
    fn: 'channels',
    scope: 'admin',
    tag: 'channels',
    description:
      'Issues a new signing secret for a webhook connection and shows it once; the previous secret keeps signing alongside until `previousValidUntil`, so the gateway can switch without losing messages. A connection that is not a webhook is a 409, as is a rotation that lost a race with another write. It moves the version of the connection on.',
    summary: 'A new signing secret; the previous one keeps signing until previousValidUntil',
    params: ChannelParams,
    responses: {
      200: {
        description: 'The new secret, shown this once',
        schema: RotatedSecret,
        headers: { 'Cache-Control': NO_STORE },
      },
    },
    errors: [400, ...AUTH_ERRORS, 404, 409],
  }),
];
