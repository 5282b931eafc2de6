import { AUTH_ERRORS, KB, type RouteSpec } from '../route-spec.ts';
import { EventsAccepted, EventsBody } from '../schemas/events.ts';
import { Trigger, TriggerBody, TriggerList, TriggerParams } from '../schemas/triggers.ts';

export const EVENT_ROUTES: RouteSpec[] = [
  {
    id: 'postEvents', method: 'POST', path: '/v1/events', fn: 'events', scope: 'channel',
    summary: 'Send 1-500 events; each valid one is queued and takes effect once',
    body: EventsBody, bodyLimit: 1024 * KB,
    responses: { 202: { description: 'Accepted count and per-event rejections', schema: EventsAccepted } },
    errors: [400, ...AUTH_ERRORS, 413],
  },
  {
    id: 'listTriggers', method: 'GET', path: '/v1/triggers', fn: 'events', scope: 'admin',
    summary: 'The tenant\'s real-time trigger rules',
    responses: { 200: { description: 'All triggers', schema: TriggerList } },
    errors: [...AUTH_ERRORS],
  },
  {
    id: 'getTrigger', method: 'GET', path: '/v1/triggers/{triggerId}', fn: 'events', scope: 'admin',
    summary: 'One trigger rule', params: TriggerParams,
    responses: { 200: { description: 'The trigger', schema: Trigger } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'putTrigger', method: 'PUT', path: '/v1/triggers/{triggerId}', fn: 'events', scope: 'admin',
    summary: 'Create or replace a trigger: event type + condition on state -> action on a channel',
    params: TriggerParams, body: TriggerBody,
    responses: { 200: { description: 'Replaced', schema: Trigger }, 201: { description: 'Created', schema: Trigger } },
    errors: [400, ...AUTH_ERRORS, 413],
  },
  {
    id: 'deleteTrigger', method: 'DELETE', path: '/v1/triggers/{triggerId}', fn: 'events', scope: 'admin',
    summary: 'Remove a trigger', params: TriggerParams,
    responses: { 204: { description: 'Removed' } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
];
