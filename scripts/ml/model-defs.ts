import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { IBM_ADD_ONS } from '#domain/datasets/ibm-telco.ts';
import { feature, type FeatureDef, type FeatureSpec } from '#domain/scoring/features.ts';
import type { ModelHead, ModelKind } from '#domain/scoring/model-store.ts';

/**
 * What each shipped model is trained on: its heads (one xgboost model each), their features,
 * label and population. `scripts/ml/features.ts` turns these into feature CSVs; `train.py`
 * trains on them.
 */
export interface HeadDef extends ModelHead {
  spec: FeatureSpec;
  objective: 'binary:logistic' | 'reg:squarederror';
  /** Whether a labelled row belongs to the training population. */
  inPopulation(p: ProfileWithId): boolean;
  /** The label of a row; undefined drops the row (no label). */
  label(p: ProfileWithId, churned: boolean | undefined, survey: Map<string, number>): number | undefined;
  /** Training parameters passed to train.py. */
  params: Record<string, number | string | number[]>;
}

export interface ModelDef {
  market: string;
  model: string;
  kind: ModelKind;
  /** Reads the synthetic NPS survey set. */
  needsSurvey?: boolean;
  heads: HeadDef[];
}

const PAYMENT_METHODS = ['Electronic check', 'Mailed check', 'Bank transfer (automatic)', 'Credit card (automatic)'];
const IBM_PRODUCTS = ['phone', ...Object.values(IBM_ADD_ONS)];

/** Features of an IBM-style profile. `without` drops product flags; `noCharges` drops money. */
function ibmFeatures(opts: { without?: string; noCharges?: boolean } = {}): FeatureDef[] {
  const f: FeatureDef[] = [feature.number('tenure_months', 'profile.tenureMonths')];
  if (!opts.noCharges) {
    f.push(feature.number('monthly_charge', 'profile.monthlyCharge'));
    f.push(feature.number('total_charges', 'profile.attributes.totalCharges'));
  }
  for (const c of ['month-to-month', 'one-year', 'two-year'])
    f.push(feature.equals(`contract_${c}`, 'profile.contract', c));
  for (const t of ['fiber', 'dsl', 'voice']) f.push(feature.equals(`tariff_${t}`, 'profile.tariff', t));
  for (const p of IBM_PRODUCTS) if (p !== opts.without) f.push(feature.has(`has_${p}`, 'profile.products', p));
  f.push(feature.number('senior_citizen', 'profile.attributes.seniorCitizen'));
  f.push(feature.number('partner', 'profile.attributes.partner'));
  f.push(feature.number('dependents', 'profile.attributes.dependents'));
  f.push(feature.number('paperless_billing', 'profile.attributes.paperlessBilling'));
  // no gender: a protected characteristic a regulator would question, and it adds nothing (docs/models.md)
  PAYMENT_METHODS.forEach((m, i) =>
    f.push(
      feature.equals(
        `payment_${['electronic_check', 'mailed_check', 'bank_transfer', 'credit_card'][i]}`,
        'profile.attributes.paymentMethod',
        m,
      ),
    ),
  );
  return f;
}

const spec = (features: FeatureDef[]): FeatureSpec => ({ specVersion: 1, features });
const churnLabel = (_p: ProfileWithId, churned: boolean | undefined) =>
  churned === undefined ? undefined : churned ? 1 : 0;
const has = (p: ProfileWithId, code: string) => (p.products ?? []).includes(code);

const INTERNET = ['internet-dsl', 'internet-fiber'];
/** Cross-sell add-ons and who can take them (internet add-ons need an internet line). */
const CROSS_SELL: Array<{ product: string; requiresAny: string[] }> = Object.values(IBM_ADD_ONS).map((product) => ({
  product,
  requiresAny: product === 'multiple-lines' ? ['phone'] : INTERNET,
}));

const CHURN_PARAMS = {
  max_depth: 3,
  eta: 0.03,
  num_round: 400,
  subsample: 0.8,
  colsample_bytree: 0.8,
  min_child_weight: 5,
  reg_lambda: 5,
};

export const MODEL_DEFS: ModelDef[] = [
  {
    market: 'demo',
    model: 'churn',
    kind: 'churn',
    heads: [
      {
        name: 'churn',
        dir: '.',
        spec: spec(ibmFeatures()),
        objective: 'binary:logistic',
        inPopulation: () => true,
        label: churnLabel,
        params: CHURN_PARAMS,
      },
    ],
  },
  {
    market: 'demo',
    model: 'cross-sell',
    kind: 'cross-sell',
    heads: CROSS_SELL.map(({ product, requiresAny }) => ({
      name: product,
      dir: product,
      product,
      requiresAny,
      // Charges are left out: the bill is the sum of the products held, so it would tell the
      // model the answer rather than who is likely to want the product.
      spec: spec(ibmFeatures({ without: product, noCharges: true })),
      objective: 'binary:logistic' as const,
      inPopulation: (p: ProfileWithId) => requiresAny.some((r) => has(p, r)),
      label: (p: ProfileWithId) => (has(p, product) ? 1 : 0),
      params: {
        max_depth: 3,
        eta: 0.05,
        num_round: 150,
        subsample: 0.8,
        colsample_bytree: 0.8,
        min_child_weight: 5,
        reg_lambda: 5,
      },
    })),
  },
  {
    market: 'demo',
    model: 'nps',
    kind: 'nps',
    needsSurvey: true,
    heads: [
      {
        name: 'nps',
        dir: '.',
        spec: spec(ibmFeatures()),
        objective: 'reg:squarederror',
        inPopulation: () => true,
        label: (p, _c, survey) => survey.get(p.customerId),
        params: {
          max_depth: 3,
          eta: 0.05,
          num_round: 200,
          subsample: 0.8,
          colsample_bytree: 0.8,
          min_child_weight: 10,
          reg_lambda: 5,
        },
      },
    ],
  },
  {
    market: 'ir',
    model: 'churn',
    kind: 'churn',
    heads: [
      {
        name: 'churn',
        dir: '.',
        objective: 'binary:logistic',
        spec: spec([
          // behaviour read from the customer's state (the windows events move; the importer fills
          // them from the dataset's columns, lambdas/domain/datasets/usage-state.ts)
          feature.number('call_failures', 'state.droppedCalls30d'),
          feature.number('complained', 'state.complaints30d'),
          feature.number('tenure_months', 'profile.tenureMonths'),
          feature.number('charge_amount', 'profile.attributes.chargeAmount'),
          feature.number('seconds_of_use', 'state.voiceSeconds30d'),
          feature.number('call_count', 'state.voiceCalls30d'),
          feature.number('sms_count', 'profile.attributes.smsCount'),
          feature.number('distinct_called_numbers', 'profile.attributes.distinctCalledNumbers'),
          feature.number('age_group', 'profile.attributes.ageGroup'),
          feature.equals('pay_as_you_go', 'profile.tariff', 'pay-as-you-go'),
          feature.number('active', 'profile.attributes.active'),
          feature.number('age', 'profile.attributes.age'),
          feature.number('customer_value', 'profile.attributes.customerValue'),
        ]),
        inPopulation: () => true,
        label: churnLabel,
        params: {
          max_depth: 5,
          eta: 0.05,
          num_round: 300,
          subsample: 0.8,
          colsample_bytree: 0.8,
          min_child_weight: 1,
          reg_lambda: 1,
        },
      },
    ],
  },
];

export function modelDefsOf(market: string): ModelDef[] {
  return MODEL_DEFS.filter((d) => d.market === market);
}
