#!/bin/sh
# Imports the IBM Telco customer churn sample (a wide export: one row per
# account, services as columns) into STORE through telco.json, trains a
# churn model on the same file (STORE.churn.json) and builds the store with
# it attached.
#   usage: examples/telco/run.sh STORE
#   XSELL: the xsell binary (default: build/xsell of this repository)
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 STORE" >&2
    exit 2
fi
STORE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
XSELL=${XSELL:-$ROOT/build/xsell}
DATA=$(cd "$ROOT/.." && pwd)/shared/data/telco/telco-customer-churn.csv
if [ ! -x "$XSELL" ]; then
    echo "$0: no xsell binary at $XSELL (build it, or set XSELL)" >&2
    exit 1
fi
if [ ! -r "$DATA" ]; then
    echo "$0: the Telco file is absent: $DATA" >&2
    exit 1
fi
"$XSELL" import --db "$STORE" --spec "$HERE/telco.json" "$DATA"
# a churn model trained on the export itself (its columns are kept on the
# customers: keep_source_columns), attached to the build: the engine then
# knows who is at risk, and retention offers go to them
"$XSELL" churn train --input "$DATA" --id customerID --label Churn --positive Yes \
    --model "$STORE.churn.json"
"$XSELL" build --db "$STORE" --churn-model "$STORE.churn.json"
