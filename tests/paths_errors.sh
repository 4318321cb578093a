#!/usr/bin/env bash
# paths_errors.sh: paths that could hang the program, make it walk for
# ever, fill memory or disk, or overwrite what the user has. For each: the
# exit code, one line on stderr naming the option and the path, the user's
# files untouched and nothing left behind. The headless run, --apply and
# the window share one output check (src/app/output_check.c); each is
# tried here.
#
#   tests/paths_errors.sh LEARNFILTER DATA_DIR [PYTHON-WITH-NUMPY]
#
# LF_TEST_SANITIZED=1 leaves out the 3,000-frame movie, which takes minutes
# under the sanitizers.
set -u
. "$(dirname "$0")/e2e_common.sh"
e2e_setup paths "${1:?usage: paths_errors.sh LEARNFILTER DATA_DIR [PYTHON]}"
data=$(e2e_abs "${2:?usage: paths_errors.sh LEARNFILTER DATA_DIR [PYTHON]}")
python=${3:-}
cd "$work" || exit 1

# A 512x512 photo in its own folder, a 3x3 .npy kernel and a 3x3 grid, all
# made by the program itself.
mkdir photos
"$bin" --apply mean:1 --images "$data/camera.jpg" --output big.png 2>/dev/null
printf '1 0 -1\n2 0 -2\n1 0 -1\n' >grid.txt
"$bin" --apply mean:1 --images grid.txt --output k.npy 2>/dev/null
cp big.png photos/photo.png
[ -s photos/photo.png ] && [ -s k.npy ] || { echo "cannot make the test files"; exit 1; }
small=(--images photos --size 64 --steps 3)
photo_sum=$(cksum <photos/photo.png)
kernel_sum=$(cksum <k.npy)
listing() { ls -A "$work" | grep -v -e '^out$' -e '^err$'; }
before=$(listing)

# ------------------------------------------------- outputs that are inputs
expect 3 "--weights-out: k.npy is the --kernel input; an output may not overwrite an input" \
  --headless "${small[@]}" --kernel k.npy --weights-out k.npy
expect 3 "--weights-out: ./k.npy is the --kernel input k.npy" \
  --headless "${small[@]}" --kernel k.npy --weights-out ./k.npy
ln k.npy hard.npy
expect 3 "--weights-out: hard.npy is the --kernel input k.npy" \
  --headless "${small[@]}" --kernel k.npy --weights-out hard.npy
rm hard.npy
expect 3 "--dump-patches: photos/photo.png is an image in the --images folder photos" \
  --headless "${small[@]}" --dump-patches photos/photo.png
expect 3 "--dump-patches: photos/../photos/photo.png is an image in the --images folder photos" \
  --headless "${small[@]}" --dump-patches photos/../photos/photo.png
expect 3 "--output: photos/photo.png is the --images input" \
  --apply mean:3 --images photos/photo.png --output photos/photo.png
expect 3 "--output: k.npy is the --apply input" --apply k.npy --images grid.txt --output k.npy
expect 3 "--screenshot: photos/photo.png is an image in the --images folder photos" \
  --frames 1 --images photos --size 64 --screenshot photos/photo.png
# Through a symbolic link to the folder, on either side: the link's target
# is compared, not the spelling.
ln -s photos plink
expect 3 "--dump-patches: plink/photo.png is an image in the --images folder photos" \
  --headless "${small[@]}" --dump-patches plink/photo.png
expect 3 "--dump-patches: photos/photo.png is an image in the --images folder plink" \
  --headless --images plink --size 64 --steps 3 --dump-patches photos/photo.png
expect 3 "--screenshot: plink/photo.png is the --images input photos/photo.png" \
  --frames 1 --images photos/photo.png --size 64 --screenshot plink/photo.png
rm plink
[ "$(cksum <photos/photo.png)" = "$photo_sum" ] || fail "the photo was changed"
[ "$(cksum <k.npy)" = "$kernel_sum" ] || fail "the kernel was changed"

# ------------------------------- links, folders and other non-regular files
ln -s k.npy link.npy
mkdir folder.npy
mkfifo fifo.npy
expect 3 "--weights-out: link.npy is a symbolic link; name the file itself" \
  --headless "${small[@]}" --weights-out link.npy
[ -L link.npy ] || fail "the link was replaced"
expect 3 "--weights-out: folder.npy is a folder; name a file to write" \
  --headless "${small[@]}" --weights-out folder.npy
expect 3 "--weights-out: fifo.npy is a FIFO (named pipe); an output must be a regular file" \
  --headless "${small[@]}" --weights-out fifo.npy
expect 3 "--output: link.npy is a symbolic link" --apply mean:3 --images grid.txt --output link.npy
expect 3 "--gif: nowhere/m.gif: cannot write: No such file or directory" \
  --headless "${small[@]}" --gif nowhere/m.gif

