#!/usr/bin/env bash
# End-to-end runs of `learnfilter --headless`: exit codes and the JSON line.
#
#   tests/headless_e2e.sh BUILT_PROGRAM [PYTHON_WITH_NUMPY]
#
# A short run must exit 0 and end stdout with one JSON object carrying the
# documented keys; an unknown option exits 2; a missing images folder or a
# bad kernel file exits 3; --weights-out writes a .npy (and a .csv). When a
# Python with NumPy is given, it also loads the .npy with numpy.load and
# checks it against the .csv of the same run.
set -u
. "$(dirname "$0")/e2e_common.sh"
e2e_setup e2e "${1:?usage: headless_e2e.sh LEARNFILTER [PYTHON]}"
python=${2:-}

# run EXPECTED_EXIT DESCRIPTION ARGS...: runs the program, keeps its output.
run() {
    expect_exit "$@"
}

# A short run on the bundled photographs.
run 0 "short run" --headless --steps 50 --size 64 --seed 3
last=$(tail -n 1 "$work/out")
case $last in
    "{"*"}") ;;
    *) fail "short run: last line is not a JSON object: $last" ;;
esac
for key in kernel kernel_h kernel_w patches train_patches validation_patches size optimizer \
           lr momentum nesterov batch seed padding noise steps epochs wall_s steps_per_s \
           loss train_loss val_loss rel_err tol converged_step converged diverged; do
    case $last in
        *"\"$key\": "*) ;;
        *) fail "short run: JSON lacks \"$key\"" ;;
    esac
done
case $last in
    *'"kernel": "sobel-x"'*'"optimizer": "sgd"'*'"batch": 4, "seed": 3'*'"steps": 50,'*) ;;
    *) fail "short run: unexpected values in $last" ;;
esac
if [ -n "$python" ]; then
    printf '%s\n' "$last" | "$python" -c '
import json, sys
j = json.loads(sys.stdin.read())
assert j["steps"] == 50 and j["size"] == 64 and j["kernel_h"] == 3, j
assert j["patches"] == j["train_patches"] + j["validation_patches"], j
assert j["diverged"] is False and j["loss"] > 0, j
' || fail "short run: JSON does not parse or has wrong values"
fi

# A kernel file whose name JSON must escape.
weird="$work/we\"ird\\name.txt"
printf -- '-1 0 1\n-2 0 2\n-1 0 1\n' >"$weird"
run 0 "escaped kernel name" --headless --steps 2 --size 64 --kernel "$weird"
case $(tail -n 1 "$work/out") in
    *'"kernel": "we\"ird\\name.txt"'*) ;;
    *) fail "escaped kernel name: $(tail -n 1 "$work/out")" ;;
esac
if [ -n "$python" ]; then
    tail -n 1 "$work/out" | "$python" -c '
import json, sys
assert json.loads(sys.stdin.read())["kernel"] == "we\"ird\\name.txt"
' || fail "escaped kernel name: JSON does not parse back"
fi

# Usage errors exit 2, unusable input exits 3, each with a message.
run 2 "unknown option" --headless --no-such-option
grep -q -- "--no-such-option" "$work/err" || fail "unknown option: stderr does not name it"
run 2 "bad learning rate" --headless --lr -1
run 3 "missing images folder" --headless --steps 1 --images "$work/no-such-folder"
grep -q "no-such-folder" "$work/err" || fail "missing folder: stderr does not name it"
printf '1 2 3\n4 5\n' >"$work/ragged.txt"
run 3 "bad kernel file" --headless --steps 1 --kernel "$work/ragged.txt"
grep -q "ragged.txt" "$work/err" || fail "bad kernel: stderr does not name the file"
run 3 "missing kernel file" --headless --steps 1 --kernel "$work/none.npy"
run 3 "unwritable weights" --headless --steps 1 --size 64 --weights-out "$work/no/such/w.npy"
run 0 "help" --help
grep -q -- "--headless" "$work/out" || fail "help: no usage text"

# A tolerance not reached exits 1; a learning rate that blows up exits 4
# with a JSON line that says so.
run 1 "tolerance not reached" --headless --steps 3 --size 64 --tol 1e-9
run 4 "diverged" --headless --steps 100 --size 64 --lr 1000 --momentum 0
case $(tail -n 1 "$work/out") in
    *'"diverged": true}') ;;
    *) fail "diverged: JSON does not say diverged" ;;
esac

# The JSON line is the result: a full stdout is an output error (exit 3)
# with one line on stderr, never a silent success.
if [ -w /dev/full ]; then
    "$bin" --headless --steps 5 --size 64 >/dev/full 2>"$work/err"
    code=$?
    [ "$code" -eq 3 ] || fail "full stdout: exit $code, expected 3"
    tail -n 1 "$work/err" | grep -qx "learnfilter: standard output: write failed: No space left on device" ||
        fail "full stdout: stderr says $(tail -n 1 "$work/err")"
fi

