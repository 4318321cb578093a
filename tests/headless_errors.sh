#!/usr/bin/env bash
# headless_errors.sh: the headless trainer's answer to bad options, bad
# input and faults, as a script would see it: the exit code, exactly one
# line on stderr naming the thing and the reason, and no file left behind.
#
#   tests/headless_errors.sh path/to/learnfilter path/to/data
#
# Exit codes (cli.h): 2 usage, 3 input, 4 diverged. ctest runs this against
# the normal and the sanitizer builds (tests/tests.cmake).
set -u
. "$(dirname "$0")/e2e_common.sh"
e2e_setup headless "${1:?usage: headless_errors.sh LEARNFILTER DATA_DIR}"
data=${2:?usage: headless_errors.sh LEARNFILTER DATA_DIR}
e2e_args=(--headless)
photo="$data/camera.jpg"
# One photograph at 64-pixel patches: 64 patches, loaded in a blink.
small=(--images "$photo" --size 64)

# ------------------------------------------------------------ usage: exit 2
expect 2 "--bogus: unknown option" --bogus
expect 2 "stray: unexpected argument" stray
expect 2 "--lr: missing value" --lr
expect 2 "--lr: 'abc' is not a finite number" --lr abc
expect 2 "--lr: '0' must be positive" --lr 0
expect 2 "--lr: '-0.1' must be positive" --lr -0.1
expect 2 "--lr: 'nan' is not a finite number" --lr nan
expect 2 "--lr: 'inf' is not a finite number" --lr inf
expect 2 "--lr: '1e-50' is too small for a float" --lr 1e-50
expect 2 "--lr: '1e-40' is too small" --lr 1e-40
expect 2 "--size: '0' is not a positive integer" --size 0
expect 2 "--size: '-64' is not a positive integer" --size -64
expect 2 "--size: '12x' is not a positive integer" --size 12x
expect 2 "--size: '4' is outside 8..4096" --size 4
expect 2 "--batch: '0' is not a positive integer" --batch 0
expect 2 "--batch: '-1' is not a positive integer" --batch -1
expect 2 "--epochs: '0' is not a positive integer" --epochs 0
expect 2 "--downscale: '65' is too large; the largest accepted is 64" --downscale 65
expect 2 "--momentum: '1.5' must be in [0, 1)" --momentum 1.5
expect 2 "--optimizer: 'rmsprop' is not sgd or adam" --optimizer rmsprop
expect 2 "--padding: 'full' is not same or valid" --padding full
expect 2 "--seed: '-1' is not a non-negative integer" --seed -1
expect 2 "--tol: '0' must be positive" --tol 0
expect 2 "--headless: takes no value" --headless=yes
expect 2 "--kernel: empty value" --kernel=
expect 2 "--weights-out: 'w.txt' must end in .npy or .csv" --weights-out w.txt
# The user's batch is larger than the 51 training patches of one photo.
expect 2 "--batch: 52 is larger than the 51 training patches" "${small[@]}" --batch 52

# Window options, refused before a window opens: the limit named, however
# large the number.
e2e_args=()
expect 2 "--frames: '99999999999999999999' is too large; the largest accepted is 1000000000" \
  --frames 99999999999999999999
expect 2 "--width: '320' is below the smallest window, 640x360" --width 320
e2e_args=(--headless)

# ------------------------------------------------------------ input: exit 3
mkdir "$work/empty" "$work/all bad"
printf 'not an image\n' >"$work/all bad/notes.png"
: >"$work/all bad/empty.jpg"
: >"$work/empty.png"
printf 'these are words\n' >"$work/text.png"
head -c 20000 "$photo" >"$work/truncated.jpg"
# A PNG signature and an IHDR chunk claiming 100000 x 100000 (CRC 8d395414).
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00\x8d\x39\x54\x14' \
  >"$work/huge.png"
printf 'GIF89a\x01\x00\x01\x00\x00\x00\x00;' >"$work/anim.gif"
expect 3 "$work/nowhere: no such file or folder" --images "$work/nowhere"
expect 3 "$work/empty: no .png, .jpg or .jpeg images found" --images "$work/empty"
expect 3 "$work/all bad: none of the 2 image files could be used" --images "$work/all bad"
expect 3 "$work/empty.png: file is empty" --images "$work/empty.png"
expect 3 "$work/text.png: not a PNG or JPEG image" --images "$work/text.png"
expect 3 "$work/truncated.jpg: corrupt or truncated JPEG" --images "$work/truncated.jpg"
expect 3 "$work/huge.png: PNG header says 100000x100000 pixels" --images "$work/huge.png"
expect 3 "$work/anim.gif: a GIF image; only PNG and JPEG are accepted" --images "$work/anim.gif"

