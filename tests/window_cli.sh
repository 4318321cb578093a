#!/usr/bin/env bash
# window_cli.sh: what the program says before any window opens, as a
# terminal shows it: no display reachable, a near-miss name, a headless run
# stopped by --max-seconds short of --tol; and the one window figure a
# headless run also gives, the noisy best filter's distance.
#
#   tests/window_cli.sh path/to/learnfilter path/to/data
set -u
bin=${1:?usage: window_cli.sh LEARNFILTER DATA_DIR}
data=${2:?usage: window_cli.sh LEARNFILTER DATA_DIR}
work=$(mktemp -d /tmp/lf-window-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  echo "  stderr: $(cat "$work/err")"
  failures=$((failures + 1))
}

# check CODE LINE: the last command's exit code and its whole stderr.
check() {
  local got=$1 code=$2 line=$3 what=$4
  if [ "$got" -ne "$code" ]; then
    fail "$what -> exit $got, expected $code"
  elif [ "$(cat "$work/err")" != "$line" ]; then
    fail "$what -> stderr is not: $line"
  fi
}

# No X, no Wayland, no driver chosen: say so and point at --headless.
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$bin" --frames 1 >"$work/out" 2>"$work/err"
check $? 2 "learnfilter: no display found (DISPLAY and WAYLAND_DISPLAY are not set): use --headless to train without a window" "no display"
# An empty DISPLAY is no display either.
env -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER DISPLAY= "$bin" --frames 1 >"$work/out" 2>"$work/err"
check $? 2 "learnfilter: no display found (DISPLAY and WAYLAND_DISPLAY are not set): use --headless to train without a window" "empty DISPLAY"
# A driver the user chose is used as it is (the tests' dummy driver).
env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=dummy "$bin" --frames 2 --paused \
  --images "$data/camera.jpg" --size 64 >"$work/out" 2>"$work/err"
check $? 0 "" "dummy driver"
# --headless needs no display.
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$bin" --headless --steps 3 \
  --images "$data/camera.jpg" --size 64 >"$work/out" 2>"$work/err"
[ $? -eq 0 ] || fail "headless without a display"

# Names without case, and near misses.
"$bin" --HEADLESS --Kernel SOBEL-Y --steps 2 --images "$data/camera.jpg" --size 64 \
  >"$work/out" 2>"$work/err"
[ $? -eq 0 ] && grep -q '"kernel": "sobel-y"' "$work/out" || fail "--Kernel SOBEL-Y"
"$bin" --headless --kernel sobelx >"$work/out" 2>"$work/err"
check $? 3 "learnfilter: sobelx: not a built-in kernel (see --list-kernels) and no such file; did you mean sobel-x?" "sobelx"
"$bin" --headless --kernal sobel-x >"$work/out" 2>"$work/err"
check $? 2 "learnfilter: --kernal: unknown option; did you mean --kernel?" "--kernal"
"$bin" --speed fast >"$work/out" 2>"$work/err"
check $? 2 "learnfilter: --speed: 'fast' is not a number of steps per second, or max" "--speed fast"

# --max-seconds ends the run short of --tol: one sentence says so. A step
# limit would not do here: the sentence is about the time limit.
"$bin" --headless --kernel smiley --tol 0.01 --max-seconds 0.001 --images "$data/camera.jpg" \
  --size 64 >"$work/out" 2>"$work/err"
got=$?
last=$(tail -n 1 "$work/err")
if [ "$got" -ne 1 ]; then
  fail "--max-seconds short of --tol -> exit $got, expected 1"
elif ! printf '%s\n' "$last" | grep -Eq '^learnfilter: --max-seconds 0\.001 ran out at step [0-9]+ with the kernel error at [0-9.]+%, short of --tol 1%$'; then
  fail "--max-seconds short of --tol -> last line: $last"
fi

# Noisy inputs: the window says how far the best linear filter is from the
# kernel (under the learned - true panel), the same figure the headless
# JSON gives, to the digits shown.
SDL_VIDEODRIVER=dummy "$bin" --frames 3 --paused --noise 0.1 --images "$data/camera.jpg" \
  --size 64 --layout-out "$work/layout.json" >"$work/out" 2>"$work/err"
[ $? -eq 0 ] || fail "window with --noise"
"$bin" --headless --steps 1 --noise 0.1 --images "$data/camera.jpg" --size 64 \
  >"$work/json" 2>"$work/err" || fail "headless with --noise"
/usr/bin/python3 - "$work/layout.json" "$work/json" <<'PY' || fail "--noise caption"
import json, sys
texts = [t["text"] for t in json.load(open(sys.argv[1]))["texts"]]
run = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
best = 100 * run["best_rel_err_to_kernel"]
shown = [t for t in texts if "with noise, best" in t or "(best " in t]
assert shown, texts
figure = shown[0].split("best ")[-1].split("%")[0]
assert abs(float(figure) - best) <= 0.051 * max(1, best / 10), (shown, best)
PY

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all window_cli checks passed"
