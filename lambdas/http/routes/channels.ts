import { AUTH_ERRORS, type RouteSpec } from '../route-spec.ts';
import {
  ChannelConnectionCreated,
  ChannelConnectionSchema,
  ChannelList,
  ChannelParams,
  ConnectionBody,
  RotatedSecret,
} from '../schemas/channels.ts';

export const CHANNEL_ROUTES: RouteSpec[] = [
  {
    id: 'listChannels',
    method: 'GET',
    path: '/v1/channels',
    fn: 'channels',
    scope: 'admin',
    summary: "Every channel of the market with the tenant's connection (never a secret)",
    responses: { 200: { description: 'The channels', schema: ChannelList } },
    errors: [...AUTH_ERRORS],
  },
  {
    id: 'getChannel',
    method: 'GET',
    path: '/v1/channels/{channel}',
    fn: 'channels',
    scope: 'admin',
    summary: "One channel's connection (never a secret)",
    params: ChannelParams,
    responses: { 200: { description: 'The connection', schema: ChannelConnectionSchema } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'putChannel',
    method: 'PUT',
    path: '/v1/channels/{channel}',
    fn: 'channels',
    scope: 'admin',
    summary: 'Connect a channel: a webhook to the gateway, or the hand-off queue (the default)',
    params: ChannelParams,
    body: ConnectionBody,
    responses: {
      200: {
        description: 'Replaced; a secret the connection had is kept and not shown',
        schema: ChannelConnectionCreated,
      },
      201: {
        description: 'Created; a webhook connection comes with its `secret`, shown this once',
        schema: ChannelConnectionCreated,
      },
    },
    errors: [400, ...AUTH_ERRORS, 404, 409, 413],
  },
  {
    id: 'rotateChannelSecret',
    method: 'POST',
    path: '/v1/channels/{channel}/rotate-secret',
    fn: 'channels',
    scope: 'admin',
    summary: 'A new signing secret; the previous one keeps signing until previousValidUntil',
    params: ChannelParams,
    responses: { 200: { description: 'The new secret, shown this once', schema: RotatedSecret } },
    errors: [400, ...AUTH_ERRORS, 404, 409],
  },
];
