import { meterFromEnv } from '#adapters/metering/meter-from-env.ts';
import { installApiMeter } from '#http/metering.ts';

/**
 * The container's meter, built once and installed into the HTTP pipeline. Use cases that meter
 * events, decisions, scores, contacts or workflow executions take it as their `meter` port:
 * `meter.meter(tenant, 'Decision', 1)`.
 */
export const meter = meterFromEnv(process.env);
installApiMeter(meter);
