import type { Action, Treatment } from '../../../lambdas/domain/action.ts';
import type { Channel } from '../../../lambdas/domain/customer.ts';

/**
 * The demo market's action catalog: its config's `starter.actions` (demo.ts), seeded into each
 * tenant table by `cdk deploy` and `npm start` (lambdas/app/seed-market.ts: a tenant's edits
 * stay). Eligibility rules are JSON Logic over {profile, state, scores, context, signals};
 * `signals` is the decision's normalised view of the state (droppedCalls24h, unresolvedCare,
 * serviceProblem, churn, highChurn, daysToContractEnd, lifecycleStage).
 */
const t = (templateKey: string, en: string, af?: string, zu?: string): Treatment => ({
  templateKey,
  text: { en, ...(af ? { af } : {}), ...(zu ? { zu } : {}) },
});
const on = (channels: Channel[], treatment: Treatment): Action['treatments'] =>
  Object.fromEntries(channels.map((c) => [c, { ...treatment, templateKey: `${treatment.templateKey}.${c}` }]));

const lacks = (product: string) => ({ '!': { in: [product, { var: 'profile.products' }] } });
const hasInternet = {
  or: [{ in: ['internet-dsl', { var: 'profile.products' }] }, { in: ['internet-fiber', { var: 'profile.products' }] }],
};
const SELL: Channel[] = ['app', 'ussd', 'sms', 'call-centre', 'email'];

function addOn(product: string, name: string, value: number, en: string, af: string): Action {
  return {
    actionId: `add-on-${product}`,
    name,
    kind: 'offer',
    treatments: on(SELL, t(`offer.add-on.${product}`, en, af)),
    eligibility: { and: [lacks(product), hasInternet] },
    propensity: { model: `cross-sell/${product}` },
    value,
    lever: 1,
    limits: {
      perCustomer: [
        { max: 3, days: 30 },
        { channel: 'sms', max: 1, days: 14 },
      ],
    },
  };
}