# ------------------------------------------- two outputs with one name
expect 2 "--dump-patches: w.npy is also the --weights-out output; give each output its own name" \
  --headless "${small[@]}" --weights-out w.npy --dump-patches w.npy
expect 2 "--dump-patches: d-init.npy is also the --weights-out output" \
  --headless "${small[@]}" --weights-out d-init.npy --dump-patches d.npy
mkdir sub
expect 2 "--dump-patches: w.npy is also the --weights-out output" \
  --headless "${small[@]}" --weights-out sub/../w.npy --dump-patches w.npy
expect 2 "--screenshot: same.gif is also the --gif output" \
  --frames 1 --images photos --size 64 --gif same.gif --screenshot same.gif
# One folder reached through a link, for new files and existing ones; and
# two names of one file (a hard link).
ln -s . here
expect 2 "--dump-patches: here/w.npy is also the --weights-out output" \
  --headless "${small[@]}" --weights-out w.npy --dump-patches here/w.npy
expect 2 "--screenshot: here/same.gif is also the --gif output" \
  --frames 1 --images photos --size 64 --gif same.gif --screenshot here/same.gif
printf 'old' >a.gif
ln a.gif b.gif
expect 2 "--screenshot: b.gif is also the --gif output" \
  --frames 1 --images photos --size 64 --gif a.gif --screenshot b.gif
[ "$(cat a.gif)" = old ] && [ "$(cat b.gif)" = old ] || fail "a.gif and b.gif were changed"
rm here a.gif b.gif
rmdir sub folder.npy
rm link.npy fifo.npy
after=$(listing)
[ "$before" = "$after" ] || fail "files were left behind: $(diff <(echo "$before") <(echo "$after"))"

# ----------------------------------------------- inputs that could hang
mkfifo pipe.png
expect 3 "pipe.png: is a FIFO (named pipe), not a regular file" --headless --images pipe.png
expect 3 "pipe.png: is a FIFO (named pipe), not a regular file" --headless "${small[@]}" \
  --kernel pipe.png
expect 3 "pipe.png: is a FIFO (named pipe), not a regular file" --apply mean:3 --images pipe.png
rm pipe.png

# ------------------------------------------------ folders walked once
# Two links to the folder itself once made 2^17 walks; `self -> .` made 17
# copies of every photo. The same photo linked under another name is one
# photo too. Each gives exactly the patches of the one photo.
mkdir loop
cp big.png loop/photo.png
ln -s . loop/a
ln -s . loop/b
ln -s . loop/self
ln -s photo.png loop/again.png
"$bin" --headless --images big.png --size 64 --steps 1 >out 2>err
one=$(sed -n 's/.*"patches": \([0-9]*\),.*/\1/p' out)
"$bin" --headless --images loop --size 64 --steps 1 >out 2>err
looped=$(sed -n 's/.*"patches": \([0-9]*\),.*/\1/p' out)
if [ -z "$one" ] || [ "$looped" != "$one" ]; then
  fail "a folder with a -> ., b -> ., self -> . gave ${looped:-no} patches, one photo gives $one"
else
  echo "ok   exit 0  folder links walked once ($looped patches, as one photo)"
fi

# Deeper than 16 levels: the message says so instead of "no images found".
deep=tree
for i in $(seq 1 17); do deep="$deep/d$i"; done
mkdir -p "$deep"
cp big.png "$deep/photo.png"
expect 3 "tree: no .png, .jpg or .jpeg images within 16 levels of folders; 1 deeper folder was not searched (the first: tree/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17)" \
  --headless --images tree --size 64

# ---------------------------------------------------- memory and time
# A 1x64 image at 4096-pixel patches would be enlarged to 4096x262144: 64
# patches, 4 GiB. Refused from its header before anything is decoded.
for i in $(seq 1 64); do echo 0.5; done >column.txt
"$bin" --apply mean:1 --images column.txt --output tall.png 2>/dev/null
expect 3 "tall.png: the images make 64 patches of 4096x4096, which need 4.0 GiB of memory; the limit is 2.0 GiB" \
  --headless --images tall.png --size 4096

# One patch makes every step an epoch. 25,000 epochs are more than the
# 10,000 snapshots --weights-out keeps: it keeps every 4th epoch (1, 5, 9,
# ..., 24997) and the last step, 6,251 rows, and says so.
"$bin" --headless --images big.png --size 512 --epochs 1000000 --steps 25000 --weights-out w.csv >out 2>err
code=$?
rows=$(($(wc -l <w.csv) - 1))
expected_steps=$( (seq 1 4 24997; echo 25000) | tr '\n' ' ')
got_steps=$(tail -n +2 w.csv | cut -d, -f1 | tr '\n' ' ')
if [ "$code" -ne 0 ]; then
  fail "25,000 epochs -> exit $code"