printf '1 2 3\n4 5\n' >"$work/ragged.txt"
printf '1 nan\n0 1\n' >"$work/nan.txt"
printf '\x93NUMPY\x01\x00\x40\x00{' >"$work/cut.npy"
expect 3 "no-such-kernel: not a built-in kernel" --kernel no-such-kernel "${small[@]}"
expect 3 "$work/ragged.txt: line 2 has 2 numbers" --kernel "$work/ragged.txt" "${small[@]}"
expect 3 "$work/nan.txt: line 1: 'nan' is not a finite number" --kernel "$work/nan.txt" "${small[@]}"
expect 3 "$work/cut.npy: truncated .npy header" --kernel "$work/cut.npy" "${small[@]}"
expect 3 "$work/empty.png: file is empty" --kernel "$work/empty.png" "${small[@]}"
# A photograph given as a kernel is called what it is (once "a NUL byte").
expect 3 "$photo: a JPEG image; a kernel is a text matrix, a NumPy .npy array or a grayscale PNG" \
  --kernel "$photo" "${small[@]}"
# An existing folder as an output: refused before any training.
mkdir "$work/out.gif"
expect 3 "--gif: $work/out.gif is a folder; name a file to write" "${small[@]}" \
  --gif "$work/out.gif"

# Unreadable permissions: only an ordinary user is refused; root reads anything.
cp "$photo" "$work/locked.jpg"
chmod 000 "$work/locked.jpg"
if [ "$(id -u)" -ne 0 ]; then
  expect 3 "$work/locked.jpg: cannot open: Permission denied" --images "$work/locked.jpg" --size 64
fi

# An output folder that does not exist, one that is a file, and (not as
# root) one without write permission: exit 3 before any training.
expect 3 "$work/nowhere/w.npy: cannot write" "${small[@]}" --weights-out "$work/nowhere/w.npy"
expect 3 "$work/empty.png/w.npy: cannot write" "${small[@]}" --weights-out "$work/empty.png/w.npy"
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$work/readonly"
  chmod 500 "$work/readonly"
  expect 3 "$work/readonly/w.npy: cannot write: Permission denied" "${small[@]}" \
    --weights-out "$work/readonly/w.npy"
  [ -z "$(ls -A "$work/readonly")" ] || fail "files left in the read-only folder"
fi

# --------------------------------------------------------- faults at run time
# A full disk while writing the weights, simulated with the file size limit
# (SIGXFSZ ignored so the write fails with EFBIG instead of killing us):
# exit 3, a message, and neither the final file nor a temporary one.
mkdir "$work/full"
(
  trap '' XFSZ
  # Only the program gets the limit, and it writes to no regular file but
  # the weights: stdout goes to /dev/null, stderr through a pipe.
  bash -c 'ulimit -f 0; exec "$@"' _ "$bin" --headless "${small[@]}" --steps 5 \
    --weights-out "$work/full/w.npy" 2>&1 >/dev/null | cat >"$work/err"
  exit "${PIPESTATUS[0]}"
)
code=$?
if [ "$code" -ne 3 ]; then
  fail "full disk -> exit $code, expected 3"
elif ! grep -qF "$work/full/w.npy: write failed" "$work/err"; then
  fail "full disk -> no write failure message"
elif [ -n "$(ls -A "$work/full")" ]; then
  fail "full disk -> files left: $(ls -A "$work/full")"
else
  echo "ok   exit 3  full disk while writing --weights-out"
fi

# ------------------------------------------------ accepted as the user meant
# A kernel saved with a UTF-8 byte order mark is read as if it were not
# there (once "'-1' is not a number"); a kernel of norm 1e-5 trains at a
# small rate without a false divergence (the runaway test once measured
# against the kernel's norm alone).
printf '\xEF\xBB\xBF-1 0 1\n-2 0 2\n-1 0 1\n' >"$work/bom.txt"
expect_exit 0 "kernel with a byte order mark" "${small[@]}" --steps 5 --kernel "$work/bom.txt"
grep -qF '"kernel_h": 3, "kernel_w": 3' "$work/out" || fail "byte order mark: not a 3x3 kernel"
printf '1e-5 1e-5 1e-5\n1e-5 1e-5 1e-5\n1e-5 1e-5 1e-5\n' >"$work/tiny.txt"
expect_exit 0 "kernel of norm 1e-5" "${small[@]}" --steps 100 --lr 1e-9 --kernel "$work/tiny.txt"
grep -qF '"diverged": false' "$work/out" || fail "kernel of norm 1e-5: reported as diverged"
echo "ok   exit 0  byte order mark; kernel of norm 1e-5"
if /usr/bin/python3 -c 'import numpy, PIL' 2>/dev/null; then
  # A 16-bit PNG kernel keeps its 1/65535 steps: the kernel the run trains
  # towards (--dump-patches' -target.npy) is the PNG's samples over 65535,
  # scaled to unit norm, and 40000, 40001, 40002 stay apart.
  /usr/bin/python3 -c '
