#!/usr/bin/env bash
# The tests, by what they need (the file name says it):
#   unit    *.test.ts, not *.kernel.test.ts: no root, no kernel; any user, any machine with clang.
#   kernel  *.kernel.test.ts: root and a kernel that loads BPF (some also QEMU and the guest
#           images scripts/setup.sh builds).
#   e2e     the browser tests (Playwright in Debian's Chromium), against a real backend: root.
# With no argument, all three. Fails if any part fails, and ends with one line counting all.
set -uo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(unit kernel e2e)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
tests() { find protocol server native app bench -name '*.test.ts' -not -path '*/node_modules/*' "$@" | sort; }
status=0
for part in "${parts[@]}"; do
  case "$part" in
    unit)
      # Independent of each other: node's default concurrency.
      mapfile -t files < <(tests -not -name '*.kernel.test.ts')
      node --import tsx --test --test-reporter=spec "${files[@]}" 2>&1 | tee -a "$log" || status=1
      ;;
    kernel)
      # One at a time: they share the kernel, its tracefs and the host's memory budget.
      mapfile -t files < <(tests -name '*.kernel.test.ts')
      node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee -a "$log" || status=1
      ;;
    e2e)
      npx --no-install playwright test -c e2e/playwright.config.ts 2>&1 | tee -a "$log" || status=1
      ;;
    *)
      echo "scripts/test.sh: no part named \"$part\" (unit, kernel, e2e)" >&2
      exit 2
      ;;
  esac
done

count() { grep -oE "$1" "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }
passed=$(( $(count '^ℹ pass [0-9]+') + $(count '^ +[0-9]+ passed') ))
failed=$(( $(count '^ℹ fail [0-9]+') + $(count '^ +[0-9]+ failed') ))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
