import type { MarketConfigInput } from '../market-config.ts';
import { MODEL_PINS } from '../model-pins.ts';

/** An Iranian operator (the UCI "Iranian Churn" data): one consumer brand, mostly prepaid. */
export const ir: MarketConfigInput = {
  code: 'ir',
  aws: { region: 'me-central-1' },
  currency: 'IRR',
  country: 'IR',
  timezone: 'Asia/Tehran',
  quietHours: { start: '22:00', end: '08:00' },
  defaultLanguage: 'fa',
  languages: ['fa', 'en'],
  channels: ['ussd', 'sms', 'app', 'push', 'call-centre', 'retail'],
  tenants: [
    {
      id: 'consumer',
      displayName: 'Consumer brand',
      costCenter: 'CC-IR-1100-CONSUMER',
      ownerEmail: 'consumer-cvm-ir@example.com',
    },
  ],
  sharedCostCenter: 'CC-IR-9000-PLATFORM',
  retention: { eventsDays: 90, decisionLogDays: 180 },
  dataset: 'iranian',
  scoring: { mode: 'embedded', models: MODEL_PINS.ir }, // models/ir/pins.json (npm run models)
  // Monthly spend in rials (a tier boundary of 1,000,000 IRR is about a heavy prepaid user).
  valueTiers: { platinum: 3_000_000, gold: 1_500_000, silver: 700_000 },
  // "laghv" (cancel) is the customary opt-out reply to Iranian SMS; STOP always opts out too
  delivery: { optOutKeywords: { fa: ['لغو', 'لغو۱۱'], en: ['STOP'] } },
};
