import type { Trigger } from '../../../lambdas/domain/triggers.ts';

/** The demo market's real-time triggers: its config's `starter.triggers` (demo.ts), seeded like the catalog. */
export const DEMO_TRIGGERS: Trigger[] = [
  {
    triggerId: 'third-dropped-call',
    eventType: 'network.call_dropped',
    // the third dropped call within 24 hours (the cooldown keeps the fourth from firing again)
    condition: { '>=': [{ var: 'state.droppedCalls24h' }, 3] },
    actionId: 'care-health-check-call',
    channel: 'call-centre',
    cooldownHours: 24,
    priority: 100,
    enabled: true,
  },
  {
    triggerId: 'data-80-percent',
    eventType: 'usage.data',
    condition: { '>=': [{ var: 'state.dataUsedPct' }, 80] },
    actionId: 'bigger-bundle-offer',
    channel: 'sms',
    cooldownHours: 72,
    priority: 50,
    enabled: true,
  },
  {
    // A starter trigger, not a built-in rule: the hand-off goes the way every firing goes (consent,
    // quiet hours, the call centre's capacity and delivery), and a tenant can tune or disable it
    // through PUT /v1/triggers like any other.
    triggerId: 'exit-interview-after-churn',
    eventType: 'customer.churned',
    condition: true,
    actionId: 'exit-interview',
    channel: 'call-centre',
    cooldownHours: 720,
    priority: 90,
    enabled: true,
  },
];
