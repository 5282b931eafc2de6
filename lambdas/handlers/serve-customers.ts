import {
  deleteCustomer,
  exportCustomer,
  getCustomer,
  getHousehold,
  patchCustomer,
  putCustomer,
} from '#app/customers.ts';
import { CustomerProfileBody } from '#http/schemas/customer.ts';
import { httpHandler } from '#http/http-handler.ts';
import { CUSTOMER_ROUTES } from '#http/routes/customers.ts';
import { ifMatchOf, versionedReply } from '#http/preconditions.ts';
import { platformEnv } from '#composition/platform-env.ts';
import { customerPortsFor } from '#composition/customers.ts';

const ports = customerPortsFor(platformEnv());
const useCases = {
  get: getCustomer(ports),
  put: putCustomer(ports),
  patch: patchCustomer(ports),
  erase: deleteCustomer(ports),
  export: exportCustomer(ports),
  household: getHousehold(ports),
};

export const handler = httpHandler(CUSTOMER_ROUTES, {
  getCustomer: async (req) => {
    const customer = await useCases.get(req.caller.tenant, req.params.customerId);
    return versionedReply(customer);
  },
  putCustomer: async (req) => {
    const { created, customer } = await useCases.put(req.caller.tenant, {
      customerId: req.params.customerId,
      profile: req.body,
      ifMatch: ifMatchOf(req.headers['if-match']),
      actorKeyId: req.caller.keyId,
    });
    return versionedReply(customer, created);
  },
  patchCustomer: async (req) => {
    const customer = await useCases.patch(req.caller.tenant, {
      customerId: req.params.customerId,
      patch: req.body,
      validate: (merged) => CustomerProfileBody.parse(merged),
      ifMatch: ifMatchOf(req.headers['if-match']),
      actorKeyId: req.caller.keyId,
    });
    return versionedReply(customer);
  },
  deleteCustomer: async (req) => {
    await useCases.erase(req.caller.tenant, req.params.customerId);
    return { status: 204 };
  },
  exportCustomer: async (req) => ({
    status: 200,
    body: await useCases.export(req.caller.tenant, req.params.customerId),
  }),
  getHousehold: async (req) => ({
    status: 200,
    body: await useCases.household(req.caller.tenant, req.params.householdId),
  }),
});
