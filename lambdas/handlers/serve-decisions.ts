import { deleteAction, getAction, listActions, putAction } from '#app/actions.ts';
import { decide, getDecision, respond } from '#app/decisions.ts';
import { httpHandler } from '#http/http-handler.ts';
import { DECISION_ROUTES } from '#http/routes/decisions.ts';
import { ifMatchOf, refuseOtherId, versionedReply } from '#http/preconditions.ts';
import { decisionsEnv } from '#composition/decisions-env.ts';
import { decisionAdaptersFor } from '#composition/decisions.ts';
import { idempotencyFor } from '#composition/idempotency.ts';
import { meter } from '#composition/container-meter.ts';

const env = decisionsEnv();
const ports = await decisionAdaptersFor(env);
const useCases = {
  list: listActions(ports),
  get: getAction(ports),
  put: putAction({ ...ports, content: { maxSmsSegments: env.raw.maxSmsSegments } }),
  remove: deleteAction(ports),
  decide: decide(ports),
  respond: respond(ports),
  find: getDecision(ports),
};

export const handler = httpHandler(
  DECISION_ROUTES,
  {
    listActions: async (req) => ({
      status: 200,
      body: await useCases.list(req.caller.tenant, req.query),
    }),
    getAction: async (req) => versionedReply(await useCases.get(req.caller.tenant, req.params.actionId)),
    putAction: async (req) => {
      const actionId = req.params.actionId;
      refuseOtherId('actionId', actionId, req.body.actionId, 'action');
      const { actionId: _same, ...fields } = req.body;
      const { created, action } = await useCases.put(
        req.caller.tenant,
        { actionId, ...fields },
        { keyId: req.caller.keyId },
        ifMatchOf(req.headers['if-match']),
      );
      return versionedReply(action, created);
    },
    deleteAction: async (req) => {
      await useCases.remove(
        req.caller.tenant,
        req.params.actionId,
        { keyId: req.caller.keyId },
        ifMatchOf(req.headers['if-match']),
      );
      return { status: 204 };
    },
    postDecision: async (req) => {
      const decision = await useCases.decide(req.caller.tenant, req.body);
      meter.meter(req.caller.tenant, 'Decision', 1, { channel: req.body.channel });
      return { status: 200, body: decision };
    },
    getDecision: async (req) => ({
      status: 200,
      body: await useCases.find(req.caller.tenant, req.params.decisionId),
    }),
    postDecisionResponse: async (req) => ({
      status: 200,
      body: await useCases.respond(req.caller.tenant, req.params.decisionId, req.body),
    }),
  },
  { idempotency: idempotencyFor(env.platform) },
);
