"""Writes model-card.md for a trained model version (called by train.py)."""
import os

DATA = {
    'demo': {
        'dataset': '`ibm-telco-churn.train.csv`: the 80% training part (stratified, fixed seed) of IBM\'s "Telco Customer '
                   'Churn" sample data (`data/Telco-Customer-Churn.csv` in IBM/telco-customer-churn-on-icp4d), a fictional '
                   'operator, 5,634 customers.',
        'licence': 'Apache-2.0 (IBM/telco-customer-churn-on-icp4d). Data attribution: IBM.',
        'mapping': '`lambdas/domain/datasets/ibm-telco.ts` maps each row to a platform profile. The dataset has no '
                   'behavioural columns (no usage, care or network events), so the models read profile fields only and '
                   'an event never re-scores a customer in real time. Gender is not a feature: a protected '
                   'characteristic a regulator would question, and leaving it out cost nothing measurable (churn ROC AUC '
                   '0.8477 with it, 0.8479 without; docs/models.md).',
    },
    'ir': {
        'dataset': '`iranian-churn.train.csv`: the 80% training part (stratified, fixed seed; 300 exact duplicates removed '
                   'first) of the UCI Machine Learning Repository #563 "Iranian Churn Dataset", real anonymised data of an '
                   'Iranian operator: call failures, complaints, 9 months of usage, churn at month 12; 2,280 customers.',
        'licence': 'CC BY 4.0. Cite: Jafari-Marandi, R. et al., "Iranian Churn Dataset", UCI Machine Learning Repository '
                   '(https://archive.ics.uci.edu/dataset/563/iranian+churn+dataset).',
        'mapping': '`lambdas/domain/datasets/iranian.ts` maps each row to a platform profile and a usage period '
                   '(call failures, complaints, seconds and number of calls), which becomes the customer\'s state '
                   '(`lambdas/domain/datasets/usage-state.ts`: one day bucket inside the 30-day windows) exactly as '
                   '`npm run import` writes it. So the model reads `state.droppedCalls30d`, `state.complaints30d`, '
                   '`state.voiceSeconds30d` and `state.voiceCalls30d`, which `network.call_dropped`, `care.contact` '
                   '(reason `complaint`) and `usage.voice` events move, and the event processor re-scores a customer '
                   'when they do. The dataset\'s period is 9 months and the windows 30 days: a live customer\'s counts '
                   'are read on the scale the model learned from 9 months of usage. SMS and distinct numbers called '
                   'stay profile attributes (no event carries them).',
    },
}

PURPOSE = {
    'churn': ('Probability that the customer churns (IBM: left within the last month; Iranian: churned at month 12 given '
              'the preceding 9 months of usage). Feeds `scores.churn`, retention triggers, campaign audiences and '
              'the next-best-action arbitration.'),
    'cross-sell': ('One binary model per add-on product: the probability that a customer like this one holds the product, '
                   'used as a take-up propensity for customers who lack it (`scores.crossSell.<product>`). Trained on who '
                   'holds each product among customers who could (internet add-ons: customers with an internet line; '
                   'multiple-lines: customers with phone service). Features exclude the product itself and the charges '
                   '(the bill is the sum of the products held, so it would leak the answer).'),
    'nps': ('Predicted Net Promoter Score answer (0-10, regression) and its class (promoter 9-10, passive 7-8, detractor '
            '0-6, from the rounded prediction). Feeds `scores.nps` and the predicted-NPS report.'),
}

LIMITS = {
    'churn': ['A churn score predicts who leaves, not who an action would keep: measure retention uplift with campaign control groups.',
              'Scores are calibrated on the training population; re-check calibration (metrics.json) before using them as '
              'probabilities in another market.'],
    'cross-sell': ['"Holds the product" is a proxy for "would take it up": the model learns who looks like current holders, '
                   'not the effect of an offer. Validate with campaign response data before trusting it for targeting.',
                   'Products that require a line the customer does not have are not scored.'],
    'nps': ['**Trained on SYNTHETIC survey answers.** `scripts/ml/synthetic-nps.ts` (seed 20240605) invents answers for a '
            'random 60% of IBM customers from a hand-written formula of contract, tenure, monthly charge, support add-ons, '
            'fibre and payment method plus Gaussian noise (sd 1.3). The model can only rediscover that formula: it '
            'demonstrates the pipeline and the API shape and **must not be used for decisions about real customers**. '
            'Retrain on survey.nps events collected through the platform before any production use.',
            'Regression towards the mean: extreme answers (0-3, 10) are predicted less extreme.'],
}

COMMON_LIMITS = ['Training data is a single snapshot; re-train and compare metrics before replacing a pinned version.',
                 'Features missing at serving time become NaN and follow the tree\'s default branch, learned from the training '
                 'data; a feature that is always missing at serving time silently degrades quality.']


