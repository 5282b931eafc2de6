import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CvmEvent } from '#domain/events.ts';
import type { Caller } from '#domain/api-key.ts';
import type { Invoke } from '../test-support/api-event.ts';
import { processorHarness } from '../test-support/processor-harness.ts';
import { dropUnreadEmf, EMF_METER_ENV, emfBlobs } from '../test-support/emf.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

// Midday in Johannesburg (UTC+2): not quiet hours.
const NOW = '2026-03-02T10:00:00.000Z';
let t: TestTables;
let process_: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;
let customers: Invoke;
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };

afterAll(dropUnreadEmf());

beforeAll(async () => {
  t = await testTables();
  ({ processEvents: process_, customers } = await processorHarness(t, { CVM_NOW: NOW, ...EMF_METER_ENV }));
  for (const id of ['m-1', 'm-2', 'm-3', 'm-4']) {
    await customers({
      method: 'PUT',
      path: `/v1/customers/${id}`,
      body: { consent: { 'call-centre': true }, language: 'en' },
      caller: acme,
    });
  }
});

const dropped = (customerId: string, hoursAgo: number): CvmEvent => ({
  ...anEvent('network.call_dropped', {}, { now: NOW, minutesAgo: 60 * hoursAgo }),
  customerId,
});
const deliver = (events: CvmEvent[]) => process_(sqsEvent(events.map((e) => sqsRecord(t.market, 'acme', e))));
const firings = async (events: CvmEvent[]) =>
  (await emfBlobs(() => deliver(events))).filter((b) => 'TriggerFired' in b);

describe("the event processor's trigger metric", () => {
  it("counts a batch's trigger firings in one TriggerFired value for its tenant", async () => {
    const batch = ['m-1', 'm-2'].flatMap((id) => [1, 2, 3].map((h) => dropped(id, h)));
    const blobs = await firings(batch);
    expect(blobs).toHaveLength(1);
    expect(blobs[0]).toMatchObject({ service: 'telco-cvm', market: t.market, tenant: 'acme', TriggerFired: 2 });
  });

  it('writes nothing for a batch where nothing fired, nor for a redelivery of one that did', async () => {
    expect(await firings([dropped('m-3', 1)])).toEqual([]);
    const third = [1, 2, 3].map((h) => dropped('m-4', h));
    expect(await firings(third)).toHaveLength(1);
    expect(await firings(third)).toEqual([]);
  });
});
