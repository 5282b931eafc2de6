import { AUTH_ERRORS, KB, route } from '../route-spec.ts';
import { IfMatchHeader } from '../schemas/common.ts';
import { ETAG } from '../schemas/headers.ts';
import {
  CustomerExport,
  CustomerMergePatch,
  CustomerParams,
  CustomerProfileBody,
  CustomerView,
  Household,
  HouseholdParams,
} from '../schemas/customer.ts';

export const CUSTOMER_ROUTES = [
  route({
    id: 'putCustomer',
    method: 'PUT',
    path: '/v1/customers/{customerId}',
    fn: 'customers',
    scope: 'admin',
    tag: 'customers',
    description:
      'Writes the whole profile: fields left out are cleared, not kept. With `If-Match` the write happens only if the stored version matches (412 otherwise); without it the write is unconditional. A customer that was erased cannot be written again (409). The answer carries the new version as `ETag`.',
    summary: 'Create or replace a customer profile (If-Match makes it conditional)',
    params: CustomerParams,
    headers: IfMatchHeader,
    body: CustomerProfileBody,
    bodyLimit: 64 * KB,
    responses: {
      200: { description: 'Replaced', schema: CustomerView, headers: { ETag: ETAG } },
      201: { description: 'Created', schema: CustomerView, headers: { ETag: ETAG } },
    },
    errors: [400, ...AUTH_ERRORS, 409, 412, 413],
  }),
  route({
    id: 'patchCustomer',
    method: 'PATCH',
    path: '/v1/customers/{customerId}',
    fn: 'customers',
    scope: 'admin',
    tag: 'customers',
    description:
      'Changes part of a profile: send `application/merge-patch+json` (RFC 7396) naming only what changes; everything else, consent and household included, is kept. `null` removes a field. With `If-Match` the change happens only if the stored version matches (412 otherwise); without it a concurrent write is re-read and the patch applied on top. The answer carries the new version as `ETag`.',
    summary: 'Change part of a customer profile (JSON Merge Patch)',
    params: CustomerParams,
    headers: IfMatchHeader,
    body: CustomerMergePatch,
    bodyLimit: 64 * KB,
    responses: { 200: { description: 'Patched', schema: CustomerView, headers: { ETag: ETAG } } },
    errors: [400, ...AUTH_ERRORS, 404, 409, 412, 413],
  }),
  route({
    id: 'getCustomer',
    method: 'GET',
    path: '/v1/customers/{customerId}',
    fn: 'customers',
    scope: 'channel',
    tag: 'customers',
    description:
      'The stored profile with the state folded from its events (windowed counters, latest readings), the value tier, the latest scores with their model versions and recent contacts. `ETag` carries the version to send back in `If-Match`. A channel key may read it.',
    summary: 'Profile with derived state, value tier, scores and recent contacts',
    params: CustomerParams,
    responses: {
      200: { description: 'The customer; ETag carries the version', schema: CustomerView, headers: { ETag: ETAG } },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'deleteCustomer',
    method: 'DELETE',
    path: '/v1/customers/{customerId}',
    fn: 'customers',
    scope: 'admin',
    tag: 'customers',
    description:
      "Erasure: deletes the customer's own items (profile, state, contact ledger), its decisions in the decision log, its campaign memberships and its id in campaign audience lists (inline and uploaded), redacts the audit entries about it, and leaves a tombstone so that late events cannot recreate it; messages already queued are stopped at send time.",
    summary: 'Erase everything stored about a customer, leaving a tombstone',
    params: CustomerParams,
    responses: { 204: { description: 'Erased' } },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'exportCustomer',
    method: 'GET',
    path: '/v1/customers/{customerId}/export',
    fn: 'customers',
    scope: 'admin',
    tag: 'customers',
    description:
      'Subject access: every item stored about the customer (profile, state, contact ledger, decisions from the decision log), as stored, and the uploaded audiences whose list names it (`audiences`), for a data subject request.',
    summary: 'Subject access: everything stored about a customer',
    params: CustomerParams,
    responses: { 200: { description: 'All stored items', schema: CustomerExport } },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  route({
    id: 'getHousehold',
    method: 'GET',
    path: '/v1/households/{householdId}',
    fn: 'customers',
    scope: 'channel',
    tag: 'customers',
    description:
      "The customers that name this household in their profile, found through the household index, with the household's combined monthly value.",
    summary: 'Household members and value',
    params: HouseholdParams,
    responses: { 200: { description: 'The household', schema: Household } },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
];