import sys, numpy as np
from PIL import Image
a = np.array([[40000, 40001, 40002], [65535, 12345, 12346], [1, 2, 3]], np.uint16)
Image.fromarray(a).save(sys.argv[1])' "$work/k16.png"
  expect_exit 0 "16-bit PNG kernel" "${small[@]}" --steps 2 --kernel "$work/k16.png" \
    --dump-patches "$work/k16.npy"
  /usr/bin/python3 -c '
import sys, numpy as np
a = np.array([[40000, 40001, 40002], [65535, 12345, 12346], [1, 2, 3]]) / 65535.0
want = a / np.sqrt((a * a).sum())
got = np.load(sys.argv[1])
assert np.abs(got - want).max() < 1e-7, (got, want)
assert got[0, 0] < got[0, 1] < got[0, 2], got' "$work/k16-target.npy" ||
    fail "16-bit PNG kernel: not read at full precision"
  # Adam with a kernel much wider than the patches: the taps that only ever
  # see the zero padding keep their starting weights, the others move.
  expect_exit 0 "smiley on 8-pixel patches with Adam" --images "$photo" --size 8 --steps 30 \
    --kernel smiley --optimizer adam --weights-out "$work/pad.npy" --dump-patches "$work/pad-d.npy"
  /usr/bin/python3 -c '
import sys, numpy as np
w = np.load(sys.argv[1])[-1]; start = np.load(sys.argv[2])
k = w.shape[0]; pad = (k - 1) // 2; lag = np.abs(np.arange(k) - pad)
sees = (lag[:, None] < 8) & (lag[None, :] < 8)
assert (w[~sees] == start[~sees]).all(), "a tap that sees only padding moved"
assert (w[sees] != start[sees]).all(), "a tap that sees the image did not move"
' "$work/pad.npy" "$work/pad-d-init.npy" || fail "Adam moved taps that see only padding"
  echo "ok   exit 0  16-bit PNG kernel at full precision; Adam leaves padding-only taps"
fi

# A one-bad-image folder still trains: exit 0 and a warning naming the file.
mkdir "$work/mixed"
cp "$photo" "$work/mixed/good photo.jpg"
printf 'junk' >"$work/mixed/bad photo.png"
"$bin" --headless --images "$work/mixed" --size 64 --steps 2 >"$work/out" 2>"$work/err"
code=$?
if [ "$code" -ne 0 ]; then
  fail "mixed folder -> exit $code, expected 0"
elif ! grep -qF "warning: skipped $work/mixed/bad photo.png: not a PNG or JPEG" "$work/err"; then
  fail "mixed folder -> no warning naming the bad file"
else
  echo "ok   exit 0  folder with one bad image among good ones"
fi

# Divergence: a learning rate of 1e6 stops training before a NaN reaches
# the output: exit 4, the advice on stderr, and JSON without NaN or Inf.
"$bin" --headless "${small[@]}" --lr 1e6 --epochs 3 --weights-out "$work/div.csv" \
  >"$work/out" 2>"$work/err"
code=$?
if [ "$code" -ne 4 ]; then
  fail "--lr 1e6 -> exit $code, expected 4"
elif ! grep -qF "lower the learning rate" "$work/err"; then
  fail "--lr 1e6 -> no advice to lower the learning rate"
elif ! grep -qF '"diverged": true' "$work/out"; then
  fail "--lr 1e6 -> JSON does not say diverged: $(cat "$work/out")"
elif grep -qiE 'nan|inf' "$work/out" "$work/div.csv"; then
  fail "--lr 1e6 -> NaN or Inf in the output: $(cat "$work/out")"
else
  echo "ok   exit 4  --lr 1e6 diverges"
fi
if command -v python3 >/dev/null; then
  # parse_constant refuses the NaN and Infinity Python would otherwise allow.
  python3 -c 'import json, sys; json.loads(sys.stdin.read().strip().splitlines()[-1],
              parse_constant=lambda c: sys.exit("not JSON: " + c))' \
    <"$work/out" || fail "--lr 1e6 -> the last stdout line is not JSON"
fi

e2e_finish