# One photograph: the default batch of 4 shrinks to its 3 training
# patches; an explicit batch that does not fit is a usage error.
photo="$(dirname "$0")/../data/camera.jpg"
run 0 "small image set" --headless --images "$photo" --epochs 1
case $(tail -n 1 "$work/out") in
    *'"train_patches": 3,'*'"batch": 3,'*) ;;
    *) fail "small image set: batch not fitted to 3 patches" ;;
esac
run 2 "batch too large" --headless --images "$photo" --epochs 1 --batch 8
grep -q -- "--batch: 8 is larger than" "$work/err" || fail "batch too large: stderr does not say so"

# Weight histories: a 2-epoch run on one 512x512 photograph (4 patches of
# 256: 3 train, 1 validates; batch 1), one kernel recorded per epoch.
# The same run dumps its patches, epoch orders and starting weights, from
# which NumPy below recomputes every snapshot independently.
mkdir "$work/dump"
run 0 "weights .npy" --headless --images "$photo" --epochs 2 --batch 1 --seed 5 \
    --weights-out "$work/w.npy" --dump-patches "$work/dump/d.npy"
[ -s "$work/w.npy" ] || fail "weights .npy: no file"
head -c 6 "$work/w.npy" | od -c | grep -q "N   U   M   P   Y" || fail "weights .npy: no magic"
# Without NumPy: the two snapshots (9 float32 each, at the end) must differ.
tail -c 72 "$work/w.npy" | head -c 36 >"$work/row0"
tail -c 36 "$work/w.npy" >"$work/row1"
cmp -s "$work/row0" "$work/row1" && fail "weights .npy: both epochs hold the same kernel"
run 0 "weights .csv" --headless --images "$photo" --epochs 2 --batch 1 --seed 5 \
    --weights-out "$work/w.csv"
[ "$(head -n 1 "$work/w.csv" | cut -d, -f1-4)" = "step,epoch,rel_err,w_0_0" ] ||
    fail "weights .csv: bad header"
[ "$(wc -l <"$work/w.csv")" -eq 3 ] || fail "weights .csv: expected a header and 2 epochs"
if [ -n "$python" ]; then
    "$python" - "$work/w.npy" "$work/w.csv" <<'PY' || fail "numpy.load disagrees with the .csv"
import sys
import numpy as np
w = np.load(sys.argv[1])
assert w.dtype == np.float32 and w.shape == (2, 3, 3), (w.dtype, w.shape)
csv = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, ndmin=2)
assert np.array_equal(csv[:, 3:].astype(np.float32).reshape(2, 3, 3), w)
assert np.all(np.isfinite(w))
PY
    # Each epoch's kernel against the same training done in NumPy/SciPy
    # from the dumped data: 'same' correlation with a bias, the MSE
    # gradient, SGD with Nesterov momentum (lr 0.01, 0.9) as PyTorch
    # documents it, batch 1, the dumped epoch orders.
    "$python" - "$work" <<'PY' || fail "weights .npy: not the kernels of the run"
import sys
import numpy as np
from scipy.signal import correlate2d
d = sys.argv[1]
patches = np.load(d + "/dump/d.npy").astype(np.float64)
order = np.load(d + "/dump/d-order.npy").astype(int)
w = np.load(d + "/dump/d-init.npy").astype(np.float64)
k = np.load(d + "/dump/d-target.npy").astype(np.float64)
b, vw, vb, want = 0.0, np.zeros_like(w), 0.0, []
for epoch in range(2):
    for p in order[epoch]:
        x = patches[p]
        r = correlate2d(x, w, mode="same") + b - correlate2d(x, k, mode="same")
        gw = 2.0 / r.size * correlate2d(np.pad(x, 1), r, mode="valid")
        gb = 2.0 / r.size * r.sum()
        vw, vb = 0.9 * vw + gw, 0.9 * vb + gb
        w, b = w - 0.01 * (gw + 0.9 * vw), b - 0.01 * (gb + 0.9 * vb)
    want.append(w.copy())
got = np.load(d + "/w.npy")
err = np.abs(got - np.array(want)).max()
assert err < 1e-5, (err, got, np.array(want))
PY
fi

# The README's headline run: Sobel x to 1% on the bundled photographs. It
# must converge (exit 0) and its last recorded kernel, read back from the
# file, must be within 1% of Sobel x by its own arithmetic (awk here, NumPy
# below), not only by what the JSON claims.
run 0 "headline run" --headless --kernel sobel-x --tol 0.01 --weights-out "$work/h.csv"
headline=$(tail -n 1 "$work/out")
case $headline in
    *'"kernel": "sobel-x"'*'"converged": true, "diverged": false}') ;;
    *) fail "headline run: not converged: $headline" ;;
esac
printf '%s\n' "$headline" | sed 's/.*"rel_err": \([^,]*\),.*/\1/' |
    awk '{ exit !($1 < 0.01) }' || fail "headline run: rel_err not below 0.01: $headline"