export const demoCatalog: Action[] = [
  {
    actionId: 'bundle-upgrade-10gb',
    name: 'Bundle upgrade to 10 GB',
    kind: 'offer',
    treatments: on(
      SELL,
      t(
        'offer.bundle.10gb',
        'Get 10 GB for R99 a month. Reply YES to upgrade.',
        'Kry 10 GB vir R99 per maand. Antwoord JA.',
        'Thola u-10 GB nge-R99 ngenyanga. Phendula YEBO.',
      ),
    ),
    eligibility: { in: [{ var: 'profile.contract' }, ['month-to-month', 'prepaid']] },
    propensity: { starting: 0.08 },
    value: 60,
    lever: 1,
    limits: { perCustomer: [{ max: 3, days: 30 }] },
  },
  {
    actionId: 'bundle-upgrade-unlimited',
    name: 'Unlimited data bundle',
    kind: 'offer',
    treatments: on(
      SELL,
      t('offer.bundle.unlimited', 'Go unlimited for R399 a month, no caps.', 'Onbeperk vir R399 per maand.'),
    ),
    eligibility: { '>=': [{ var: 'profile.monthlyCharge' }, 70] },
    propensity: { starting: 0.04 },
    value: 150,
    lever: 1,
    limits: { perCustomer: [{ max: 2, days: 30 }] },
  },
  addOn(
    'online-security',
    'Online security add-on',
    45,
    'Protect your devices online for R45 a month.',
    'Beskerm jou toestelle aanlyn vir R45 per maand.',
  ),
  addOn(
    'tech-support',
    'Tech support add-on',
    40,
    'Expert tech support any time for R40 a month.',
    'Kundige tegniese hulp vir R40 per maand.',
  ),
  addOn(
    'streaming-tv',
    'Streaming TV add-on',
    55,
    'Stream live TV on any screen for R55 a month.',
    'Stroom TV op enige skerm vir R55 per maand.',
  ),
  addOn(
    'device-protection',
    'Device protection add-on',
    50,
    'Cover your phone against damage and theft for R50 a month.',
    'Dek jou foon teen skade en diefstal vir R50.',
  ),
  {
    actionId: 'retention-discount-20',
    name: '20% loyalty discount for 6 months',
    kind: 'retention',
    treatments: on(
      ['call-centre', 'app', 'sms', 'ussd', 'email'],
      t(
        'retention.discount.20',
        'Thank you for staying with us: 20% off for 6 months.',
        'Dankie vir jou lojaliteit: 20% af vir 6 maande.',
      ),
    ),
    eligibility: { '>=': [{ var: 'signals.churn' }, 0.4] },
    propensity: { starting: 0.25 },
    value: 200,
    lever: 1,
    limits: { perCustomer: [{ max: 2, days: 90 }], perDay: 5000 },
  },
  {
    actionId: 'device-upgrade',
    name: 'Early device upgrade',
    kind: 'offer',
    treatments: on(
      ['app', 'retail', 'sms', 'call-centre', 'email'],
      t(
        'offer.device.upgrade',
        'You qualify for an early device upgrade. Visit a store or the app.',
        'Jy kwalifiseer vir n vroee toestel-opgradering.',
      ),
    ),
    eligibility: { '>=': [{ var: 'profile.tenureMonths' }, 24] },
    propensity: { starting: 0.05 },
    value: 250,
    lever: 1,
    limits: { perCustomer: [{ max: 2, days: 30 }] },
  },
  {
    actionId: 'care-health-check-call',
    name: 'Care health-check call',
    kind: 'service',
    treatments: on(
      ['call-centre', 'app'],
      t(
        'service.health-check',
        'We noticed problems with your service. Let us run a health check with you now.',
        'Ons het probleme met jou diens opgemerk. Kom ons doen n gesondheidstoets.',
      ),
    ),
    eligibility: { var: 'signals.serviceProblem' },
    propensity: { starting: 0.6 },
    value: 80,
    lever: 1,
    limits: { perCustomer: [{ max: 3, days: 7 }] },
  },
  {
    // handed off by the `exit-interview-after-churn` trigger; the answer comes back as
    // `customer.exit_interview` and feeds the exit-reasons report's destination
    actionId: 'exit-interview',
    name: 'Exit interview',
    kind: 'service',
    treatments: {
      'call-centre': t(
        'service.exit-interview.call-centre',
        'Sorry to see you go. May we ask a few questions about why you left and where you are going?',
        'Jammer om jou te sien gaan. Mag ons n paar vrae vra oor hoekom jy weg is en waarheen?',
      ),
    },
    // only after a churn: never a reason to call an active customer
    eligibility: { '==': [{ var: 'state.status' }, 'churned'] },
    propensity: { starting: 0.3 },
    value: 0,
    lever: 1,
    limits: { perCustomer: [{ max: 1, days: 30 }] },
  },
  {
    actionId: 'network-fix-info',
    name: 'Network fix information',
    kind: 'information',
    treatments: on(
      ['sms', 'app', 'push', 'ussd', 'call-centre'],
      t(
        'info.network-fix',
        'We are fixing a network fault in your area; service will be back to normal soon.',
        'Ons herstel n netwerkfout in jou omgewing.',
      ),
    ),
    eligibility: { '>=': [{ var: 'signals.droppedCalls24h' }, 1] },
    propensity: { starting: 0.3 },
    value: 10,
    lever: 1,
    limits: { perCustomer: [{ max: 1, days: 2 }] },
  },
  {
    actionId: 'bigger-bundle-offer',
    name: 'Bigger bundle before you run out',
    kind: 'offer',
    treatments: on(
      ['sms', 'app', 'ussd'],
      t(
        'offer.bigger-bundle',
        'Running low on data? Add 5 GB for R79 now.',
        'Data amper op? Voeg 5 GB by vir R79.',
        'Idatha iyaphela? Engeza u-5 GB nge-R79.',
      ),
    ),
    eligibility: true,
    propensity: { starting: 0.12 },
    value: 50,
    lever: 1.2,
    limits: {
      perCustomer: [
        { channel: 'sms', max: 1, days: 7 },
        { max: 3, days: 7 },
      ],
      perDay: 100_000,
    },
  },
];
