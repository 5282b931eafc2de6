/**
 * The customer base a local load runs against. Its size matters: a decision reads the customer's
 * contact window and writes one item to it, so 200/s over 200 customers grows every window by a
 * contact a second and each Query reads more and more; production traffic at that rate spreads
 * over a base of millions. A few thousand customers keep each window at a few items, as there.
 */
export const LOAD_CUSTOMERS = 3000;

const inBatches = async (count: number, width: number, one: (i: number) => Promise<void>) => {
  for (let i = 0; i < count; i += width)
    await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, k) => one(i + k)));
};

async function ok(res: Response, what: string) {
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${text}`);
}

/** Creates the customers through the API (PUT /v1/customers/{id}), ten at a time. */
export function seedCustomers(
  baseUrl: string,
  adminKey: string,
  ids: readonly string[],
  profileOf: (i: number) => Record<string, unknown>,
): Promise<void> {
  return inBatches(ids.length, 10, async (i) =>
    ok(
      await fetch(`${baseUrl}/v1/customers/${ids[i]}`, {
        method: 'PUT',
        headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
        body: JSON.stringify(profileOf(i)),
      }),
      'seeding',
    ),
  );
}

/**
 * One decision per customer, eight at a time: a customer's first decision scores them on the spot
 * (no nightly scores yet), which the steps after it should not measure.
 */
export function decideEachOnce(baseUrl: string, channelKey: string, ids: readonly string[]): Promise<void> {
  return inBatches(ids.length, 8, async (i) =>
    ok(
      await fetch(`${baseUrl}/v1/decisions`, {
        method: 'POST',
        headers: { 'x-api-key': channelKey, 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: ids[i], channel: 'app' }),
      }),
      'warm-up decision',
    ),
  );
}
