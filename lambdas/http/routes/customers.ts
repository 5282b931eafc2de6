import { AUTH_ERRORS, KB, type RouteSpec } from '../route-spec.ts';
import {
  CustomerExport,
  CustomerParams,
  CustomerProfileBody,
  CustomerView,
  Household,
  HouseholdParams,
} from '../schemas/customer.ts';

export const CUSTOMER_ROUTES: RouteSpec[] = [  {
    id: 'putCustomer', method: 'PUT', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'admin',
    summary: 'Create or replace a customer profile (If-Match makes it conditional)',
    params: CustomerParams, body: CustomerProfileBody, bodyLimit: 64 * KB,
    responses: { 200: { description: 'Replaced', schema: CustomerView }, 201: { description: 'Created', schema: CustomerView } },
    errors: [400, ...AUTH_ERRORS, 409, 412, 413],
  },
  {
    id: 'getCustomer', method: 'GET', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'channel',
    summary: 'Profile with derived state, value tier, scores and recent contacts',
    params: CustomerParams,
    responses: { 200: { description: 'The customer; ETag carries the version', schema: CustomerView } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'deleteCustomer', method: 'DELETE', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'admin',
    summary: 'Erase everything stored about a customer, leaving a tombstone',
    params: CustomerParams,
    responses: { 204: { description: 'Erased' } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'exportCustomer', method: 'GET', path: '/v1/customers/{customerId}/export', fn: 'customers', scope: 'admin',
    summary: 'Subject access: everything stored about a customer',
    params: CustomerParams,
    responses: { 200: { description: 'All stored items', schema: CustomerExport } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'getHousehold', method: 'GET', path: '/v1/households/{householdId}', fn: 'customers', scope: 'channel',
    summary: 'Household members and value',
    params: HouseholdParams,
    responses: { 200: { description: 'The household', schema: Household } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
];
