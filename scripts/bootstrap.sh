#!/usr/bin/env bash
# One idempotent set-up for both README commands (npm run demo, npm test):
# Debian packages (installed only when missing), npm packages from
# package-lock.json (only when the lock changed), then the native addon and
# the TypeScript build. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

# What each package is for:
#   build-essential cmake pkg-config  the C fast path and the Node-API addon
#   libpcap-dev                       the pcap driver (pcap and pcapng captures)
#   clang libclang-rt-14-dev          the libFuzzer target (sanitizers, fuzzer runtime)
#   python3-scapy tshark              independent decoders the tests check our frames with
#   libbpf-dev libxdp-dev libelf-dev  the afxdp driver and loading firmware/ (XDP programs)
#   zlib1g-dev                        libbpf's link dependency
#   iproute2 ethtool                  the lab and network tests (namespaces, veth pairs)
#   xdp-tools tcpdump iputils-ping    looking at a running lab by hand (xdp-loader status, tcpdump, ping)
#   python3-prometheus-client         an independent parser the metrics tests check /metrics with
DEBIAN_PACKAGES=(build-essential cmake pkg-config libpcap-dev clang libclang-rt-14-dev python3-scapy tshark
  libbpf-dev libxdp-dev libelf-dev zlib1g-dev iproute2 ethtool xdp-tools tcpdump iputils-ping
  python3-prometheus-client)

say() { printf '==> %s\n' "$*"; }

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.cix-lock-sha ] || [ "$(cat node_modules/.cix-lock-sha)" != "$lock_sum" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.cix-lock-sha
fi

say "building the native addon"
mkdir -p build
npx --no-install cmake-js compile --out build/addon >build/addon-build.log 2>&1 || {
  cat build/addon-build.log >&2
  exit 1
}
say "building TypeScript"
npm run --silent build:ts
