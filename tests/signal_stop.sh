#!/usr/bin/env bash
# signal_stop.sh: SIGINT and SIGTERM during a headless run that writes a
# movie and a weight history. The run stops at the next step, finishes both
# files (so what was trained is kept), removes its temporary files, and
# exits 130 (SIGINT) or 143 (SIGTERM). A second signal while the first is
# being handled gives up at once and still leaves no temporary file.
#
#   tests/signal_stop.sh path/to/learnfilter [python3-with-numpy-and-PIL]
#
# The signal is sent once the movie's temporary file holds frames drawn by
# the training loop (bounded by that work, not by a fixed sleep); a poll
# limit only guards against a hang.
set -u
. "$(dirname "$0")/e2e_common.sh"
e2e_setup signal "${1:?usage: signal_stop.sh LEARNFILTER [PYTHON]}"
python=${2:-}

# An 8x8 gradient: one patch, so every step is an epoch and the run would go
# on until --max-seconds (a guard far beyond the test) without the signal.
# The program's own --apply makes the PNG.
printf '0 0.1 0.2 0.3 0.4 0.5 0.6 0.7\n%.0s' 1 2 3 4 5 6 7 8 >"$work/grid.txt"
"$bin" --apply mean:1 --images "$work/grid.txt" --output "$work/one.png" 2>/dev/null ||
  { echo "cannot make the test image"; exit 1; }

# wait_for_frames DIR: until a *.gif.tmp-* file in DIR is past 8 KiB, i.e.
# the loop has added frames after the first.
wait_for_frames() {
  local polls=0
  while [ "$polls" -lt 6000 ]; do
    for f in "$1"/*.gif.tmp-*; do
      if [ -f "$f" ] && [ "$(stat -c %s "$f" 2>/dev/null || echo 0)" -gt 8192 ]; then
        return 0
      fi
    done
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    polls=$((polls + 1))
    sleep 0.02
  done
  return 1
}

# run_and_signal NAME SIGNALS...: starts a run in $work/NAME, waits for its
# frames, sends the signals (stopping the process first when there are two,
# so both are pending together), and leaves the exit code in $code.
run_and_signal() {
  local name=$1
  shift
  mkdir "$work/$name"
  "$bin" --headless --images "$work/one.png" --size 8 --tol 1e-30 --max-seconds 600 \
    --weights-out "$work/$name/w.npy" --gif "$work/$name/m.gif" \
    >"$work/$name/out" 2>"$work/err" &
  pid=$!
  if ! wait_for_frames "$work/$name"; then
    fail "$name: the run never wrote frames"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    code=-1
    return
  fi
  if [ $# -gt 1 ]; then
    kill -STOP "$pid"
    for s in "$@"; do kill "-$s" "$pid"; done
    kill -CONT "$pid"
  else
    kill "-$1" "$pid"
  fi
  wait "$pid"
  code=$?
}

# check_kept NAME: both files complete and readable, no temporary left.
check_kept() {
  local name=$1
  local left
  left=$(ls -A "$work/$name" | grep -F '.tmp' || true)
  [ -z "$left" ] || fail "$name: temporary files left: $left"
  [ -s "$work/$name/w.npy" ] || { fail "$name: no w.npy"; return; }
  [ -s "$work/$name/m.gif" ] || { fail "$name: no m.gif"; return; }
  local steps
  steps=$(sed -n 's/.*"steps": \([0-9]*\),.*/\1/p' "$work/$name/out")
  [ "${steps:-0}" -gt 0 ] || fail "$name: the JSON line has no steps: $(cat "$work/$name/out")"
  if [ -n "$python" ]; then
    "$python" - "$work/$name/w.npy" "$work/$name/m.gif" "${steps:-0}" <<'PY' || fail "$name: files not valid"
import sys
import numpy as np
from PIL import Image
w = np.load(sys.argv[1])
assert w.ndim == 3 and w.shape[1:] == (3, 3) and w.shape[0] >= 1, w.shape
assert np.isfinite(w).all()
g = Image.open(sys.argv[2])
assert g.format == "GIF" and g.n_frames >= 2, g.n_frames
PY
  else
    head -c 6 "$work/$name/w.npy" | grep -q NUMPY || fail "$name: w.npy is not a .npy file"
    head -c 6 "$work/$name/m.gif" | grep -q GIF89a || fail "$name: m.gif is not a GIF"
  fi
}

run_and_signal int INT
if [ "$code" -ne 130 ]; then
  fail "SIGINT -> exit $code, expected 130"
elif ! grep -qF "interrupted (SIGINT) at step" "$work/err"; then
  fail "SIGINT -> no message"
else
  check_kept int && echo "ok   SIGINT: exit 130, files finished, no temporaries"
fi

run_and_signal term TERM
if [ "$code" -ne 143 ]; then
  fail "SIGTERM -> exit $code, expected 143"
elif ! grep -qF "terminated (SIGTERM) at step" "$work/err"; then
  fail "SIGTERM -> no message"
else
  check_kept term && echo "ok   SIGTERM: exit 143, files finished, no temporaries"
fi

# Two signals at once: the second gives up without finishing, and removes
# the movie's temporary file on its way out.
run_and_signal twice INT TERM
left=$(ls -A "$work/twice" | grep -F '.tmp' || true)
if [ "$code" -ne 143 ] && [ "$code" -ne 130 ]; then
  fail "two signals -> exit $code, expected 130 or 143"
elif [ -n "$left" ]; then
  fail "two signals -> temporary files left: $left"
else
  echo "ok   two signals: exit $code, no temporaries"
fi

e2e_finish
