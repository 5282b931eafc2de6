import { randomBytes } from 'node:crypto';
import { CHANNELS, type Channel } from '#domain/customer.ts';
import type { EventOf } from '#domain/events.ts';

/** Every smoke customer's id starts with this, so one is easy to recognise in logs, reports and exports. */
export const SMOKE_PREFIX = 'smoke-';

/**
 * A fresh id per run: an erased customer leaves a tombstone and cannot be written again, and two
 * runs at once (two operators, CI) must not erase each other's customer.
 */
export function smokeCustomerId(): string {
  return `${SMOKE_PREFIX}${randomBytes(6).toString('hex')}`;
}

/** A key no tenant has: the API must answer it with 403, not 401 and never 200. */
export function wrongKey(): string {
  return `smoke-not-a-key-${randomBytes(16).toString('hex')}`;
}

/**
 * The smoke customer's profile. Every channel's consent is false, so the contact policy refuses
 * every contact to it on every channel: marketing needs consent true, service needs it not false.
 * Whatever a tenant's triggers or catalog say, it can never be sent a message.
 */
export function smokeProfile() {
  return {
    segment: 'smoke-test',
    tariff: 'smoke-test',
    monthlyCharge: 0,
    consent: Object.fromEntries(CHANNELS.map((c) => [c, false])) as Record<Channel, boolean>,
    attributes: { smokeTest: true },
  };
}

/**
 * The event type the smoke sends. `usage.voice` only adds to the voice counter: the demo market's
 * triggers listen to dropped calls and data use (lib/config/markets/demo-triggers.ts), it is not
 * a churn, acquisition, top-up or offer response that reports and campaign measurement count,
 * and the event check refuses to send it if a tenant has authored a trigger on it.
 */
export const SMOKE_EVENT_TYPE = 'usage.voice' as const;

/** One voice-usage event for the smoke customer, dated `occurredAt` (the platform's clock). */
export function smokeEvent(customerId: string, occurredAt: string): EventOf<typeof SMOKE_EVENT_TYPE> {
  return {
    eventId: `${customerId}-voice`,
    customerId,
    type: SMOKE_EVENT_TYPE,
    occurredAt,
    data: { seconds: 1 },
  };
}