tail -n 1 "$work/h.csv" | awk -F, '{
    split("-1 0 1 -2 0 2 -1 0 1", k, " ")
    for (i = 1; i <= 9; i++) { d = $(i + 3) - k[i]; diff += d * d; norm += k[i] * k[i] }
    exit !(sqrt(diff) < 0.01 * sqrt(norm))
}' || fail "headline run: the last kernel in h.csv is not within 1% of Sobel x"
run 0 "headline run .npy" --headless --kernel sobel-x --tol 0.01 --weights-out "$work/h.npy"
if [ -n "$python" ]; then
    "$python" - "$work/h.npy" <<'PY' || fail "headline run: the last kernel in h.npy is not Sobel x"
import sys
import numpy as np
w = np.load(sys.argv[1])
k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float64)
assert w.ndim == 3 and w.shape[1:] == (3, 3) and w.shape[0] > 1, w.shape
assert np.linalg.norm(w[-1] - k) < 0.01 * np.linalg.norm(k), w[-1]
assert np.linalg.norm(w[0] - k) > 0.01 * np.linalg.norm(k), w[0]
PY
fi

# One seed, one run: the same JSON byte for byte (less the timings) and the
# same weight files, also on one thread instead of every core.
timeless() {
    tail -n 1 "$1" | sed 's/"wall_s": [^,]*, //; s/"steps_per_s": [^,]*, //;
                          s/"steady_steps_per_s": [^,]*, //; s/"threads": [^,]*, //'
}
for n in 1 2 3; do
    threads=""
    [ "$n" -eq 3 ] && threads="--threads 1"
    # shellcheck disable=SC2086
    run 0 "repeat run $n" --headless --kernel sobel-y --epochs 20 --seed 7 \
        --weights-out "$work/r$n.npy" $threads
    timeless "$work/out" >"$work/r$n.json"
done
for n in 2 3; do
    cmp -s "$work/r1.json" "$work/r$n.json" ||
        fail "repeat run $n: JSON differs: $(cat "$work/r1.json") / $(cat "$work/r$n.json")"
    cmp -s "$work/r1.npy" "$work/r$n.npy" || fail "repeat run $n: weight files differ"
done
grep -q '"seed": 7' "$work/r1.json" || fail "repeat run: JSON lost its seed: $(cat "$work/r1.json")"

# An all-zero kernel from a .npy is used as written: training moves the
# weights towards zero and the relative error, with nothing to divide by,
# is the absolute error ||w||, which awk recomputes from the weights file.
{
    printf '\223NUMPY\001\000v\000'
    printf "%-117s\n" "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }"
    head -c 36 /dev/zero
} >"$work/zero.npy"
[ "$(wc -c <"$work/zero.npy")" -eq 164 ] || fail "zero kernel: the test file is not 164 bytes"
run 0 "zero kernel" --headless --kernel "$work/zero.npy" --epochs 30 --weights-out "$work/z.csv"
zero=$(tail -n 1 "$work/out")
case $zero in
    *'"kernel": "zero.npy", "kernel_h": 3, "kernel_w": 3,'*'"diverged": false}') ;;
    *) fail "zero kernel: $zero" ;;
esac
rel=$(printf '%s\n' "$zero" | sed 's/.*"rel_err": \([^,]*\),.*/\1/')
awk -F, -v rel="$rel" 'NR == 2 { for (i = 4; i <= 12; i++) first += $i * $i }
    END { for (i = 4; i <= 12; i++) last += $i * $i
          exit !(sqrt(last) > 0 && (sqrt(last) - rel) ^ 2 <= (1e-5 * rel) ^ 2 &&
                 sqrt(last) < sqrt(first)) }' "$work/z.csv" ||
    fail "zero kernel: rel_err $rel is not ||w|| of the last kernel in z.csv, or it did not shrink"

# --dump-patches: the 4 patches, the epoch order, the initial weights (the
# same as the first weights a 1-step run starts from) and the true kernel.
run 0 "dump patches" --headless --images "$photo" --steps 1 --batch 1 --seed 5 \
    --dump-patches "$work/d.npy"
for f in d.npy d-order.npy d-init.npy d-target.npy; do
    [ -s "$work/$f" ] || fail "dump patches: no $f"
done
# 4 * 256 * 256 float32 after a 128-byte header.
[ "$(wc -c <"$work/d.npy")" -eq $((128 + 4 * 256 * 256 * 4)) ] || fail "dump patches: size"
if [ -n "$python" ]; then
    "$python" - "$work" <<'PY' || fail "dump patches: contents"
import sys
import numpy as np
d = sys.argv[1] + "/d"
patches, order = np.load(d + ".npy"), np.load(d + "-order.npy")
init, target = np.load(d + "-init.npy"), np.load(d + "-target.npy")
assert patches.shape == (4, 256, 256) and 0 <= patches.min() and patches.max() <= 1
assert order.shape[1] == 3 and order.shape[0] > 1000
assert all(sorted(row) == [0, 1, 2] for row in order[:100])
assert not np.array_equal(order[0], order[1]) or not np.array_equal(order[1], order[2])
assert init.shape == (3, 3) and np.all(np.abs(init) <= np.sqrt(6 / 18))
assert np.array_equal(target, np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32))
PY
fi
ls "$work" | grep -q "tmp-" && fail "a temporary file was left behind"

e2e_finish
