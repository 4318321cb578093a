#!/usr/bin/env bash
# outputs_first.sh: an output that cannot be written is refused before any
# image is loaded. The images given here cannot be loaded (a cut JPEG, a
# folder of it and of a PNG whose header claims 60000x60000 pixels), so an
# image error would show had the program read them first; each run must
# instead end with exit 3 and one line on stderr naming the output, and
# nothing of the images (not even a warning about skipping one).
#
#   tests/outputs_first.sh path/to/learnfilter
set -u
bin=${1:?usage: outputs_first.sh LEARNFILTER}
work=$(mktemp -d /tmp/lf-outputs-first-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

printf '\377\330\377\340 cut short' >"$work/broken.jpg"
mkdir "$work/photos"
cp "$work/broken.jpg" "$work/photos/"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\352\140\0\0\352\140\010\000\0\0\0' >"$work/photos/huge.png"

# The images alone: an image error (the control: these images are bad).
for images in "$work/broken.jpg" "$work/photos"; do
  "$bin" --headless --images "$images" --size 64 2>"$work/err"
  code=$?
  [ "$code" -eq 3 ] || fail "images $images alone: exit $code, want 3"
  grep -q "broken.jpg" "$work/err" || fail "images $images alone: no image error: $(cat "$work/err")"
done

# expect OPTION PATH ARGS...: exit 3 and exactly the output's line.
expect() {
  local option=$1 path=$2
  shift 2
  "$bin" "$@" 2>"$work/err" >/dev/null
  local code=$?
  local want="learnfilter: $option: $path: cannot write: No such file or directory"
  [ "$code" -eq 3 ] || fail "$*: exit $code, want 3"
  [ "$(cat "$work/err")" = "$want" ] || fail "$*: said '$(cat "$work/err")', want '$want'"
}

for images in "$work/broken.jpg" "$work/photos"; do
  small=(--images "$images" --size 64)
  expect --weights-out "$work/nowhere/w.npy" --headless "${small[@]}" --weights-out "$work/nowhere/w.npy"
  expect --gif "$work/nowhere/m.gif" --headless "${small[@]}" --gif "$work/nowhere/m.gif"
  expect --dump-patches "$work/nowhere/p.npy" --headless "${small[@]}" --dump-patches "$work/nowhere/p.npy"
  expect --reel "$work/nowhere/r.gif" --headless "${small[@]}" --reel "$work/nowhere/r.gif"
  # The window: refused before it opens.
  expect --gif "$work/nowhere/m.gif" "${small[@]}" --frames 3 --gif "$work/nowhere/m.gif"
  expect --screenshot "$work/nowhere/s.png" "${small[@]}" --frames 3 --screenshot "$work/nowhere/s.png"
done
[ ! -e "$work/nowhere" ] || fail "the missing folder was made"

if [ "$failures" -ne 0 ]; then
  echo "outputs first: $failures failed" >&2
  exit 1
fi
echo "outputs first: all passed"
