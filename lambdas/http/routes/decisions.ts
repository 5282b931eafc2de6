import { AUTH_ERRORS, route } from '../route-spec.ts';
import { IfMatchHeader, PageQuery } from '../schemas/common.ts';
import { ETAG } from '../schemas/headers.ts';
import {
  Action,
  ActionBody,
  ActionList,
  ActionParams,
  DecisionParams,
  DecisionRequestBody,
  ResponseBody,
  ResponseView,
} from '../schemas/decision.ts';
import { DecisionView, LoggedDecision } from '../schemas/decision-view.ts';

export const DECISION_ROUTES = [
  route({
    id: 'listActions',
    method: 'GET',
    path: '/v1/actions',
    fn: 'decisions',
    scope: 'admin',
    tag: 'actions',
    description:
      "The tenant's actions in id order, each with its `version`, `limit` per page (1-100, 50 by default); pass `nextToken` from the previous page to go on. A page without `nextToken` is the last.",
    summary: "The tenant's action catalog, a page at a time in id order",
    query: PageQuery,
    responses: { 200: { description: 'A page of actions', schema: ActionList } },
    errors: [400, ...AUTH_ERRORS],
  }),
  route({
    id: 'getAction',
    method: 'GET',
    path: '/v1/actions/{actionId}',
    fn: 'decisions',
    scope: 'admin',
    tag: 'actions',
    description:
      'One action: kind, eligibility rule, treatments per channel and language, value, validity and per-customer and daily limits, with its `version`. `ETag` carries the version to send back in `If-Match`.',
    summary: 'One action of the catalog',
    params: ActionParams,
    responses: {
      200: { description: 'The action; ETag carries the version', schema: Action, headers: { ETag: ETAG } },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'putAction',
    method: 'PUT',
    path: '/v1/actions/{actionId}',
    fn: 'decisions',
    scope: 'admin',
    tag: 'actions',
    description:
      "Creates (201) or replaces (200) an action. The eligibility rule is checked against the rule language and its limits when saved; decisions, triggers and campaigns see the change within the catalog cache's lifetime. With `If-Match` the write happens only if the stored version matches (412 otherwise, and `*` needs an action to exist); without it the write is unconditional (the last writer wins). The read-only `version`, `createdAt` and `updatedAt` of a GET body are accepted and ignored. The answer carries the new version as `ETag`. An audit entry records the change.",
    summary: 'Create or replace an action (offer, retention, service or information)',
    params: ActionParams,
    headers: IfMatchHeader,
    body: ActionBody,
    responses: {
      200: { description: 'Replaced', schema: Action, headers: { ETag: ETAG } },
      201: { description: 'Created', schema: Action, headers: { ETag: ETAG } },
    },
    errors: [400, ...AUTH_ERRORS, 409, 412, 413],
  }),
  route({
    id: 'deleteAction',
    method: 'DELETE',
    path: '/v1/actions/{actionId}',
    fn: 'decisions',
    scope: 'admin',
    tag: 'actions',
    description:
      'Removes an action from the catalog: decisions stop offering it once the catalog cache refreshes; decisions already logged keep naming it. With `If-Match` it is removed only if the stored version matches (412 otherwise); without it whatever is stored is removed. An audit entry records the change.',
    summary: 'Remove an action from the catalog',
    params: ActionParams,
    headers: IfMatchHeader,
    responses: { 204: { description: 'Removed' } },
    errors: [400, ...AUTH_ERRORS, 404, 409, 412],
  }),
  route({
    id: 'postDecision',
    method: 'POST',
    path: '/v1/decisions',
    fn: 'decisions',
    scope: 'channel',
    tag: 'decisions',
    description:
      'Ranks the eligible actions for the customer on the channel, applies the contact policy (consent, channel and household limits, decline suppression, quiet hours for outbound channels) and answers the best `limit` with their reasons, the experiment group and model versions. The decision is recorded in the decision log; one that offers something counts as a contact. An empty `actions` list is a valid answer (for instance the control group). Send an `Idempotency-Key` to retry safely.',
    summary: 'Next best actions for a customer on a channel; an empty list is a valid answer',
    body: DecisionRequestBody,
    idempotent: true,
    responses: { 200: { description: 'The decision, recorded in the decision log', schema: DecisionView } },
    errors: [400, ...AUTH_ERRORS, 404, 413],
  }),
  route({
    id: 'getDecision',
    method: 'GET',
    path: '/v1/decisions/{decisionId}',
    fn: 'decisions',
    scope: 'channel',
    tag: 'decisions',
    description:
      "Reads a decision back from the decision log: the actions offered with their reasons and priority inputs, the strongest excluded candidates with their codes, experiment group, model versions, the request context and the responses so far. After the market's `decisionLogDays` it has expired and the answer is 404.",
    summary:
      "A logged decision: its actions with their reasons, the strongest excluded candidates, experiment group, model versions, context and responses (404 once it expires, after the market's decisionLogDays)",
    params: DecisionParams,
    responses: { 200: { description: 'The decision as logged', schema: LoggedDecision } },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'postDecisionResponse',
    method: 'POST',
    path: '/v1/decisions/{decisionId}/responses',
    fn: 'decisions',
    scope: 'channel',
    tag: 'decisions',
    description:
      'Records accepted, declined or ignored for an action the decision offered: it feeds the contact ledger (a decline suppresses the action for a while) and the learned take-up rates. The same response sent again is answered with `duplicate: true` and counts once; an action the decision did not offer is a 409.',
    summary: "The customer's response to an offered action; a duplicate counts once",
    params: DecisionParams,
    body: ResponseBody,
    idempotent: true,
    responses: { 200: { description: 'Recorded (or already recorded: duplicate)', schema: ResponseView } },
    errors: [400, ...AUTH_ERRORS, 404, 409, 413],
  }),
];
