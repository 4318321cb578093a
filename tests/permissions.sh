#!/usr/bin/env bash
# permissions.sh: an unreadable image, kernel or subfolder and an unwritable
# output folder, as an ordinary user meets them. Root reads and writes
# anything, and CI runs the tests as root, so as root the program is run as
# the unprivileged user `nobody` through setpriv (util-linux), in a folder
# that user may enter. Exits 77 (a ctest SKIP) only when running as root
# without setpriv.
#
#   tests/permissions.sh LEARNFILTER DATA_DIR
set -u
bin=${1:?usage: permissions.sh LEARNFILTER DATA_DIR}
data=${2:?usage: permissions.sh LEARNFILTER DATA_DIR}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
data=$(cd "$data" && pwd)
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  if ! command -v setpriv >/dev/null; then
    echo "SKIP: running as root and setpriv (util-linux) is missing"
    exit 77
  fi
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
work=$(mktemp -d /tmp/lf-perm-XXXXXX)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work" || exit 1
# A copy the user can surely run: the build folder may lie under a home
# folder that user cannot enter.
cp "$bin" "$work/learnfilter" && chmod 755 "$work/learnfilter"
bin=$work/learnfilter
failures=0
fail() {
  echo "FAIL: $*"
  echo "  stderr: $(cat "$work/err")"
  failures=$((failures + 1))
}

# run ARGS...: the program as the unprivileged user; stdout to out, stderr
# to err (both written by this shell, which may be root).
run() {
  timeout 120 "${as_user[@]}" "$bin" "$@" >"$work/out" 2>"$work/err"
}

expect() {
  local code=$1 text=$2
  shift 2
  run "$@"
  local got=$?
  if [ "$got" -ne "$code" ]; then
    fail "$* -> exit $got, expected $code"
  elif [ "$(wc -l <"$work/err")" -ne 1 ]; then
    fail "$* -> not exactly one line on stderr"
  elif ! grep -qF -- "$text" "$work/err"; then
    fail "$* -> stderr does not contain '$text'"
  else
    echo "ok   exit $code  $*"
  fi
}

# The user owns nothing here: every file is root's (or this user's) and
# readable by all, except the ones made unreadable on purpose.
"$bin" --apply mean:1 --images "$data/camera.jpg" --output photo.png 2>/dev/null
printf '1 0 -1\n2 0 -2\n1 0 -1\n' >k.txt
cp photo.png locked.png
cp k.txt locked.txt
chmod 644 photo.png k.txt
chmod 000 locked.png locked.txt
mkdir -p mixed/hidden ro
cp photo.png mixed/good.png
cp photo.png mixed/bad.png
cp photo.png mixed/hidden/deep.png
chmod 000 mixed/bad.png mixed/hidden
chmod 755 mixed ro
# As root, `ro` is not writable by `nobody` already; as a user, remove the
# write permission.
[ "$(id -u)" -eq 0 ] || chmod 555 ro
small=(--size 256 --steps 2)

expect 3 "locked.png: cannot open: Permission denied" --headless --images locked.png "${small[@]}"
expect 3 "locked.txt: cannot open: Permission denied" --headless --images photo.png \
  --kernel locked.txt "${small[@]}"
expect 3 "locked.png: cannot open: Permission denied" --apply mean:3 --images locked.png
expect 3 "--weights-out: ro/w.npy: cannot write: Permission denied" \
  --headless --images photo.png "${small[@]}" --weights-out ro/w.npy
expect 3 "--gif: ro/m.gif: cannot write: Permission denied" \
  --headless --images photo.png "${small[@]}" --gif ro/m.gif
expect 3 "--output: ro/out.png: cannot write: Permission denied" \
  --apply mean:3 --images photo.png --output ro/out.png
[ -z "$(ls -A ro)" ] || fail "files left in the read-only folder: $(ls -A ro)"

# Inside a folder an unreadable image is skipped with a warning and an
# unreadable subfolder is passed over; the readable photo trains.
run --headless --images mixed "${small[@]}"
code=$?
if [ "$code" -ne 0 ]; then
  fail "folder with an unreadable image -> exit $code, expected 0"
elif ! grep -qF "warning: skipped mixed/bad.png: cannot open: Permission denied" err; then
  fail "folder with an unreadable image -> no warning naming it"
elif ! grep -qF '"patches": 4,' out; then
  fail "folder with an unreadable image -> not the 4 patches of the one readable photo"
else
  echo "ok   exit 0  folder with an unreadable image and an unreadable subfolder"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures checks failed"
  exit 1
fi
echo "all checks passed"
