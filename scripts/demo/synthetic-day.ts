import type { components } from '../lib/api/api-types.ts';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';

/** A small deterministic PRNG (mulberry32): the same seed gives the same demo day. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

/** An event as the API documents it (POST /v1/events): its `data` is checked by tsc against its `type`. */
export type DemoEvent = components['schemas']['Event'];
type DataOf<T extends DemoEvent['type']> = Extract<DemoEvent, { type: T }>['data'];

const EXIT_REASONS = [
  ['price', 35],
  ['network', 20],
  ['competitor-offer', 20],
  ['service', 15],
  ['moved', 5],
  ['other', 5],
] as const;
const weighted = <V extends string>(r: ReturnType<typeof rng>, table: readonly (readonly [V, number])[]): V => {
  let x = r.next() * table.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[0]![0];
};

/** Where new customers come from; dealer-07's free-month SIM-only deal brings customers who leave. */
const ACQUISITION = {
  channels: ['retail', 'online', 'telesales'],
  tariffs: ['smart-50', 'smart-100', 'fiber'],
  promotions: ['none', 'double-data', 'sim-only-free-month'],
  dealers: ['dealer-01', 'dealer-02', 'dealer-03', 'dealer-07'],
} as const;

export interface DemoDay {
  events: DemoEvent[];
  newCustomers: ProfileWithId[];
}

/**
 * A day of a mobile base, ending at `end`: data usage (some past 80% of the bundle), dropped
 * calls (a few customers three times), top-ups, care contacts, NPS surveys, churn with exit
 * reasons (mostly among customers the dataset labels as churners), and acquisitions.
 */
export function syntheticDay(
  customers: { customerId: string; churnLabel: boolean }[],
  end: Date,
  seed = 9,
  newCount = Math.round(customers.length * 0.08),
): DemoDay {
  const r = rng(seed);
  const endMs = end.getTime();
  const at = () => new Date(endMs - r.int(60, 23 * 3600) * 1000).toISOString();
  const events: DemoEvent[] = [];
  let n = 0;
  const add = <T extends DemoEvent['type']>(customerId: string, type: T, data: DataOf<T>, occurredAt = at()) =>
    // the pair (type, data) is checked at each call; TypeScript cannot see that it picks one member
    events.push({ eventId: `demo-${seed}-${++n}`, customerId, type, occurredAt, data } as DemoEvent);
  for (const { customerId, churnLabel } of customers) {
    const bundleMb = r.pick([1024, 2048, 5120, 10240]);
    add(customerId, 'usage.data', {
      usedMb: Math.round(bundleMb * (r.chance(0.15) ? 0.82 + r.next() * 0.15 : r.next() * 0.7)),
      bundleMb,
    });
    if (r.chance(0.5)) add(customerId, 'usage.voice', { seconds: r.int(30, 1800) });
    const drops = r.chance(0.06) ? 3 : r.chance(0.15) ? 1 : 0;
    for (let i = 0; i < drops; i++)
      add(
        customerId,
        'network.call_dropped',
        { cellId: `cell-${r.int(1, 40)}` },
        new Date(endMs - r.int(60, 6 * 3600) * 1000).toISOString(),
      );
    if (r.chance(0.3)) add(customerId, 'billing.topup', { amount: r.pick([20, 29, 50, 99]) });
    if (r.chance(0.1))
      add(customerId, 'care.contact', {
        reason: r.pick(['billing', 'network', 'device']),
        channel: 'call-centre',
        resolvedFirstContact: r.chance(drops ? 0.5 : 0.8),
      });
    if (r.chance(0.15))
      add(customerId, 'survey.nps', { score: Math.max(0, Math.min(10, (drops ? 4 : 8) + r.int(-3, 2))) });
    if (r.chance(churnLabel ? 0.2 : 0.01))
      add(customerId, 'customer.churned', { reason: drops ? 'network' : weighted(r, EXIT_REASONS) });
  }
  const newCustomers: ProfileWithId[] = [];
  for (let i = 0; i < newCount; i++) {
    const customerId = `new-${String(seed).padStart(2, '0')}-${String(i + 1).padStart(4, '0')}`;
    const bad = i % 5 === 0;
    const channel = bad ? 'retail' : r.pick(ACQUISITION.channels);
    const tariff = bad ? 'smart-50' : r.pick(ACQUISITION.tariffs);
    const promotion = bad ? 'sim-only-free-month' : r.pick(ACQUISITION.promotions.slice(0, 2));
    const dealer = bad ? 'dealer-07' : r.pick(ACQUISITION.dealers.slice(0, 3));
    newCustomers.push({
      customerId,
      segment: 'single',
      tariff,
      tenureMonths: 0,
      contract: 'prepaid',
      monthlyCharge: tariff === 'fiber' ? 89 : tariff === 'smart-100' ? 65 : 45,
      consent: { sms: true, app: true },
      language: 'en',
    });
    const acquiredMs = endMs - r.int(12, 23) * 3600_000;
    add(
      customerId,
      'customer.acquired',
      { channel, tariff, ...(promotion !== 'none' ? { promotion } : {}), dealer },
      new Date(acquiredMs).toISOString(),
    );
    add(customerId, 'billing.topup', { amount: 45 }, new Date(acquiredMs + 600_000).toISOString());
    // false acquisition: most free-month SIM-only customers from dealer-07 are gone within hours
    if (r.chance(bad ? 0.7 : 0.04))
      add(
        customerId,
        'customer.churned',
        { reason: 'competitor-offer', detail: 'took the free month' },
        new Date(acquiredMs + r.int(2, 10) * 3600_000).toISOString(),
      );
  }
  events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  return { events, newCustomers };
}
