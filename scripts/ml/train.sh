#!/bin/sh
# Rebuilds a market's models: feature matrices with the serving TypeScript code, then xgboost.
#   scripts/ml/train.sh demo        # or: scripts/ml/train.sh ir ; add --only churn to train one model
# Keeps the scripts' command-line contract (scripts/lib/args.ts): --help to stdout and exit 0, a
# wrong argument in one line plus the usage on stderr and exit 2, checked before any work starts.
set -eu
cd "$(dirname "$0")/../.."

MODELS="churn cross-sell nps"
# The markets the config knows (MARKETS in lib/config/markets/index.ts), asked of the code itself.
markets() {
  node --import tsx --input-type=module \
    -e 'const { MARKETS } = await import("#config/markets/index.ts"); console.log(Object.keys(MARKETS).join(" "))'
}

usage() {
  MARKETS=${MARKETS:-$(markets)}
  cat <<EOF
usage: npm run train -- <market> [--only <model>]

Rebuilds a market's models under models/<market>/: the feature matrices with the serving
TypeScript code (in .local/ml), then xgboost in Debian's python3.

options:
  <market>        the market: ${MARKETS}
  --only <model>  train one model: ${MODELS}
  -h, --help      print this help
EOF
}
wrong() {
  echo "train: $1" >&2
  usage >&2
  exit 2
}
one_of() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac }

market=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
  -h | --help)
    usage
    exit 0
    ;;
  --only=*) only="${1#--only=}" ;;
  --only)
    [ $# -ge 2 ] || wrong "--only needs a value"
    only="$2"
    shift
    ;;
  -*) wrong "unknown option '$1'" ;;
  *)
    [ -z "$market" ] || wrong "unexpected argument '$1'"
    market="$1"
    ;;
  esac
  shift
done
MARKETS=$(markets)
[ -n "$market" ] || wrong "<market> is required: one of ${MARKETS}"
one_of "$market" "$MARKETS" || wrong "unknown market '$market': one of ${MARKETS}"
[ -z "$only" ] || one_of "$only" "$MODELS" || wrong "--only must be one of ${MODELS}, not '$only'"

PY=/usr/bin/python3
"$PY" -c 'import xgboost, sklearn, pandas' 2>/dev/null || {
  echo "train: needs Debian's python3-xgboost python3-sklearn python3-pandas for $PY:" >&2
  echo "  apt-get install -y python3-xgboost python3-sklearn python3-pandas" >&2
  exit 1
}
npx tsx scripts/ml/features.ts --market "$market" --out .local/ml
"$PY" scripts/ml/train.py --market "$market" --work .local/ml --models models ${only:+--only "$only"}
