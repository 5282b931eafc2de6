import { AUTH_ERRORS, KB, route } from '../route-spec.ts';
import { IfMatchHeader, PageQuery } from '../schemas/common.ts';
import { ETAG } from '../schemas/headers.ts';
import { EventsAccepted, EventsBody } from '../schemas/events.ts';
import { Trigger, TriggerBody, TriggerList, TriggerParams } from '../schemas/triggers.ts';

export const EVENT_ROUTES = [
  route({
    id: 'postEvents',
    method: 'POST',
    path: '/v1/events',
    fn: 'events',
    scope: 'channel',
    tag: 'events',
    description:
      "Each event is validated on its own by its `type` (the `Event` schema): a bad event is returned in `rejected[]` with its index and fields, and does not stop the others. Valid events go to the tenant's queue and are folded into the customer's state (within a second locally); an `eventId` seen within the dedupe window changes nothing. A body that is not an object with 1-500 `events` is a 400.",
    summary: 'Send 1-500 events; each valid one is queued and takes effect once',
    body: EventsBody,
    bodyLimit: 1024 * KB,
    responses: { 202: { description: 'Accepted count and per-event rejections', schema: EventsAccepted } },
    errors: [400, ...AUTH_ERRORS, 413],
  }),
  route({
    id: 'listTriggers',
    method: 'GET',
    path: '/v1/triggers',
    fn: 'events',
    scope: 'admin',
    tag: 'triggers',
    description:
      "The tenant's trigger rules in id order, each with its `version`, `limit` per page (1-100, 50 by default); pass `nextToken` from the previous page to go on. A page without `nextToken` is the last.",
    summary: "The tenant's real-time trigger rules, a page at a time in id order",
    query: PageQuery,
    responses: { 200: { description: 'A page of triggers', schema: TriggerList } },
    errors: [400, ...AUTH_ERRORS],
  }),
  route({
    id: 'getTrigger',
    method: 'GET',
    path: '/v1/triggers/{triggerId}',
    fn: 'events',
    scope: 'admin',
    tag: 'triggers',
    description:
      'One trigger rule: its event type, JSON Logic condition over profile, state, scores and event, the action it hands off, the channel and its cooldown, with its `version`. `ETag` carries the version to send back in `If-Match`.',
    summary: 'One trigger rule',
    params: TriggerParams,
    responses: {
      200: { description: 'The trigger; ETag carries the version', schema: Trigger, headers: { ETag: ETAG } },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'putTrigger',
    method: 'PUT',
    path: '/v1/triggers/{triggerId}',
    fn: 'events',
    scope: 'admin',
    tag: 'triggers',
    description:
      'Creates (201) or replaces (200) a trigger. The condition is checked against the rule language and its limits when saved (400 names the field and the limit); a `triggerId` in the body must be the one in the path. With `If-Match` the write happens only if the stored version matches (412 otherwise, and `*` needs a trigger to exist); without it the write is unconditional (the last writer wins). The read-only `version`, `createdAt` and `updatedAt` of a GET body are accepted and ignored. The answer carries the new version as `ETag`. An audit entry records the change.',
    summary: 'Create or replace a trigger: event type + condition on state -> action on a channel',
    params: TriggerParams,
    headers: IfMatchHeader,
    body: TriggerBody,
    responses: {
      200: { description: 'Replaced', schema: Trigger, headers: { ETag: ETAG } },
      201: { description: 'Created', schema: Trigger, headers: { ETag: ETAG } },
    },
    errors: [400, ...AUTH_ERRORS, 409, 412, 413],
  }),
  route({
    id: 'deleteTrigger',
    method: 'DELETE',
    path: '/v1/triggers/{triggerId}',
    fn: 'events',
    scope: 'admin',
    tag: 'triggers',
    description:
      'Removes a trigger: later events no longer fire it; messages it already handed off are not recalled. With `If-Match` it is removed only if the stored version matches (412 otherwise); without it whatever is stored is removed. An audit entry records the change.',
    summary: 'Remove a trigger',
    params: TriggerParams,
    headers: IfMatchHeader,
    responses: { 204: { description: 'Removed' } },
    errors: [400, ...AUTH_ERRORS, 404, 409, 412],
  }),
];
