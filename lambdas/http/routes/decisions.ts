import { AUTH_ERRORS, type RouteSpec } from '../route-spec.ts';
import {
  Action,
  ActionBody,
  ActionList,
  ActionParams,
  DecisionParams,
  DecisionRequestBody,
  DecisionView,
  ResponseBody,
  ResponseView,
} from '../schemas/decision.ts';

export const DECISION_ROUTES: RouteSpec[] = [
  {
    id: 'listActions', method: 'GET', path: '/v1/actions', fn: 'decisions', scope: 'admin',
    summary: "The tenant's action catalog",
    responses: { 200: { description: 'All actions', schema: ActionList } },
    errors: [...AUTH_ERRORS],
  },
  {
    id: 'getAction', method: 'GET', path: '/v1/actions/{actionId}', fn: 'decisions', scope: 'admin',
    summary: 'One action of the catalog',
    params: ActionParams,
    responses: { 200: { description: 'The action', schema: Action } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'putAction', method: 'PUT', path: '/v1/actions/{actionId}', fn: 'decisions', scope: 'admin',
    summary: 'Create or replace an action (offer, retention, service or information)',
    params: ActionParams, body: ActionBody,
    responses: { 200: { description: 'Replaced', schema: Action }, 201: { description: 'Created', schema: Action } },
    errors: [400, ...AUTH_ERRORS, 413],
  },
  {
    id: 'deleteAction', method: 'DELETE', path: '/v1/actions/{actionId}', fn: 'decisions', scope: 'admin',
    summary: 'Remove an action from the catalog',
    params: ActionParams,
    responses: { 204: { description: 'Removed' } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'postDecision', method: 'POST', path: '/v1/decisions', fn: 'decisions', scope: 'channel',
    summary: 'Next best actions for a customer on a channel; an empty list is a valid answer',
    body: DecisionRequestBody,
    responses: { 200: { description: 'The decision, logged as contact history', schema: DecisionView } },
    errors: [400, ...AUTH_ERRORS, 404, 413],
  },
  {
    id: 'postDecisionResponse', method: 'POST', path: '/v1/decisions/{decisionId}/responses', fn: 'decisions', scope: 'channel',
    summary: "The customer's response to an offered action; a duplicate counts once",
    params: DecisionParams, body: ResponseBody,
    responses: { 200: { description: 'Recorded (or already recorded: duplicate)', schema: ResponseView } },
    errors: [400, ...AUTH_ERRORS, 404, 409, 413],
  },
];
