#!/bin/sh
# The headless trainer's --save-state and --resume, end to end.
#
#   tests/state_roundtrip.sh BUILT_PROGRAM DATA_DIR
#
# For plain SGD, Nesterov momentum and Adam, on the statistics engine and
# (with input noise) the direct one: a run of 2N steps and a run of N steps
# resumed for N more write byte-identical state files, and the resumed
# run's JSON counts its steps from the original start. A state on other
# data, a truncated, corrupt or other-version file, and --resume without
# --headless are refused with the documented exit codes and a message.
set -u
program=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/learnfilter-state-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run EXPECTED_EXIT DESCRIPTION ARGS...
run() {
    expected=$1
    what=$2
    shift 2
    "$program" --headless --images "$data" --size 64 --seed 3 "$@" >"$tmp/out" 2>"$tmp/err"
    code=$?
    if [ "$code" -ne "$expected" ]; then
        fail "$what: exit $code, expected $expected"
        sed 's/^/  stderr: /' "$tmp/err" >&2
    fi
}

# expect_message DESCRIPTION WORDS: the last run's stderr says WORDS.
expect_message() {
    if ! grep -q -- "$2" "$tmp/err"; then
        fail "$1: stderr does not say '$2'"
        sed 's/^/  stderr: /' "$tmp/err" >&2
    fi
}

n=45
# NAME:TRAINING OPTIONS:DATA OPTIONS:ENGINE. Input noise is a property of
# the data (so given again on resume), and keeps the statistics engine out.
for case in "sgd:--momentum 0 --no-nesterov::gram" "nesterov:::gram" \
            "adam:--optimizer adam --lr 0.01::gram" "sgd-noisy:--momentum 0:--noise 0.05:direct" \
            "nesterov-noisy::--noise 0.05:direct" "adam-noisy:--optimizer adam:--noise 0.05:direct"; do
    name=${case%%:*}
    rest=${case#*:}
    opts=${rest%%:*}
    rest=${rest#*:}
    data_opts=${rest%%:*}
    engine=${rest#*:}
    # shellcheck disable=SC2086 # the options hold several words on purpose
    run 0 "$name: $((2 * n)) steps" --steps $((2 * n)) $opts $data_opts \
        --save-state "$tmp/$name-whole.lfstate"
    grep -q "\"engine\": \"$engine\"" "$tmp/out" || fail "$name: engine is not $engine"
    # shellcheck disable=SC2086
    run 0 "$name: $n steps" --steps $n $opts $data_opts --threads 1 \
        --save-state "$tmp/$name-half.lfstate"
    # Training options are the state's on resume: none given here.
    # shellcheck disable=SC2086
    run 0 "$name: resumed for $n" --steps $n $data_opts --threads 2 \
        --resume "$tmp/$name-half.lfstate" --save-state "$tmp/$name-resumed.lfstate"
    grep -q "\"steps\": $((2 * n))," "$tmp/out" || fail "$name: resumed JSON does not count $((2 * n)) steps"
    cmp -s "$tmp/$name-whole.lfstate" "$tmp/$name-resumed.lfstate" ||
        fail "$name: $((2 * n)) steps and $n + $n resumed give different state files"
done

# No path in the file (equal states are equal bytes wherever they are written).
if grep -q -a -e "learnfilter-state" -e "$data" "$tmp/sgd-half.lfstate"; then
    fail "a state file holds a path"
fi

good=$tmp/nesterov-half.lfstate
run 3 "other --size" --resume "$good" --size 48
expect_message "other --size" "give the same --images, --size"
run 3 "other --seed" --resume "$good" --seed 4
expect_message "other --seed" "other images"
head -c 200 "$good" >"$tmp/short.lfstate"
run 3 "truncated" --resume "$tmp/short.lfstate"
expect_message "truncated" "truncated training state"
# A byte of the body flipped (offset 100), then the version field (offset 8) set to 9.
/usr/bin/python3 - "$good" "$tmp" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
c = bytearray(b); c[100] ^= 0x40
open(sys.argv[2] + "/corrupt.lfstate", "wb").write(c)
v = bytearray(b); v[8] = 9
open(sys.argv[2] + "/version.lfstate", "wb").write(v)
PY
run 3 "corrupt" --resume "$tmp/corrupt.lfstate"
expect_message "corrupt" "checksum mismatch"
run 3 "other version" --resume "$tmp/version.lfstate"
expect_message "other version" "format version 9; this learnfilter reads version 1"
run 3 "not a state" --resume "$data/README.md"
expect_message "not a state" "not a learnfilter training state"
run 3 "missing" --resume "$tmp/none.lfstate"
"$program" --resume "$good" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "--resume without --headless: not a usage error"
expect_message "window" "only with --headless"

if [ "$failures" -ne 0 ]; then
    echo "$failures failed" >&2
    exit 1
fi
echo "state round trip: all passed"
