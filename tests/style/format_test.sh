#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every C++ file of the repository against the repository's .clang-format: prints the
# files that differ and how, exits 1 if any does, 77 (skip) without clang-format.
# BPF programs and the C headers they share with user space keep kernel style.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v clang-format >/dev/null || {
  echo "clang-format is not installed"
  exit 77
}

mapfile -t kernel_style < <(
  git ls-files 'bpf/*.bpf.c'
  git ls-files 'bpf/*.bpf.c' | xargs sed -n 's/^#include "\(.*\)"/bpf\/\1/p' | sort -u
)
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -vxF -f <(printf '%s\n' "${kernel_style[@]}"))

differ=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then
    echo "--- $f differs from .clang-format:"
    diff -u "$f" <(clang-format "$f") | head -n 20 || true
    differ=$((differ + 1))
  fi
done
if ((differ > 0)); then
  echo "clang-format: $differ of ${#files[@]} files differ (fix: clang-format -i FILE)"
  exit 1
fi
echo "clang-format: ${#files[@]} files clean"
