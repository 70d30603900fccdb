#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs shellcheck -x on every tracked shell script (*.sh and .ci/run), from the repository
# root so that the `# shellcheck source=scripts/lib/...` directives resolve. Prints the
# findings and fails if there are any; exits 77 (skipped) without shellcheck or git.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v shellcheck >/dev/null || {
  echo "shellcheck is not installed (scripts/setup.sh installs it): skipped"
  exit 77
}
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
  echo "not a git checkout: no list of tracked scripts: skipped"
  exit 77
}

mapfile -t scripts < <(git ls-files '*.sh')
scripts+=(.ci/run)

if ! shellcheck -x "${scripts[@]}"; then
  echo "shellcheck: findings above (fix them, or disable one with a reason where it is wrong)" >&2
  exit 1
fi
echo "shellcheck: ${#scripts[@]} files clean"
