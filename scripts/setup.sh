#!/usr/bin/env bash
# Brings a Debian 12 host to the point where the playground runs (and, with
# --test, where its tests run). Idempotent, and quick when nothing is missing:
# each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

# --test adds Chromium (for the e2e tests) and Debian 12's Go with cilium/ebpf (the Go export's build test);
# --bench adds bpftrace (the peer the benchmarks compare with).
want_tests=0
want_bench=0
[ "${1:-}" = "--test" ] && want_tests=1
[ "${1:-}" = "--bench" ] && want_bench=1

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# 1. Debian packages: the BPF toolchain, the compile jail, QEMU and what builds the
# guests' images (scripts/build-guest.sh), and Chromium for e2e.
packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make g++ python3 bubblewrap util-linux
  qemu-system-x86 busybox-static kmod cpio squashfs-tools xz-utils)
[ "$want_tests" = 1 ] && packages+=(chromium golang-go golang-github-cilium-ebpf-dev)
[ "$want_bench" = 1 ] && packages+=(bpftrace)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The VM kernels come from Debian 12's own suites; the 6.12 one from bookworm-backports.
backports=/etc/apt/sources.list.d/bookworm-backports.sources
need_update=0
if [ "$(id -u)" = 0 ] && grep -q '^VERSION_CODENAME=bookworm' /etc/os-release && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  say "adding Debian's bookworm-backports suite to apt's sources"
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$backports"
  need_update=1
fi
if [ "${#missing[@]}" -gt 0 ] || [ "$need_update" = 1 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}): run this as root so it can apt-get install them."
  apt-get update -qq
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# 2. npm dependencies, pinned by package-lock.json. `npm install` rather than
# `npm ci`: npm 11's ci refuses a lockfile without other platforms' optional
# packages (Next's @next/swc-darwin-*), while install keeps the lockfile as is.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm install"
  npm install --no-audit --no-fund
fi

# 3. The native addon, rebuilt when its sources change. Node's own headers
# are used (no download): they ship with every Node install.
addon=native/build/Release/bpf_addon.node
if [ ! -f "$addon" ] || [ -n "$(find native/src native/binding.gyp -newer "$addon" 2>/dev/null | head -1)" ]; then
  nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$nodedir/include/node/node_api.h" ] || nodedir=/usr
  [ -f "$nodedir/include/node/node_api.h" ] || die "Node's headers (include/node/node_api.h) are missing: install Node.js with its headers."
  say "building the native addon"
  npx --no-install node-gyp rebuild --directory native --nodedir="$nodedir" >/dev/null
fi

# The runner process, bundled to plain JavaScript so it boots fast (server/runner/runner.ts).
runner=native/build/runner.mjs
if [ ! -f "$runner" ] || [ -n "$(find server/runner native/index.ts -newer "$runner" 2>/dev/null | head -1)" ]; then
  say "bundling the runner"
  npx --no-install esbuild server/runner/runner-main.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$runner"
fi

# The microVMs' kernels and root image (a fresh VM per session, sandbox/vm/).
bash scripts/build-guest.sh

# 4. The Next.js build, redone when the UI, the protocol or the lockfile change.
stamp=$(cat package-lock.json next.config.ts tsconfig.json $(find app protocol -type f | sort) | sha256sum | cut -c1-16)
if [ ! -f .next/BUILD_ID ] || [ "$(cat .next/.playground-stamp 2>/dev/null)" != "$stamp" ]; then
  say "building the web app"
  npx --no-install next build >/dev/null
  echo "$stamp" > .next/.playground-stamp
fi

# 5. The kernel filesystems the backend reads (the server mounts them too).
if [ "$(id -u)" = 0 ]; then
  [ -e /sys/kernel/tracing/trace_pipe ] || mount -t tracefs none /sys/kernel/tracing || true
  [ -e /sys/kernel/debug/tracing ] || mount -t debugfs none /sys/kernel/debug || true
  findmnt -n -t bpf /sys/fs/bpf >/dev/null || mount -t bpf bpf /sys/fs/bpf || true
fi
exit 0
