# xsell experiment analyze on Hillstrom's e-mail experiment (64,000 rows,
# CRLF, quoted fields; ../shared/data).
H="$SRC/../shared/data/hillstrom/hillstrom.csv"
need_file "$H"
expect_rc 0 "$XS" experiment analyze --input "$H" --group segment --control "No E-Mail" \
    --metric visit --metric conversion --metric spend --covariate history --format csv
cut -d, -f1-3 "$T/.out" | grep '^visit' > "$T/h.txt"
printf 'visit,Mens E-Mail,21307\nvisit,No E-Mail,21306\nvisit,Womens E-Mail,21387\n' > "$T/hw.txt"
diff "$T/hw.txt" "$T/h.txt" >&2 || fail "hillstrom group counts"
"$XS" experiment analyze --input "$H" --group segment --control "No E-Mail" --metric visit \
    --metric conversion --metric spend --covariate history --format csv > "$T/h2.txt"
cmp -s "$T/.out" "$T/h2.txt" || fail "hillstrom: identical output on a second run"
expect_err 2 'xsell experiment: --control: no rows with segment = "No Email"' "$XS" experiment analyze \
    --input "$H" --group segment --control "No Email" --metric visit
expect_err 2 'xsell experiment: --metric: unknown column "spnd" (columns: recency, history_segment, history, mens, womens, zip_code, newbie, channel, segment, visit, conversion, spend)' "$XS" experiment analyze --input "$H" \
    --group segment --control "No E-Mail" --metric spnd
