import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvOf } from '../lambdas/domain/csv.ts';
import { IRANIAN_COLUMNS } from '../lambdas/domain/datasets/iranian.ts';
import { irRescorer, irSubject, pinnedVersion, SUBJECT_DROPPED_CALLS } from '../lambdas/test-support/ir-subject.ts';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { tenantApi, type TenantApi } from './support/tenant-api.ts';

const run = promisify(execFile);

interface ChurnScore {
  value: number;
  model: string;
  version: string;
  at: string;
}
const churnOf = (c: { scores?: Record<string, unknown> }) => c.scores?.['churn'] as ChurnScore | undefined;
const THRESHOLD = 0.6;
const ACTION = 'e2e-retention-call';
const TRIGGERS = ['network.call_dropped', 'care.contact'] as const;
/** 12:30 in Tehran today, outside quiet hours: the call-centre message is handed off at once. */
const PLATFORM_NOW = `${new Date().toISOString().slice(0, 10)}T09:00:00.000Z`;

/** Issue 20, item 2, on the ir market's local runtime: events move a customer's churn score within seconds. */
describe('real-time churn re-scoring (npm start, CVM_MARKET=ir)', () => {
  let rt: StartedRuntime;
  let api: TenantApi;
  beforeAll(async () => {
    rt = await startLocal({ CVM_MARKET: 'ir', CVM_NOW: PLATFORM_NOW });
    api = tenantApi(rt, 'consumer');
  });
  afterAll(async () => {
    await rt?.interrupt();
  });

  it('imports a customer from the dataset, raises its churn score on dropped calls and a complaint, and fires a crossing trigger once', async () => {
    // the customer as `npm run import` loads it: one row of the shared file, its usage as state
    const subject = irSubject(await irRescorer(), THRESHOLD);
    const file = join(rt.dir, 'one-customer.csv');
    writeFileSync(file, csvOf([...IRANIAN_COLUMNS], [IRANIAN_COLUMNS.map((c) => subject.csv[c]!)]));
    const imported = await run(
      'node_modules/.bin/tsx',
      ['scripts/import/import.ts', '--market', 'ir', '--tenant', 'consumer', '--file', file, '--quiet'],
      { env: { ...process.env, CVM_LOCAL_DIR: rt.dir } },
    );
    expect(JSON.parse(imported.stdout)).toMatchObject({ written: 1, states: 1 });
    const customerId = 'ir-1'; // the file's first row
    const read = async () =>
      expectAnswer(await api.channel.get('/v1/customers/{customerId}', { path: { customerId } }), 200).json;
    expect((await read()).scores?.churn).toBeUndefined(); // no nightly run, no event yet

    // a crossed condition is checked when saved
    const bad = await api.admin.put('/v1/triggers/{triggerId}', {
      path: { triggerId: 'e2e-bad-crossing' },
      body: {
        eventType: 'care.contact',
        condition: { crossed: ['state.x', 'high'] },
        actionId: ACTION,
        channel: 'call-centre',
        cooldownHours: 0,
      },
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await api.admin.put('/v1/actions/{actionId}', {
          path: { actionId: ACTION },
          body: {
            name: 'Retention call',
            kind: 'service',
            treatments: {
              'call-centre': { templateKey: 'care.retention', text: { fa: 'تماس با مشتری', en: 'Call the customer' } },
            },
            eligibility: true,
            propensity: { starting: 0.5 },
            value: 0,
          },
        })
      ).status,
    ).toBeLessThan(300);
    // the crossing can happen on either event type: one trigger watches each
    for (const eventType of TRIGGERS)
      expectAnswer(
        await api.admin.put('/v1/triggers/{triggerId}', {
          path: { triggerId: `e2e-churn-${eventType}` },
          body: {
            eventType,
            condition: { crossed: ['scores.churn', THRESHOLD] },
            actionId: ACTION,
            channel: 'call-centre',
            cooldownHours: 0,
          },
        }),
        201,
      );

    /** The trigger's messages handed to the call centre (the local runtime's outbound file). */
    const firings = () => {
      const file = join(rt.dir, 'outbound', 'call-centre.jsonl');
      const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
      return lines.map((l) => JSON.parse(l) as { actionId: string }).filter((m) => m.actionId === ACTION);
    };
    const now = Date.parse(PLATFORM_NOW);
    const event = (i: number, type: (typeof TRIGGERS)[number]) => ({
      eventId: `rt-${i}`,
      customerId,
      type,
      occurredAt: new Date(now - (20 - i) * 1000).toISOString(),
      data: type === 'care.contact' ? { reason: 'complaint', channel: 'call-centre', resolvedFirstContact: false } : {},
    });
    const send = async (events: ReturnType<typeof event>[]) =>
      expect((await api.channel.post('/v1/events', { body: { events } as never })).status).toBe(202);
    const eventually = async <T>(check: () => Promise<T>): Promise<T> => {
      for (let i = 0; ; i++) {
        try {
          return await check();
        } catch (err) {
          if (i > 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const sent = Date.now();
    await send([
      ...Array.from({ length: SUBJECT_DROPPED_CALLS }, (_, i) => event(i, 'network.call_dropped')),
      event(SUBJECT_DROPPED_CALLS, 'care.contact'),
    ]);
    const scored = await eventually(async () => {
      const c = await read();
      expect(c.state.complaints30d).toBe(1);
      return c;
    });
    const seconds = (Date.now() - sent) / 1000;
    expect(seconds).toBeLessThan(10);
    // the real-time score, from the pinned model, newer than any nightly one (there is none)
    expect(churnOf(scored)).toMatchObject({ model: 'churn', version: pinnedVersion('ir') });
    expect(churnOf(scored)).toEqual((scored.state['scores'] as { churn: ChurnScore }).churn);
    expect(churnOf(scored)!.value).toBeGreaterThanOrEqual(THRESHOLD);
    await eventually(async () => {
      expect(firings()).toHaveLength(1);
    });

    // above the threshold already: another complaint is no crossing
    await send([event(SUBJECT_DROPPED_CALLS + 1, 'care.contact')]);
    const later = await eventually(async () => {
      const c = await read();
      expect(c.state.complaints30d).toBe(2);
      return c;
    });
    expect(churnOf(later)!.value).toBeGreaterThanOrEqual(THRESHOLD);
    // a firing is handed off just after the state write: give a second one time to show up
    await new Promise((r) => setTimeout(r, 500));
    expect(firings()).toHaveLength(1);
  });
});
