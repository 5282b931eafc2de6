#!/usr/bin/python3
"""Trains a market's models from the feature CSVs that scripts/ml/features.ts wrote.

    /usr/bin/python3 scripts/ml/train.py --market demo [--work .local/ml] [--models models] [--only churn]

Everything is seeded (folds, subsampling) and xgboost runs single-threaded, so a rerun
writes the same artifacts (but for trainedAt). For each model it writes a new version directory
models/<market>/<model>/<version>/ (the version job.json names: features.ts picks the next one)
and refuses one that exists, pinned or not: a version, once written, never changes.
It writes:
manifest.json, model-card.md, metrics.json and per head model.json, feature-spec.json,
parity.json (and metrics.json for multi-head models).
"""
import argparse
import datetime
import json
import math
import os
import shutil
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import (average_precision_score, brier_score_loss, mean_absolute_error,
                             mean_squared_error, r2_score, roc_auc_score)
from sklearn.model_selection import StratifiedKFold

SEED = 42
FOLDS = 5
PARITY_ROWS = 500
PARITY_MASKED_ROWS = 100


def booster_params(objective, params):
    p = {
        'objective': objective,
        'eval_metric': 'auc' if objective == 'binary:logistic' else 'rmse',
        'tree_method': 'hist',
        'seed': SEED,
        'nthread': 1,
        'max_depth': int(params.get('max_depth', 4)),
        'eta': float(params.get('eta', 0.05)),
        'subsample': float(params.get('subsample', 1.0)),
        'colsample_bytree': float(params.get('colsample_bytree', 1.0)),
        'min_child_weight': float(params.get('min_child_weight', 1)),
        'lambda': float(params.get('reg_lambda', 1)),
    }
    if 'monotone_constraints' in params:
        p['monotone_constraints'] = '(' + ','.join(str(int(c)) for c in params['monotone_constraints']) + ')'
    return p


def nps_class(score):
    s = np.rint(score)
    return np.where(s >= 9, 2, np.where(s >= 7, 1, 0))  # 2 promoter, 1 passive, 0 detractor


def load(head_dir):
    df = pd.read_csv(os.path.join(head_dir, 'features.csv'), dtype={'id': str})
    X = df.drop(columns=['id', 'label']).to_numpy(dtype=np.float64)
    y = df['label'].to_numpy(dtype=np.float64)
    return df, X, y


def binary_metrics(y, p):
    order = np.argsort(-p, kind='stable')
    top = order[: max(1, int(math.ceil(len(p) * 0.1)))]
    base = float(y.mean())
    bins = []
    edges = np.linspace(0, 1, 11)
    for i in range(10):
        lo, hi = edges[i], edges[i + 1]
        mask = (p >= lo) & ((p < hi) if i < 9 else (p <= hi))
        n = int(mask.sum())
        bins.append({
            'bin': f'[{lo:.1f}, {hi:.1f}{"]" if i == 9 else ")"}',
            'count': n,
            'meanPredicted': round(float(p[mask].mean()), 4) if n else None,
            'observedRate': round(float(y[mask].mean()), 4) if n else None,
        })
    return {
        'rocAuc': round(float(roc_auc_score(y, p)), 4),
        'prAuc': round(float(average_precision_score(y, p)), 4),
        'brier': round(float(brier_score_loss(y, p)), 4),
        'baseRate': round(base, 4),
        'liftTopDecile': round(float(y[top].mean()) / base, 3) if base > 0 else None,
        'calibration': bins,
    }


def regression_metrics(y, p):
    pc = np.clip(p, 0, 10)
    cls_true, cls_pred = nps_class(y), nps_class(pc)
    names = ['detractor', 'passive', 'promoter']
    confusion = {t: {q: int(((cls_true == i) & (cls_pred == j)).sum()) for j, q in enumerate(names)} for i, t in enumerate(names)}
    return {
        'rmse': round(float(math.sqrt(mean_squared_error(y, pc))), 4),
        'rmseOfMeanBaseline': round(float(np.sqrt(((y - y.mean()) ** 2).mean())), 4),
        'mae': round(float(mean_absolute_error(y, pc)), 4),
        'r2': round(float(r2_score(y, pc)), 4),
        'classAccuracy': round(float((cls_true == cls_pred).mean()), 4),
        'detractorRocAuc': round(float(roc_auc_score(cls_true == 0, -pc)), 4),
        'classConfusion(trueRows x predictedCols)': confusion,
    }


def cross_validate(objective, params, X, y):
    strat = y if objective == 'binary:logistic' else nps_class(y)
    skf = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    oof = np.zeros(len(y))
    fold_scores = []
    bp = booster_params(objective, params)
    for train_idx, test_idx in skf.split(X, strat):
        dtr = xgb.DMatrix(X[train_idx], label=y[train_idx], missing=np.nan)
        dte = xgb.DMatrix(X[test_idx], missing=np.nan)
        b = xgb.train(bp, dtr, num_boost_round=int(params['num_round']))
        oof[test_idx] = b.predict(dte)
        if objective == 'binary:logistic':
            fold_scores.append(roc_auc_score(y[test_idx], oof[test_idx]))
        else:
            fold_scores.append(math.sqrt(mean_squared_error(y[test_idx], np.clip(oof[test_idx], 0, 10))))
    metrics = binary_metrics(y, oof) if objective == 'binary:logistic' else regression_metrics(y, oof)
    key = 'rocAucPerFold' if objective == 'binary:logistic' else 'rmsePerFold'
    metrics[key] = [round(float(s), 4) for s in fold_scores]
    metrics['cv'] = f'{FOLDS}-fold stratified, shuffled, seed {SEED}; metrics on pooled out-of-fold predictions'
    return metrics


