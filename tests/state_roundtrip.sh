#!/usr/bin/env bash
# The headless trainer's --save-state and --resume, end to end.
#
#   tests/state_roundtrip.sh BUILT_PROGRAM DATA_DIR
#
# For plain SGD, Nesterov momentum and Adam, on the statistics engine and
# (with input noise) the direct one, for one gray filter and for a layer
# (on the layer's direct engine and on its statistics): a run of 2N steps
# and a run of N steps resumed for N more write byte-identical state files,
# and the resumed run's JSON counts its steps from the original start. A
# state on other data or of another layer, a truncated, corrupt or other-version file, and --resume without
# --headless are refused with the documented exit codes and a message.
set -u
. "$(dirname "$0")/e2e_common.sh"
e2e_setup state "${1:?usage: state_roundtrip.sh LEARNFILTER DATA_DIR}"
data=${2:?usage: state_roundtrip.sh LEARNFILTER DATA_DIR}

# run EXPECTED_EXIT DESCRIPTION ARGS...: a headless run on the data.
run() {
    local code=$1 what=$2
    shift 2
    expect_exit "$code" "$what" --headless --images "$data" --size 64 --seed 3 "$@"
}

n=45
# NAME:TRAINING OPTIONS:DATA OPTIONS:ENGINE. Input noise is a property of
# the data (so given again on resume), and keeps the statistics engine out.
# So is a layer's shape (given again: the state checks it): colour, two
# filters, ReLU and pooling on the layer's direct engine; colour, two
# filters at stride 2 on the statistics of the layer's windows.
layer="--color --kernel sobel-x,sobel-y --activation relu --pool 2"
gram_layer="--color --kernel sobel-x,sobel-y --stride 2"
for case in "sgd:--momentum 0 --no-nesterov::gram" "nesterov:::gram" \
            "adam:--optimizer adam --lr 0.01::gram" "sgd-noisy:--momentum 0:--noise 0.05:direct" \
            "nesterov-noisy::--noise 0.05:direct" "adam-noisy:--optimizer adam:--noise 0.05:direct" \
            "layer-sgd:--momentum 0 --no-nesterov:$layer:direct" "layer-nesterov::$layer:direct" \
            "layer-adam:--optimizer adam --lr 0.01:$layer:direct" \
            "gram-layer-sgd:--momentum 0 --no-nesterov:$gram_layer:gram" \
            "gram-layer-nesterov::$gram_layer:gram" \
            "gram-layer-adam:--optimizer adam --lr 0.01:$gram_layer:gram"; do
    name=${case%%:*}
    rest=${case#*:}
    opts=${rest%%:*}
    rest=${rest#*:}
    data_opts=${rest%%:*}
    engine=${rest#*:}
    # shellcheck disable=SC2086 # the options hold several words on purpose
    run 0 "$name: $((2 * n)) steps" --steps $((2 * n)) $opts $data_opts \
        --save-state "$work/$name-whole.lfstate"
    grep -q "\"engine\": \"$engine\"" "$work/out" || fail "$name: engine is not $engine"
    # shellcheck disable=SC2086
    run 0 "$name: $n steps" --steps $n $opts $data_opts --threads 1 \
        --save-state "$work/$name-half.lfstate"
    # Training options are the state's on resume: none given here.
    # shellcheck disable=SC2086
    run 0 "$name: resumed for $n" --steps $n $data_opts --threads 2 \
        --resume "$work/$name-half.lfstate" --save-state "$work/$name-resumed.lfstate"
    grep -q "\"steps\": $((2 * n))," "$work/out" || fail "$name: resumed JSON does not count $((2 * n)) steps"
    cmp -s "$work/$name-whole.lfstate" "$work/$name-resumed.lfstate" ||
        fail "$name: $((2 * n)) steps and $n + $n resumed give different state files"
done

# No path in the file (equal states are equal bytes wherever they are written).
if grep -q -a -e "learnfilter-state" -e "$data" "$work/sgd-half.lfstate"; then
    fail "a state file holds a path"
fi

# A layer's state resumed with another layer: refused, naming what differs.
run 3 "other layer" --resume "$work/layer-adam-half.lfstate" --color --kernel sobel-x,sobel-y --pool 2
expect_message "other layer" "this run's has activation none: give the same --kernel, --color, --stride, --pool, --activation and --padding"
run 3 "layer into one gray filter" --resume "$work/layer-adam-half.lfstate"
expect_message "layer into one gray filter" "this run's has 1 filter, 1 channel, no pooling, activation none"

good=$work/nesterov-half.lfstate
run 3 "other --size" --resume "$good" --size 48
expect_message "other --size" "give the same --images, --size"
run 3 "other --seed" --resume "$good" --seed 4
expect_message "other --seed" "other images"
head -c 200 "$good" >"$work/short.lfstate"
run 3 "truncated" --resume "$work/short.lfstate"
expect_message "truncated" "truncated training state"
# A byte of the body flipped (offset 100), then the version field (offset 8) set to 9.
/usr/bin/python3 - "$good" "$work" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
c = bytearray(b); c[100] ^= 0x40
open(sys.argv[2] + "/corrupt.lfstate", "wb").write(c)
v = bytearray(b); v[8] = 9
open(sys.argv[2] + "/version.lfstate", "wb").write(v)
PY
run 3 "corrupt" --resume "$work/corrupt.lfstate"
expect_message "corrupt" "checksum mismatch"
run 3 "other version" --resume "$work/version.lfstate"
expect_message "other version" "format version 9; this learnfilter reads versions 1 and 2"
run 3 "not a state" --resume "$data/README.md"
expect_message "not a state" "not a learnfilter training state"
run 3 "missing" --resume "$work/none.lfstate"
expect_exit 2 "--resume without --headless" --resume "$good"
expect_message "window" "only with --headless"

e2e_finish
