#!/usr/bin/env bash
# Every test: unit and kernel integration (node:test), then the browser e2e
# (Playwright in Debian's Chromium). Fails if any part fails.
set -uo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(find protocol server native app -name '*.test.ts' -not -path '*/node_modules/*' | sort)
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=1
npx --no-install playwright test -c e2e/playwright.config.ts || status=1
exit $status