def js_number(v):
    return None if math.isnan(v) else float(v)


def parity_rows(X):
    rng = np.random.default_rng(SEED)
    n = min(PARITY_ROWS, len(X))
    real = X[:n].copy()
    masked = X[rng.integers(0, len(X), PARITY_MASKED_ROWS)].copy()
    masked[rng.random(masked.shape) < 0.3] = np.nan  # exercise default (missing) directions
    return np.vstack([real, masked])


def train_head(objective, params, X, y, head_out, spec_src):
    os.makedirs(head_out, exist_ok=True)
    metrics = cross_validate(objective, params, X, y)
    bp = booster_params(objective, params)
    booster = xgb.train(bp, xgb.DMatrix(X, label=y, missing=np.nan), num_boost_round=int(params['num_round']))
    booster.save_model(os.path.join(head_out, 'model.json'))
    shutil.copyfile(spec_src, os.path.join(head_out, 'feature-spec.json'))
    P = parity_rows(X)
    pred = booster.predict(xgb.DMatrix(P, missing=np.nan), validate_features=False)
    with open(os.path.join(head_out, 'parity.json'), 'w') as f:
        json.dump({
            'xgboostVersion': xgb.__version__,
            'note': f'first {min(PARITY_ROWS, len(X))} training rows, then {PARITY_MASKED_ROWS} rows with 30% of values set missing (null = NaN)',
            'features': [[js_number(v) for v in row] for row in P],
            'predictions': [float(v) for v in pred],
        }, f, separators=(',', ':'))
    metrics['rows'] = int(len(y))
    metrics['params'] = {k: v for k, v in bp.items() if k not in ('nthread',)}
    metrics['numRound'] = int(params['num_round'])
    return metrics


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--market', required=True)
    ap.add_argument('--work', default='.local/ml')
    ap.add_argument('--models', default='models')
    ap.add_argument('--only', default=None, help='train one model (churn, cross-sell, nps)')
    args = ap.parse_args()
    market_dir = os.path.join(args.work, args.market)
    if not os.path.isdir(market_dir):
        sys.exit(f'{market_dir} not found: run npx tsx scripts/ml/features.ts --market {args.market} first')
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from model_card import write_model_card

    jobs = []
    for model in sorted(os.listdir(market_dir)):
        job_path = os.path.join(market_dir, model, 'job.json')
        if not os.path.isfile(job_path) or (args.only and args.only != model):
            continue
        with open(job_path) as f:
            job = json.load(f)
        out = os.path.join(args.models, args.market, model, job['manifest']['version'])
        # Checked for every model before any training: a version, once written, never changes.
        if os.path.exists(out):
            sys.exit(f'train: {out} exists: versions are immutable; rerun scripts/ml/features.ts for the next version')
        jobs.append((model, job, out))

    for model, job, out in jobs:
        manifest = job['manifest']
        os.makedirs(out)
        per_head = {}
        for head in job['heads']:
            src = os.path.join(market_dir, model, head['dir'])
            _, X, y = load(src)
            head_out = os.path.normpath(os.path.join(out, head['dir']))
            m = train_head(head['objective'], head['params'], X, y, head_out, os.path.join(src, 'feature-spec.json'))
            per_head[head['name']] = m
            if len(job['heads']) > 1:
                with open(os.path.join(head_out, 'metrics.json'), 'w') as f:
                    json.dump(m, f, indent=2)
            summary = f"ROC AUC {m['rocAuc']}" if 'rocAuc' in m else f"RMSE {m['rmse']} (mean baseline {m['rmseOfMeanBaseline']}), class accuracy {m['classAccuracy']}"
            print(f"{args.market}/{model}/{head['name']}: {summary}", flush=True)
        with open(os.path.join(out, 'manifest.json'), 'w') as f:
            json.dump(manifest, f, indent=2)
        metrics = per_head[job['heads'][0]['name']] if len(job['heads']) == 1 else {
            'heads': {name: {k: m[k] for k in ('rocAuc', 'prAuc', 'brier', 'liftTopDecile', 'baseRate', 'rows')} for name, m in per_head.items()},
            'detail': '<product>/metrics.json',
        }
        metrics['xgboostVersion'] = xgb.__version__
        metrics['trainedAt'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds').replace('+00:00', 'Z')
        with open(os.path.join(out, 'metrics.json'), 'w') as f:
            json.dump(metrics, f, indent=2)
        write_model_card(out, args.market, job, per_head, xgb.__version__)


if __name__ == '__main__':
    main()
