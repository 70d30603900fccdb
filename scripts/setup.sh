#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare a Debian 12 machine to build, test and demo sluice. Run as root.
# Idempotent: packages that are already installed are not touched (no apt run at
# all when everything is there), hugepages/bpffs are only mounted when missing.
#
#   scripts/setup.sh            install packages, reserve hugepages, mount bpffs
#   SLUICE_HUGEPAGES=1024 scripts/setup.sh   reserve a different number of 2 MiB pages
set -euo pipefail

readonly HUGEPAGES_WANTED="${SLUICE_HUGEPAGES:-512}"

# What the project needs: build (DPDK, BPF, C++), tests, benchmarks, and the
# namespace demo/e2e (web servers, clients, capture, the HAProxy/keepalived
# baseline we replace; bird2 and frr for BGP: docs/bgp.md). ethtool turns off veth
# offloads in the e2e topology; ping is used by the ICMP e2e test; shellcheck checks the
# shell scripts; prometheus (with promtool) and chromium read sluiced's /metrics and
# status page in e2e_metrics and check the alerting rules; libssl-dev's libcrypto signs
# flow sync's datagrams (HMAC-SHA256).
readonly PACKAGES=(
  dpdk dpdk-dev libdpdk-dev
  libbpf-dev libxdp-dev xdp-tools bpftool
  meson ninja-build pkg-config g++ clang
  libtomlplusplus-dev libpcap-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nginx-light haproxy keepalived
  bird2 frr
  wrk socat curl tcpdump python3-scapy
  iproute2 iputils-ping procps ethtool util-linux
  shellcheck clang-format
  prometheus chromium
)

step() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: WARNING: %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: must run as root (it installs packages and mounts hugetlbfs/bpffs)" >&2
  exit 1
fi

# --- packages -------------------------------------------------------------------
installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  step "packages: all ${#PACKAGES[@]} already installed, apt skipped"
else
  step "packages: missing ${missing[*]}; running apt-get update"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  available=()
  for p in "${missing[@]}"; do
    candidate="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then
      warn "package $p has no installation candidate; skipped"
    else
      available+=("$p")
    fi
  done
  if ((${#available[@]} > 0)); then
    step "packages: installing ${available[*]}"
    apt-get install -y -qq --no-install-recommends "${available[@]}" >/dev/null
  fi
  step "packages: done"
fi

# --- hugepages --------------------------------------------------------------------
# sluice's sample configs run with hugepages = false (--no-huge), so a machine
# without hugepages still runs everything; memif benchmarks need them.
hp_sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
hugepages_ok=0
if [[ -w "$hp_sysfs" ]]; then
  have="$(cat "$hp_sysfs")"
  if ((have < HUGEPAGES_WANTED)); then
    echo "$HUGEPAGES_WANTED" >"$hp_sysfs" 2>/dev/null || true
    have="$(cat "$hp_sysfs")"
  fi
  if ((have >= HUGEPAGES_WANTED)); then
    step "hugepages: $have x 2 MiB reserved"
    hugepages_ok=1
  else
    warn "hugepages: only $have of $HUGEPAGES_WANTED x 2 MiB pages could be reserved"
  fi
else
  warn "hugepages: $hp_sysfs not writable"
fi
if ((hugepages_ok)); then
  if mountpoint -q /dev/hugepages; then
    step "hugepages: hugetlbfs already mounted at /dev/hugepages"
  else
    mkdir -p /dev/hugepages
    if mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null; then
      step "hugepages: mounted hugetlbfs at /dev/hugepages"
    else
      warn "hugepages: mounting hugetlbfs at /dev/hugepages failed"
      hugepages_ok=0
    fi
  fi
fi
if ((!hugepages_ok)); then
  step "hugepages: unavailable; sluice will run with --no-huge (hugepages = false)"
fi

# --- bpffs --------------------------------------------------------------------------
if mountpoint -q /sys/fs/bpf; then
  step "bpffs: already mounted at /sys/fs/bpf"
elif mount -t bpf bpf /sys/fs/bpf 2>/dev/null; then
  step "bpffs: mounted at /sys/fs/bpf"
else
  warn "bpffs: mounting /sys/fs/bpf failed (af_xdp will load without the libxdp dispatcher)"
fi

step "done"
