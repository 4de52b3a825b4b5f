# Published estimates on ../shared/data: BG/NBD and Gamma-Gamma on the
# CDNOW sample, the shifted-beta-geometric model on the survivor curves.
SHARED="$SRC/../shared/data"
need_file "$SHARED/cdnow/CDNOW_sample.txt" "$SHARED/retention/survivors.csv"
field() { sed -n 2p "$T/.out" | cut -d, -f"$1"; }
round() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; }

# Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4
expect_rc 0 "$XS" clv fit --model bgnbd --input "$SHARED/cdnow/CDNOW_sample.txt" --input-format cdnow --calibration-end 1997-09-30 --time-unit week --format csv
expect_eq "$(round "$(field 2)" 3),$(round "$(field 3)" 3),$(round "$(field 4)" 3),$(round "$(field 5)" 3),$(round "$(field 6)" 1),$(field 7)" \
    "0.243,4.414,0.793,2.426,-9582.4,2357" "CDNOW BG/NBD"
# Fader & Hardie (2013) Gamma-Gamma note: p 6.25, q 3.74, gamma 15.44
expect_rc 0 "$XS" clv fit --model gamma-gamma --input "$SHARED/cdnow/CDNOW_sample.txt" --input-format cdnow --calibration-end 19970930 --format csv
expect_eq "$(round "$(field 2)" 2),$(round "$(field 3)" 2),$(round "$(field 4)" 2),$(field 6)" \
    "6.25,3.74,15.44,946" "CDNOW Gamma-Gamma"
# FHL 2005: customer 4 (x 2, t_x 30.43, T 38.86) expects 1.226 purchases in 39 weeks
expect_rc 0 "$XS" clv predict --input "$SHARED/cdnow/CDNOW_sample.txt" --input-format cdnow --calibration-end 1997-09-30 --horizon 39 --format csv
expect_eq "$(round "$(grep '^00004,' "$T/.out" | cut -d, -f7)" 3)" "1.226" "CDNOW conditional expectation"
# Fader & Hardie (2007), years 0-7: regular 0.704 / 1.182, high end 0.668 / 3.806
expect_rc 0 "$XS" retention fit --input "$SHARED/retention/survivors.csv" --column regular_survivors --periods 7 --format csv
expect_eq "$(round "$(field 8)" 3),$(round "$(field 9)" 3)" "0.704,1.182" "sBG regular"
expect_rc 0 "$XS" retention fit --input "$SHARED/retention/survivors.csv" --column highend_survivors --periods 7 --format csv
expect_eq "$(round "$(field 8)" 3),$(round "$(field 9)" 3)" "0.668,3.806" "sBG high end"
