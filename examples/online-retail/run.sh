#!/bin/sh
# Imports the Online Retail II order log (a UK online gift shop, one line
# per invoice line) into STORE as a flat order log, then builds the model.
#   usage: examples/online-retail/run.sh STORE
#   XSELL: the xsell binary (default: build/xsell of this repository)
#   DATA:  the CSV (default: ../shared/data/online_retail_ii/... beside the
#          repository)
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 STORE" >&2
    exit 2
fi
STORE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
XSELL=${XSELL:-$ROOT/build/xsell}
DATA=${DATA:-$(cd "$ROOT/.." && pwd)/shared/data/online_retail_ii/online_retail_II_year_2009_2010.csv}
if [ ! -x "$XSELL" ]; then
    echo "$0: no xsell binary at $XSELL (build it, or set XSELL)" >&2
    exit 1
fi
if [ ! -r "$DATA" ]; then
    echo "$0: the Online Retail II file is absent: $DATA" >&2
    exit 1
fi
# The shop's own column names mapped onto the transactions fields; Country
# and any other column stay as attributes of the order lines. Invoices
# starting with C are cancellations. The customers of this export are
# wholesalers reached by e-mail: they are created with e-mail consent.
"$XSELL" import --db "$STORE" transactions "$DATA" \
    --map Invoice=order_id --map StockCode=product_id --map Description=product_name \
    --map Quantity=quantity --map InvoiceDate=date --map Price=unit_price \
    --map "Customer ID=customer_id" \
    --currency GBP --return-prefix C --consent email
"$XSELL" build --db "$STORE"
