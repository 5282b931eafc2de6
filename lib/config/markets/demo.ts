import type { MarketConfigInput } from '../market-config.ts';
import { MODEL_PINS } from '../model-pins.ts';
import { demoCatalog } from './demo-catalog.ts';
import { DEMO_TRIGGERS } from './demo-triggers.ts';

/** The demo market: a South African operator with a consumer brand and an enterprise unit. */
export const demo: MarketConfigInput = {
  code: 'demo',
  aws: { region: 'af-south-1' },
  currency: 'ZAR',
  country: 'ZA',
  timezone: 'Africa/Johannesburg',
  quietHours: { start: '20:00', end: '08:00' },
  defaultLanguage: 'en',
  languages: ['en', 'af', 'zu'],
  channels: ['ussd', 'app', 'call-centre', 'sms', 'push', 'email', 'retail'],
  tenants: [
    {
      id: 'consumer',
      displayName: 'Consumer brand',
      costCenter: 'CC-1100-CONSUMER',
      ownerEmail: 'consumer-cvm@example.com',
      monthlyBudgetUsd: 2500,
    },
    {
      id: 'enterprise',
      displayName: 'Enterprise unit',
      costCenter: 'CC-2200-ENTERPRISE',
      ownerEmail: 'enterprise-cvm@example.com',
      monthlyBudgetUsd: 600,
    },
  ],
  sharedCostCenter: 'CC-9000-PLATFORM',
  retention: { eventsDays: 90, decisionLogDays: 180 },
  scoring: {
    mode: 'embedded',
    models: MODEL_PINS.demo, // models/demo/pins.json (npm run models)
  },
  // what every tenant has on day one, in AWS (cdk deploy) and locally (npm start)
  starter: { actions: demoCatalog, triggers: DEMO_TRIGGERS },
  delivery: {
    // each tenant's call centre makes up to 2,000 proactive calls a day; the enterprise unit's
    // account managers make five, two a second at most, and the rest wait for the next morning
    channels: { 'call-centre': { dailyCap: 2000, overCap: 'defer' } },
    tenants: { enterprise: { 'call-centre': { ratePerSecond: 2, dailyCap: 5, overCap: 'defer' } } },
    // an SMS text may take two parts; replies that opt out, in each language of the market (STOP always does)
    maxSmsSegments: 2,
    optOutKeywords: { en: ['STOP', 'UNSUBSCRIBE', 'OPT OUT'], af: ['STOP', 'KANSELLEER'], zu: ['YEKA', 'MISA'] },
  },
};
