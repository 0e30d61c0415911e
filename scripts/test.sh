#!/usr/bin/env bash
# Every test: unit and kernel integration (node:test), then the browser e2e
# (Playwright in Debian's Chromium). Fails if any part fails, and ends with
# one line counting both.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
mapfile -t files < <(find protocol server native app bench -name '*.test.ts' -not -path '*/node_modules/*' | sort)
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee -a "$log" || status=1
npx --no-install playwright test -c e2e/playwright.config.ts 2>&1 | tee -a "$log" || status=1

count() { grep -oE "$1" "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }
passed=$(( $(count '^ℹ pass [0-9]+') + $(count '^ +[0-9]+ passed') ))
failed=$(( $(count '^ℹ fail [0-9]+') + $(count '^ +[0-9]+ failed') ))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
