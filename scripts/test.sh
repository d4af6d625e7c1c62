#!/usr/bin/env bash
# Runs every test suite (scripts/test.d/*.sh, in name order) and prints one closing line:
# "N passed, N failed". A suite that fails to run at all counts as one failure.
source "$(dirname "$0")/lib.sh"
set +e
passed=0; failed=0; failed_suites=()
out_dir="$(mktemp -d)"
# The recommendation rules keep their timings in a per-machine file (~/.cache/corepy by default):
# the suites share a fresh one, so no result depends on what earlier runs left there, or adds to it.
export COREPY_TIMINGS_CACHE="${COREPY_TIMINGS_CACHE:-$out_dir/rule-timings.json}"
# Likewise V8's code cache of the TypeScript compiler the loop rules load (~/.cache/corepy by default): a test run
# neither writes into the user's cache nor starts warm from it.
export COREPY_CODE_CACHE="${COREPY_CODE_CACHE:-$out_dir/code-cache}"
# Tests that check what a timed recommendation says need its trial to fit the report's timing budget; on a busy
# machine a cold trial runs to its cap and the default budget (one trial's cap) abandoned it ("not timed yet"),
# failing them at load 9–12. The budget logic itself is tested with explicit budgets (recommendation-budget.test.ts).
export COREPY_RULE_BUDGET_MS="${COREPY_RULE_BUDGET_MS:-15000}"
for step in "$ROOT"/scripts/test.d/*.sh; do
  [ -e "$step" ] || continue
  name="$(basename "$step" .sh)"
  log "suite $name"
  bash "$step" 2>&1 | tee "$out_dir/$name.log"
  rc=${PIPESTATUS[0]}
  # Passing counts include mocha runs nested in a suite (extension-host tests print "[host] N passing");
  # failures are counted from the outer runner only, which fails once for any nested failure.
  p=$(grep -Eo '^[[:space:]]*(\[host\][[:space:]]*)?[0-9]+ passing' "$out_dir/$name.log" | grep -Eo '[0-9]+ passing' | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '^[[:space:]]*[0-9]+ failing' "$out_dir/$name.log" | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; log "suite $name exited $rc"; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" -eq 0 ] || failed_suites+=("$name")
done
# CI keeps only the tail of this output: repeat each failing suite's mocha failure list (titles and first lines of
# the errors) just above the closing line, so the tail names what failed.
for name in "${failed_suites[@]}"; do
  echo "--- failures in suite $name:"
  if grep -Eq '^[[:space:]]*[0-9]+ failing' "$out_dir/$name.log"; then
    awk '/^[[:space:]]*[0-9]+ failing/ {on=1} on && shown < 60 {print; shown++}' "$out_dir/$name.log"
  else
    tail -n 20 "$out_dir/$name.log"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