def fmt_binary(m):
    return (f"| ROC AUC | {m['rocAuc']} |\n| PR AUC | {m['prAuc']} (base rate {m['baseRate']}) |\n"
            f"| Brier | {m['brier']} |\n| Lift in top decile | {m['liftTopDecile']} |\n")


def export_data(src):
    """The Data section of a model trained from an analyst export (scripts/ml/from-export.ts)."""
    left = ', '.join(f'{n} {k}' for k, n in src['left'].items()) or 'none'
    return [f"Source: the platform's own analyst export `{src['file']}` (`npm run export`) of tenant `{src['tenant']}`, "
            f"taken {src['exportedAt']}; snapshot {src['snapshot'][:10]}; {src['rows']} customers used (left out: {left}). "
            'Features are the export\'s columns, computed when it was taken by `lambdas/domain/scoring/features.ts`, the '
            'same code that serves the model (definitions checked against `feature-spec.json` by name, source and encoding).', '',
            f"Labels ({src['labels']}): {src['labelRule']}.", '',
            'Licence: the operator\'s own customer data. Keep this version inside the operator\'s account.', '']


def write_model_card(out, market, job, per_head, xgb_version):
    manifest = job['manifest']
    model = manifest['model']
    d = DATA[market]
    src = job.get('source')
    synthetic = model == 'nps' and not src
    lines = [f"# Model card: {market}/{model} version {manifest['version']}", '']
    if synthetic:
        lines += ['> **SYNTHETIC LABELS.** This model is trained on a generated survey set, not on real customer answers. '
                  'See Limits.', '']
    lines += ['## Intended use', PURPOSE.get(model, ''), '',
              'Out of scope: decisions with legal or similarly significant effect on a person (credit, pricing of an '
              'individual); any use on populations unlike the training data without re-validation.', '']
    if src:
        lines += ['## Data'] + export_data(src)
    else:
        lines += ['## Data', d['dataset'], '', d['mapping'] + ' Features are computed from the profile and state by '
                  '`lambdas/domain/scoring/features.ts`, the same code that serves the model; the ordered list is '
                  '`feature-spec.json`.', '',
                  f"Licence / attribution: {d['licence']}", '']
    if synthetic:
        lines += ['Labels: SYNTHETIC, from `scripts/ml/synthetic-nps.ts` (deterministic, seeded).', '']
    rebuild = (f"`npm run train -- --market {market} --from-export {src['file']} --snapshot {src['snapshot'][:10]}`" if src
               else '`scripts/ml/train.sh ' + market + '`')
    lines += ['## Training',
              f"xgboost {xgb_version}, gradient-boosted trees (`tree_method=hist`, single thread, seed 42). Parameters per "
              f"head are in `metrics.json` (`params`, `numRound`). Rebuild: {rebuild}.", '',
              '## Evaluation', 'Five-fold stratified cross-validation (shuffled, seed 42) on the training ' +
              ('rows of the export' if src else 'file') + '; metrics on pooled out-of-fold predictions (full detail, '
              'calibration table, per-fold figures: `metrics.json`). ' +
              ('No rows were held back: compare with the pinned version on a later export before promoting.' if src
               else 'The held-back 20% of the public dataset was not used.'), '']
    for head in job['heads']:
        m = per_head[head['name']]
        if len(job['heads']) > 1:
            lines += [f"### {head['name']} ({m['rows']} customers)", '']
        else:
            lines += [f"{m['rows']} rows.", '']
        if 'rocAuc' in m:
            lines += ['| metric | value |', '|---|---|', fmt_binary(m)]
        else:
            lines += ['| metric | value |', '|---|---|',
                      f"| RMSE | {m['rmse']} (predicting the mean: {m['rmseOfMeanBaseline']}) |",
                      f"| MAE | {m['mae']} |", f"| R² | {m['r2']} |", f"| class accuracy | {m['classAccuracy']} |",
                      f"| detractor ROC AUC | {m['detractorRocAuc']} |", '']
    lines += ['## Serving', 'In process by `lambdas/domain/scoring/xgboost-evaluator.ts` (float32 comparisons, missing '
              'values to the default branch) or on the SageMaker xgboost container with the same `model.json`. '
              '`parity.json` holds feature vectors with xgboost\'s own predictions; the unit tests require the '
              'evaluator to match them within 1e-6.', '',
              '## Limits']
    limits = LIMITS.get(model, [])
    if model == 'nps' and src:
        limits = ['Trained on the answers customers gave: people who answer surveys are not a random sample of the '
                  'base, so check the predicted NPS of non-respondents against later answers before trusting it.',
                  limits[-1]]
    if src:
        limits = limits + ['Features are as the export found the customers, not as they were at the snapshot: the '
                           'platform keeps no history of profiles (a churned customer\'s profile stays as it was when '
                           'it left). Keep the snapshot close to the export\'s window, or export at the snapshot date.']
    lines += [f'- {x}' for x in limits + COMMON_LIMITS]
    with open(os.path.join(out, 'model-card.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
