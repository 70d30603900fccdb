#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every program prints its usage on stdout and exits 0 for --help and -h, with nothing
# on stderr; an unknown option is an error (non-zero exit, a message on stderr).
#   help_test.sh PROGRAM...
set -uo pipefail

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

for program in "$@"; do
  name=$(basename "$program")
  for flag in --help -h; do
    out=$("$program" "$flag" 2>/tmp/help_test.err.$$)
    rc=$?
    err=$(cat /tmp/help_test.err.$$)
    ((rc == 0)) || fail "$name $flag exited $rc"
    grep -qi '^usage: ' <<<"$out" || fail "$name $flag printed no 'usage:' line on stdout"
    [[ -z $err ]] || fail "$name $flag wrote to stderr: $err"
  done
  "$program" --no-such-option >/dev/null 2>/tmp/help_test.err.$$
  rc=$?
  ((rc != 0)) || fail "$name --no-such-option exited 0"
  [[ -s /tmp/help_test.err.$$ ]] || fail "$name --no-such-option said nothing on stderr"
done
rm -f /tmp/help_test.err.$$
if ((failures > 0)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "help: $# programs print their usage"
