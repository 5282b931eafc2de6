import { describe, expect, it } from 'vitest';
import type { Action, ContactRecord } from '#domain/action.ts';
import { fixedClock } from '#domain/clock.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { CustomerState } from '#domain/customer-state.ts';
import type { ActionCatalog, CustomerStateRepo, StoredState, TriggerStore } from '#domain/ports.ts';
import type { OutboundMessage, Trigger } from '#domain/triggers.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processCustomerEvents } from './process-events.ts';

const NOW = '2026-03-02T10:00:00.000Z';

class MemoryStates implements CustomerStateRepo {
  profiles = new Map<string, CustomerRecord | 'erased'>();
  stored = new Map<string, StoredState>();
  contacts: ContactRecord[] = [];
  writes = 0;
  async loadForEvents(_t: string, id: string) {
    const p = this.profiles.get(id);
    const s = this.stored.get(id);
    return { ...(p && p !== 'erased' ? { profile: p } : {}), erased: p === 'erased', ...(s ? { stored: structuredClone(s) } : {}) };
  }
  async saveState(_t: string, id: string, state: CustomerState, outbox: OutboundMessage[], expected: number) {
    if ((this.stored.get(id)?.version ?? 0) !== expected) return false;
    this.stored.set(id, { state: structuredClone(state), outbox: [...outbox], version: expected + 1 });
    this.writes++;
    return true;
  }
  async clearOutbox(_t: string, id: string, version: number) {
    const s = this.stored.get(id);
    if (s?.version === version) s.outbox = [];
  }
  async recordContacts(_t: string, _id: string, contacts: ContactRecord[]) { this.contacts.push(...contacts); }
}

const triggerStore = (list: Trigger[]): TriggerStore => ({ get: async () => undefined, list: async () => list, put: async () => {}, remove: async () => false });
const healthCheck: Action = {
  actionId: 'care-health-check-call', name: 'Health check', kind: 'service', eligibility: true, propensity: { starting: 0.2 }, value: 0, lever: 0,
  limits: { perCustomer: [] }, treatments: { 'call-centre': { templateKey: 'care.health-check', text: { en: 'Please call about the dropped calls' } } },
};
const catalog: ActionCatalog = { get: async (_t, id) => (id === healthCheck.actionId ? healthCheck : undefined), list: async () => [healthCheck], put: async () => {}, remove: async () => false };

function setup() {
  const states = new MemoryStates();
  const sent: OutboundMessage[] = [];
  const run = processCustomerEvents({
    states, outbound: { send: async (m) => { sent.push(...m); } }, triggers: triggerStore(DEMO_TRIGGERS), catalog, clock: fixedClock(NOW),
    market: { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' }, stateConfig: { dedupeWindowHours: 48 },
  });
  return { states, sent, run };
}
const calls = (n: number) => Array.from({ length: n }, (_, i) => anEvent('network.call_dropped', {}, { customerId: 'c-1', now: NOW, minutesAgo: 5 + i }));

describe('processing one customer\'s events', () => {
  it('folds a batch into one write and hands off the firing with the catalog\'s treatment text', async () => {
    const { states, sent, run } = setup();
    const outcome = await run('acme', 'c-1', calls(3));
    expect(outcome).toEqual({ applied: 3, duplicates: 0, dropped: 0, messages: 1 });
    expect(states.writes).toBe(1);
    expect(sent).toEqual([expect.objectContaining({ kind: 'service', treatment: 'care.health-check', text: 'Please call about the dropped calls', language: 'en' })]);
    expect(states.contacts).toEqual([expect.objectContaining({ id: sent[0]!.messageId, source: 'trigger', kind: 'service' })]);
    expect(states.stored.get('c-1')!.outbox).toEqual([]);
  });

  it('writes nothing for a batch of duplicates', async () => {
    const { states, run } = setup();
    const batch = calls(2);
    await run('acme', 'c-1', batch);
    expect(await run('acme', 'c-1', batch)).toEqual({ applied: 0, duplicates: 2, dropped: 0, messages: 0 });
    expect(states.writes).toBe(1);
  });

  it('drops the events of an erased customer', async () => {
    const { states, run } = setup();
    states.profiles.set('c-1', 'erased');
    expect(await run('acme', 'c-1', calls(3))).toMatchObject({ dropped: 3, applied: 0 });
    expect(states.stored.size).toBe(0);
  });

  it('hands off an outbox a crash left behind when the events are redelivered', async () => {
    const { states, sent, run } = setup();
    const failing = processCustomerEvents({
      states, outbound: { send: async () => { throw new Error('crash after the state write'); } }, triggers: triggerStore(DEMO_TRIGGERS), catalog, clock: fixedClock(NOW),
      market: { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' }, stateConfig: { dedupeWindowHours: 48 },
    });
    const batch = calls(3);
    await expect(failing('acme', 'c-1', batch)).rejects.toThrow('crash');
    expect(states.stored.get('c-1')!.outbox).toHaveLength(1);
    expect(await run('acme', 'c-1', batch)).toMatchObject({ applied: 0, duplicates: 3 });
    expect(sent).toHaveLength(1);
    expect(states.stored.get('c-1')!.outbox).toEqual([]);
  });
});
