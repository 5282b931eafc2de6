import fc from 'fast-check';
import { EXIT_REASONS, type CvmEvent } from '#domain/events.ts';

/** Money with cents, as senders send it (floats: summing them in another order may differ in the last bit). */
const money = fc.integer({ min: 1, max: 50_000 }).map((c) => c / 100);

/** The type and data of any event the state folds. */
export const anyEventBody = fc.oneof(
  fc.record({ type: fc.constant('network.call_dropped' as const), data: fc.constant({}) }),
  fc.record({ type: fc.constant('billing.topup' as const), data: fc.record({ amount: money }) }),
  fc.record({
    type: fc.constant('billing.invoice' as const),
    data: fc.record({ amount: money, paid: fc.boolean() }),
  }),
  fc.record({
    type: fc.constant('care.contact' as const),
    data: fc.record({
      reason: fc.constantFrom('x', 'complaint', ' Complaint '),
      channel: fc.constant('app' as const),
      resolvedFirstContact: fc.boolean(),
    }),
  }),
  fc.record({
    type: fc.constant('usage.data' as const),
    data: fc.record({ usedMb: fc.integer({ min: 0, max: 2000 }), bundleMb: fc.integer({ min: 1, max: 2000 }) }),
  }),
  fc.record({
    type: fc.constant('usage.voice' as const),
    data: fc.record({ seconds: fc.integer({ min: 0, max: 3600 }) }),
  }),
  fc.record({
    type: fc.constant('survey.nps' as const),
    data: fc.record({ score: fc.integer({ min: 0, max: 10 }) }),
  }),
  fc.record({
    type: fc.constant('customer.churned' as const),
    data: fc.record({ reason: fc.constantFrom(...EXIT_REASONS) }),
  }),
  fc.record({
    type: fc.constant('customer.acquired' as const),
    data: fc.record({ channel: fc.constant('retail'), tariff: fc.constant('t') }),
  }),
  fc.record({
    type: fc.constantFrom('message.delivered' as const, 'message.failed' as const),
    data: fc.record({ messageId: fc.constantFrom('m1', 'm2', 'm3') }),
  }),
);

/** 1 to `maxLength` distinct events of customer `c`, each up to `maxMinutesAgo` before `now`. */
export const distinctEvents = (now: Date, { maxLength = 30, maxMinutesAgo = 40 * 24 * 60 } = {}) =>
  fc
    .array(fc.tuple(anyEventBody, fc.integer({ min: 0, max: maxMinutesAgo })), { minLength: 1, maxLength })
    .map((list) =>
      list.map(
        ([e, minutesAgo], i) =>
          ({
            ...e,
            eventId: `e${i}`,
            customerId: 'c',
            occurredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
          }) as CvmEvent,
      ),
    );

/** `list` in the order `seed` picks. */
export const shuffled = <T>(list: readonly T[], seed: number): T[] =>
  fc.sample(fc.shuffledSubarray([...list], { minLength: list.length, maxLength: list.length }), {
    numRuns: 1,
    seed,
  })[0]!;
