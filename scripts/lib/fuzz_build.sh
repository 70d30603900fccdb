#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The build of the fuzz targets (tests/fuzz), shared by scripts/test.sh and scripts/fuzz.sh:
# clang, libFuzzer's coverage on every library (-Dfuzz=true) and the address and
# undefined-behaviour sanitizers (b_sanitize). Prints what went wrong and returns 1.

# fuzz_targets: the ninja targets of every fuzz target and its replay binary.
fuzz_targets() {
  local source name
  for source in tests/fuzz/*_fuzz.cc; do
    name="$(basename "$source" _fuzz.cc)"
    printf '%s\n' "tests/fuzz/${name}_replay" "tests/fuzz/${name}_fuzz"
  done
}

# fuzz_build DIR [TARGET...]: configures DIR if needed and builds TARGETs (default: all of
# fuzz_targets).
fuzz_build() {
  local dir="$1" log
  shift
  local targets=("$@")
  ((${#targets[@]})) || mapfile -t targets < <(fuzz_targets)
  if ! command -v clang++ >/dev/null; then
    echo "fuzz build: clang++ is not installed (scripts/setup.sh installs it)"
    return 1
  fi
  if [[ ! -d "$dir/meson-info" ]]; then
    log="$(mktemp /tmp/sluice-fuzz-setup.XXXXXX)"
    if ! CC=clang CXX=clang++ meson setup "$dir" -Dfuzz=true \
      -Db_sanitize=address,undefined -Db_lto=false -Dbenchmarks=false \
      --buildtype=debugoptimized >"$log" 2>&1; then
      cat "$log"
      echo "fuzz build: meson setup of $dir failed"
      rm -f "$log"
      return 1
    fi
    rm -f "$log"
  fi
  if ! ninja -C "$dir" "${targets[@]}"; then
    echo "fuzz build: ninja -C $dir failed"
    return 1
  fi
}
