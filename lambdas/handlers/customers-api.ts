import { deleteCustomer, exportCustomer, getCustomer, getHousehold, putCustomer } from '#app/customers.ts';
import { InvalidInputError } from '#domain/errors.ts';
import { httpHandler, type HttpRequest } from '#http/pipeline.ts';
import type { Profile } from '#domain/customer.ts';
import { platformEnv } from './env.ts';
import { adaptersFor } from './wiring.ts';

const ports = adaptersFor(platformEnv());
const useCases = {
  get: getCustomer(ports),
  put: putCustomer(ports),
  erase: deleteCustomer(ports),
  export: exportCustomer(ports),
  household: getHousehold(ports),
};

const etag = (version: number) => `"${version}"`;

/** If-Match: "3" (or W/"3"); `*` means any existing version and is treated as unconditional. */
function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!m)
    throw new InvalidInputError('If-Match must be an ETag such as "3"', [
      { field: 'If-Match', message: 'not an ETag' },
    ]);
  return Number(m[1]);
}

export const handler = httpHandler('customers', {
  getCustomer: async (req) => {
    const customer = await useCases.get(req.caller.tenant, req.params['customerId']!);
    return { status: 200, body: customer, headers: { etag: etag(customer.version) } };
  },
  putCustomer: async (req: HttpRequest<Profile>) => {
    const { created, customer } = await useCases.put(req.caller.tenant, {
      customerId: req.params['customerId']!,
      profile: req.body,
      ifMatch: ifMatchVersion(req.headers['if-match']),
      actorKeyId: req.caller.keyId,
    });
    return { status: created ? 201 : 200, body: customer, headers: { etag: etag(customer.version) } };
  },
  deleteCustomer: async (req) => {
    await useCases.erase(req.caller.tenant, req.params['customerId']!);
    return { status: 204 };
  },
  exportCustomer: async (req) => ({
    status: 200,
    body: await useCases.export(req.caller.tenant, req.params['customerId']!),
  }),
  getHousehold: async (req) => ({
    status: 200,
    body: await useCases.household(req.caller.tenant, req.params['householdId']!),
  }),
});
