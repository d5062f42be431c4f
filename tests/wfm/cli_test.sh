#!/bin/sh
# `switchboard forecast`, `staff` and `schedule` end to end on small files: the CSV contract,
# weekend skipping, exit code 2 with a clear message on bad input.
# Usage: cli_test.sh path/to/switchboard work-dir
set -u
bin=$1
work=$2
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

# Three weeks of weekdays (2024-01-01 is a Monday), 09:00-10:45 in 15-minute intervals.
hist="$work/history.csv"
echo "start,volume,aht_s" > "$hist"
for day in 01 02 03 04 05 08 09 10 11 12 15 16 17 18 19; do
  for hm in 09:00 09:15 09:30 09:45 10:00 10:15 10:30 10:45; do
    echo "2024-01-${day}T$hm,$(( 10 + ${hm#*:} / 15 + ${day#0} % 5 )),240" >> "$hist"
  done
done

out=$("$bin" forecast --history "$hist" --horizon-days 7 --method weekday_mean --csv 2>&1) \
  || fail "forecast failed: $out"
[ "$(echo "$out" | head -1)" = "start,volume" ] || fail "bad header: $(echo "$out" | head -1)"
# 7 calendar days from Saturday 2024-01-20: Mon-Fri only, 8 intervals each.
[ "$(echo "$out" | tail -n +2 | wc -l)" -eq 40 ] || fail "expected 40 rows: $out"
echo "$out" | grep -q '^2024-01-22T09:00,' || fail "no Monday 09:00 row: $out"
echo "$out" | grep -q '^2024-01-2[01]T' && fail "weekend rows in a weekday-only forecast"
echo "$out" | grep -q '^2024-01-26T10:45,' || fail "no Friday 10:45 row"
echo "$out" > "$work/forecast.csv"

out=$("$bin" forecast --history "$hist" --horizon-days 3 --csv --aht 2>&1) || fail "auto: $out"
[ "$(echo "$out" | head -1)" = "start,volume,aht_s" ] || fail "bad --aht header"

# Scoring against actuals: the first two weeks as history, the third as what happened.
head -81 "$hist" > "$work/two-weeks.csv"
(head -1 "$hist"; tail -n +82 "$hist") > "$work/third-week.csv"
out=$("$bin" forecast --history "$work/two-weeks.csv" --horizon-days 7 \
  --actuals "$work/third-week.csv" 2>&1) || fail "actuals: $out"
echo "$out" | grep -q "^scored 5 days (2024-01-15 .. 2024-01-19)" || fail "actuals: $out"
echo "$out" | grep -q "^  seasonal_naive     all " || fail "no seasonal_naive total: $out"

printf 'start,volume\n2024-01-01T09:00,5\n2024-01-01T09:15,-2\n' > "$work/negative.csv"
out=$("$bin" forecast --history "$work/negative.csv" --horizon-days 1 --csv 2>&1)
[ $? -eq 2 ] || fail "negative volume should exit 2"
echo "$out" | grep -q "negative.csv:3: volume: negative volume -2" || fail "message: $out"

printf 'start,volume\n' > "$work/empty.csv"
out=$("$bin" forecast --history "$work/empty.csv" --horizon-days 1 --csv 2>&1)
[ $? -eq 2 ] || fail "empty history should exit 2"
echo "$out" | grep -q "empty history" || fail "message: $out"

"$bin" forecast --history "$work/missing.csv" --horizon-days 1 --csv >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing file should exit 2"

# Staffing on the forecast; AHT from the command line.
out=$("$bin" staff --forecast "$work/forecast.csv" --aht-s 240 --shrinkage 0.3 --csv 2>&1) \
  || fail "staff failed: $out"
echo "$out" | head -1 | grep -q '^start,volume,aht_s,load_erlangs,shrinkage,required,scheduled,' \
  || fail "bad staff header: $out"
[ "$(echo "$out" | tail -n +2 | wc -l)" -eq 40 ] || fail "staff rows"
echo "$out" | tail -n +2 | cut -d, -f7 > "$work/scheduled.txt"
echo "$out" | tail -n +2 | awk -F, '{print $1","$7}' | sed '1i start,scheduled' > "$work/req.csv"

out=$("$bin" staff --forecast "$work/forecast.csv" 2>&1)
[ $? -eq 2 ] || fail "staff without AHT should exit 2"
echo "$out" | grep -q "no aht_s column" || fail "message: $out"

# Schedule the staffing requirement.
cat > "$work/rules.toml" <<'TOML'
under_weight = 2.0
over_weight = 1.0

[[template]]
name = "morning"
length = "2:00"
earliest_start = "08:00"
latest_start = "09:00"
start_step_min = 15
days = ["Mon", "Tue", "Wed", "Thu", "Fri"]

  [[template.break]]
  name = "break"
  length_min = 15
  earliest_after = "0:45"
  latest_after = "1:15"

[[agent]]
id = "agent"
count = 12
min_hours = 0
max_hours = 10
max_days = 5
TOML
out=$("$bin" schedule --requirements "$work/req.csv" --rules "$work/rules.toml" --csv \
  --coverage-csv "$work/coverage.csv" --time-limit-s 10 2>&1) || fail "schedule failed: $out"
echo "$out" | head -1 | grep -q '^agent,date,template,start,end,paid_min,breaks$' \
  || fail "bad schedule header: $out"
[ "$(echo "$out" | tail -n +2 | wc -l)" -gt 5 ] || fail "too few shifts: $out"
head -1 "$work/coverage.csv" | grep -q '^start,required,coverage$' || fail "coverage header"

sed 's/length = "2:00"/length = "0:30"/' "$work/rules.toml" > "$work/bad-rules.toml"
out=$("$bin" schedule --requirements "$work/req.csv" --rules "$work/bad-rules.toml" 2>&1)
[ $? -eq 2 ] || fail "impossible break should exit 2: $out"
echo "$out" | grep -q "template 'morning': break 'break': can end" || fail "message: $out"

sed 's/max_days = 5/max_dayz = 5/' "$work/rules.toml" > "$work/typo.toml"
out=$("$bin" schedule --requirements "$work/req.csv" --rules "$work/typo.toml" 2>&1)
[ $? -eq 2 ] || fail "unknown key should exit 2"
echo "$out" | grep -q "typo.toml:2[0-9]:[0-9]*: agent\[0\].max_dayz: unknown key" \
  || fail "message: $out"
echo "cli_test: ok"
