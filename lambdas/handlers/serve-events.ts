import { deleteTrigger, getTrigger, ingestEvents, listTriggers, putTrigger } from '#app/events.ts';
import { httpHandler } from '#http/http-handler.ts';
import { EVENT_ROUTES } from '#http/routes/events.ts';
import { ifMatchOf, refuseOtherId, versionedReply } from '#http/preconditions.ts';
import { validateEvents } from '#edge/events.ts';
import { platformEnv } from '#composition/platform-env.ts';
import { eventsApiPortsFor } from '#composition/events-api.ts';
import { meter } from '#composition/container-meter.ts';

const ports = eventsApiPortsFor(platformEnv());
const useCases = {
  ingest: ingestEvents(ports),
  list: listTriggers(ports),
  get: getTrigger(ports),
  put: putTrigger(ports),
  remove: deleteTrigger(ports),
};

export const handler = httpHandler(EVENT_ROUTES, {
  postEvents: async (req) => {
    const { valid, rejected } = validateEvents(req.body.events);
    const result = await useCases.ingest(req.caller.tenant, valid, rejected);
    meter.meter(req.caller.tenant, 'Event', result.accepted);
    return { status: 202, body: result };
  },
  listTriggers: async (req) => ({
    status: 200,
    body: await useCases.list(req.caller.tenant, req.query),
  }),
  getTrigger: async (req) => versionedReply(await useCases.get(req.caller.tenant, req.params.triggerId)),
  putTrigger: async (req) => {
    const triggerId = req.params.triggerId;
    refuseOtherId('triggerId', triggerId, req.body.triggerId, 'trigger');
    const { created, trigger } = await useCases.put(
      req.caller.tenant,
      { ...req.body, triggerId },
      { keyId: req.caller.keyId },
      ifMatchOf(req.headers['if-match']),
    );
    return versionedReply(trigger, created);
  },
  deleteTrigger: async (req) => {
    await useCases.remove(
      req.caller.tenant,
      req.params.triggerId,
      { keyId: req.caller.keyId },
      ifMatchOf(req.headers['if-match']),
    );
    return { status: 204 };
  },
});
