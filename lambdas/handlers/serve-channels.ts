import { getChannel, listChannels, putChannel, rotateChannelSecret } from '#app/channels.ts';
import { httpHandler } from '#http/http-handler.ts';
import { CHANNEL_ROUTES } from '#http/routes/channels.ts';
import { etagOf, ifMatchOf } from '#http/preconditions.ts';
import { channelPortsFor } from '#composition/channels.ts';
import { deliveryEnv } from '#composition/delivery-env.ts';

const ports = channelPortsFor(deliveryEnv());
const useCases = {
  list: listChannels(ports),
  get: getChannel(ports),
  put: putChannel(ports),
  rotate: rotateChannelSecret(ports),
};

/** /v1/channels: each tenant's channel connections (admin keys); secrets are shown once, when made. */
export const handler = httpHandler(CHANNEL_ROUTES, {
  listChannels: async (req) => ({ status: 200, body: await useCases.list(req.caller.tenant) }),
  getChannel: async (req) => {
    const connection = await useCases.get(req.caller.tenant, req.params.channel);
    // a channel nobody connected shows its default and has no version to name
    return {
      status: 200,
      body: connection,
      ...(connection.version ? { headers: { etag: etagOf(connection.version) } } : {}),
    };
  },
  putChannel: async (req) => {
    const { created, connection, secret } = await useCases.put(
      req.caller.tenant,
      req.params.channel,
      req.body,
      { keyId: req.caller.keyId },
      ifMatchOf(req.headers['if-match']),
    );
    return {
      status: created ? 201 : 200,
      body: { ...connection, ...(secret ? { secret } : {}) },
      headers: {
        etag: etagOf(connection.version!),
        // a body holding a secret must not sit in a cache
        ...(secret ? { 'cache-control': 'no-store' } : {}),
      },
    };
  },
  rotateChannelSecret: async (req) => ({
    status: 200,
    body: await useCases.rotate(req.caller.tenant, req.params.channel, { keyId: req.caller.keyId }),
    headers: { 'cache-control': 'no-store' },
  }),
});
