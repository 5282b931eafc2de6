import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { noMeter, type Meter } from '#domain/usage-readings.ts';
import { tenantOf } from './authorizer-context.ts';
import { resolveRoute } from './route-match.ts';
import type { RouteSpec } from './route-spec.ts';

let installed: Meter = noMeter;

/**
 * The meter every API function's pipeline uses; the composition root installs it once per
 * container (lambdas/composition/container-meter.ts). Until then API calls are not metered.
 */
export function installApiMeter(meter: Meter): void {
  installed = meter;
}
export const apiMeter = (): Meter => installed;

/**
 * Meters every authenticated API call (answered or refused) as `ApiRequest` for the caller's
 * tenant, with the route id, then flushes the meter: everything the invocation metered (its
 * decision, the DynamoDB capacity it consumed) leaves as one EMF line per tenant, also when the
 * use case threw. No table write. Never fails the request.
 */
export const apiMetering = (
  routes: readonly RouteSpec[],
  meterOf: () => Meter = apiMeter,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const record = (event: APIGatewayProxyEvent) => {
    const meter = meterOf();
    try {
      const tenant = tenantOf(event);
      if (tenant) {
        const resolution = resolveRoute(routes, event.httpMethod, event.path);
        const route = resolution.kind === 'match' ? resolution.match.route.id : resolution.kind;
        meter.meter(tenant, 'ApiRequest', 1, { route });
      }
    } catch {
      /* metering never fails a request */
    }
    try {
      meter.flush?.();
    } catch {
      /* nor does writing the meters */
    }
  };
  return {
    after: async (request) => record(request.event),
    onError: async (request) => {
      record(request.event);
    },
  };
};
