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
. "$(dirname "$0")/e2e_common.sh"
e2e_setup perm "${1:?usage: permissions.sh LEARNFILTER DATA_DIR}"
data=$(e2e_abs "${2:?usage: permissions.sh LEARNFILTER DATA_DIR}")
if [ "$(id -u)" -eq 0 ]; then
  if ! command -v setpriv >/dev/null; then
    echo "SKIP: running as root and setpriv (util-linux) is missing"
    exit 77
  fi
  e2e_runner=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
chmod 755 "$work"
cd "$work" || exit 1
# A copy the user can surely run: the build folder may lie under a home
# folder that user cannot enter.
cp "$bin" "$work/learnfilter" && chmod 755 "$work/learnfilter"
bin=$work/learnfilter

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
e2e_run --headless --images mixed "${small[@]}"
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

e2e_finish
