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
       npm run train -- --market <market> --from-export <file.csv> [--churn-window-days <n>] [--snapshot <yyyy-mm-dd>]

Rebuilds a market's models under models/<market>/: the feature matrices with the serving
TypeScript code (in .local/ml), then xgboost in Debian's python3. With --from-export, trains
churn (and nps, once the export holds models.nps.minSurveys collected answers) from the
platform's own analyst export (npm run export) instead of the market's dataset. Either way
each model gets a new version directory; an existing one is never touched.

options:
  <market>, --market <market>  the market: ${MARKETS}
  --only <model>               train one model: ${MODELS}
  --from-export <file.csv>     an export written by npm run export (its .meta.json beside it)
  --churn-window-days <n>      churned = left within n days after the snapshot (default 90)
  --snapshot <yyyy-mm-dd>      the day the population is taken at (default: n days before the export)
  --models <dir>               the models root (default models)
  -h, --help                   print this help
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
from_export=""
window=""
snapshot=""
models_dir="models"
value() { [ $# -ge 2 ] || wrong "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
  -h | --help)
    usage
    exit 0
    ;;
  --market | --from-export | --churn-window-days | --snapshot | --models)
    value "$@"
    case "$1" in
    --market)
      [ -z "$market" ] || wrong "the market is given twice"
      market="$2"
      ;;
    --from-export) from_export="$2" ;;
    --churn-window-days) window="$2" ;;
    --snapshot) snapshot="$2" ;;
    --models) models_dir="$2" ;;
    esac
    shift
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
[ -z "$from_export" ] || [ -f "$from_export" ] || wrong "--from-export: no file '$from_export'"
[ -n "$from_export" ] || [ -z "$window$snapshot" ] || wrong "--churn-window-days and --snapshot go with --from-export"
[ -n "$from_export" ] || [ "$models_dir" = models ] || wrong "--models goes with --from-export"
case "$window" in "" | *[!0-9]*) [ -z "$window" ] || wrong "--churn-window-days must be a whole number of days" ;; esac

PY=/usr/bin/python3
"$PY" -c 'import xgboost, sklearn, pandas' 2>/dev/null || {
  echo "train: needs Debian's python3-xgboost python3-sklearn python3-pandas for $PY:" >&2
  echo "  apt-get install -y python3-xgboost python3-sklearn python3-pandas" >&2
  exit 1
}
if [ -n "$from_export" ]; then
  work=.local/ml-export
  npx tsx scripts/ml/from-export.ts --market "$market" --file "$from_export" --out "$work" --models "$models_dir" \
    ${window:+--churn-window-days "$window"} ${snapshot:+--snapshot "$snapshot"}
  "$PY" scripts/ml/train.py --market "$market" --work "$work" --models "$models_dir" ${only:+--only "$only"}
  # the new versions' training histograms, so the nightly drift reads them against these rows
  npx tsx scripts/ml/from-export.ts --market "$market" --histograms --out "$work" --models "$models_dir"
  exit 0
fi
npx tsx scripts/ml/features.ts --market "$market" --out .local/ml
"$PY" scripts/ml/train.py --market "$market" --work .local/ml --models "$models_dir" ${only:+--only "$only"}
# the new versions' training histograms, so the nightly drift has a baseline once one is promoted
npx tsx scripts/ml/score-histogram.ts --market "$market" --newest