elif [ "$rows" -ne 6251 ] || [ "$got_steps" != "$expected_steps" ]; then
  fail "25,000 epochs -> $rows rows, expected 6251 at steps 1, 5, ..., 24997, 25000"
elif ! grep -qF -- "--weights-out: 25000 epochs are more than the 10000 snapshots kept; every 4th epoch was recorded, and the last step" err; then
  fail "25,000 epochs -> no message about the thinning"
else
  echo "ok   exit 0  --weights-out thinned to 6,251 snapshots of 25,000 epochs"
fi
# Against the time limit the file stays within its bound whatever the
# speed: at most 10,000 rows.
"$bin" --headless --images big.png --size 512 --tol 1e-30 --max-seconds 1 \
  --weights-out t.csv >out 2>err
code=$?
rows=$(($(wc -l <t.csv) - 1))
if [ "$code" -ne 1 ] || [ "$rows" -gt 10000 ] || [ "$rows" -lt 1 ]; then
  fail "--tol 1e-30 --max-seconds 1 -> exit $code, $rows rows (expected exit 1, 1..10000)"
else
  echo "ok   exit 1  --max-seconds with --weights-out: $rows rows"
fi
if [ -n "$python" ]; then
  "$bin" --headless --images big.png --size 512 --epochs 1000000 --steps 25000 --weights-out w.npy >out 2>err
  "$python" -c '
import sys, numpy as np
w = np.load("w.npy"); c = np.loadtxt("w.csv", delimiter=",", skiprows=1)
assert w.shape == (6251, 3, 3), w.shape
assert np.array_equal(w.reshape(6251, 9), c[:, 3:].astype(np.float32))
' || fail "w.npy does not hold the same 6,251 snapshots as w.csv"
fi

# A full disk in the middle of a large file, simulated with a 4 KiB file
# size limit (SIGXFSZ ignored so the write fails with EFBIG): the message
# gives the system's reason, which stdio had dropped with its buffer, and
# neither the file nor a temporary is left.
mkdir full
for what in "--dump-patches full/d.npy" "--weights-out full/w.csv"; do
  (
    trap '' XFSZ
    # shellcheck disable=SC2086
    bash -c 'ulimit -f 4; exec "$@"' _ "$bin" --headless --images big.png --size 512 \
      --epochs 1000000 --steps 2000 $what 2>&1 >/dev/null | grep -v '^\[' | cat >err
    exit "${PIPESTATUS[0]}"
  )
  code=$?
  file=${what#* }
  if [ "$code" -ne 3 ]; then
    fail "$what past the file size limit -> exit $code, expected 3"
  elif ! grep -qF "$file: write failed: File too large" err; then
    fail "$what past the file size limit -> the message does not give the reason"
  elif [ -n "$(ls -A full)" ]; then
    fail "$what past the file size limit -> files left: $(ls -A full)"
  else
    echo "ok   exit 3  $what past the file size limit: write failed: File too large"
  fi
done

# The movie is capped at 3,000 frames: a frame every step for 3,100 steps
# keeps 3,000 and the last, and says how many were left out.
# --reel goes through the same checks as every other output, before training.
mkdir folder.gif
expect 3 "--reel: folder.gif is a folder; name a file to write" \
  --headless "${small[@]}" --reel folder.gif
expect 2 "--reel: same.gif is also the --gif output; give each output its own name" \
  --headless "${small[@]}" --reel same.gif --gif same.gif
expect 2 "--reel: 'r.txt' does not end in .gif or .mp4" --headless "${small[@]}" --reel r.txt
ln -s k.npy reel.gif
expect 3 "--reel: reel.gif is a symbolic link; name the file itself" \
  --headless "${small[@]}" --reel reel.gif
rm reel.gif
rmdir folder.gif
"$bin" --headless "${small[@]}" --reel r.gif >out 2>err
code=$?
if [ "$code" -ne 0 ] || [ ! -s r.gif ] || ! grep -qF "reel: r.gif, 4 frames, 10 s" err; then
  fail "--reel r.gif after 3 steps -> exit $code, $(tail -1 err)"
else
  echo "ok   exit 0  a reel of steps 0 to 3"
fi
rm -f r.gif

if [ "${LF_TEST_SANITIZED:-0}" != 1 ]; then
  "$bin" --headless --images big.png --size 512 --epochs 1000000 --steps 3100 --gif-every 1 --gif m.gif >out 2>err
  code=$?
  if [ "$code" -ne 0 ]; then
    fail "3,100 movie frames -> exit $code"
  elif ! grep -qF -- "--gif: a movie holds at most 3000 frames; 100 later ones were left out" err; then
    fail "3,100 movie frames -> no message about the cap"
  elif ! grep -qF "(3001 frames" err; then
    fail "3,100 movie frames -> not 3,001 frames written"
  else
    echo "ok   exit 0  the movie capped at 3,000 frames and the last"
  fi
fi

e2e_finish
