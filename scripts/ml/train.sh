#!/bin/sh
# Rebuilds a market's models: feature matrices with the serving TypeScript code, then xgboost.
#   scripts/ml/train.sh demo        # or: scripts/ml/train.sh ir ; add --only churn to train one model
set -eu
cd "$(dirname "$0")/../.."
market="${1:?usage: scripts/ml/train.sh <market> [--only <model>]}"
shift
PY=/usr/bin/python3
"$PY" -c 'import xgboost, sklearn, pandas' 2>/dev/null || {
  echo "needs Debian's python3-xgboost python3-sklearn python3-pandas for $PY:" >&2
  echo "  apt-get install -y python3-xgboost python3-sklearn python3-pandas" >&2
  exit 1
}
npx tsx scripts/ml/features.ts --market "$market" --out .local/ml
"$PY" scripts/ml/train.py --market "$market" --work .local/ml --models models "$@"
