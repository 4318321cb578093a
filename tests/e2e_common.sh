# e2e_common.sh: what the end-to-end scripts share, sourced by each (bash).
#
#   . "$(dirname "$0")/e2e_common.sh"
#   e2e_setup NAME PROGRAM    # $bin, $work, $failures; cd-free
#   expect 3 "the words" --headless ...
#   e2e_finish
#
# e2e_setup makes the work folder $work under /tmp, which any user may
# enter (removed on exit, with any permissions a test took away given back
# first), sets $bin to the program's absolute path (so a script may cd),
# and $failures to 0. Two
# arrays shape every run: e2e_runner (a command put before the program,
# e.g. setpriv) and e2e_args (options put before each run's own). Each run
# writes its stdout to $work/out and its stderr to $work/err; `timeout`
# turns a hang (a FIFO opened, a wait never ended) into a failure.

# e2e_abs PATH: PATH made absolute (its folder must exist).
e2e_abs() {
  printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"
}

# e2e_setup NAME PROGRAM
e2e_setup() {
  bin=$(e2e_abs "${2:?e2e_setup NAME PROGRAM}")
  work=$(mktemp -d "/tmp/lf-$1-XXXXXX") || exit 1
  trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
  failures=0
  e2e_runner=()
  e2e_args=()
  export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
}

# fail WHAT: counts a failure and shows the last run's stderr.
fail() {
  echo "FAIL: $*"
  [ -f "$work/err" ] && sed 's/^/  stderr: /' "$work/err"
  failures=$((failures + 1))
}

# e2e_run ARGS...: the program with e2e_runner and e2e_args; returns its
# exit code.
e2e_run() {
  timeout 120 "${e2e_runner[@]}" "$bin" "${e2e_args[@]}" "$@" >"$work/out" 2>"$work/err"
}

# expect CODE TEXT ARGS...: exit CODE and exactly one line on stderr, which
# contains TEXT.
expect() {
  local code=$1 text=$2
  shift 2
  e2e_run "$@"
  local got=$?
  local lines
  lines=$(wc -l <"$work/err")
  if [ "$got" -ne "$code" ]; then
    fail "$* -> exit $got, expected $code"
  elif [ "$lines" -ne 1 ]; then
    fail "$* -> $lines lines on stderr, expected 1"
  elif ! grep -qF -- "$text" "$work/err"; then
    fail "$* -> stderr does not contain '$text'"
  else
    echo "ok   exit $code  $*"
  fi
}

# expect_exit CODE WHAT ARGS...: exit CODE, whatever stderr says; the output
# stays in $work/out and $work/err for the checks that follow.
expect_exit() {
  local code=$1 what=$2
  shift 2
  e2e_run "$@"
  local got=$?
  if [ "$got" -ne "$code" ]; then
    fail "$what: exit $got, expected $code"
  fi
}

# expect_message WHAT WORDS: the last run's stderr says WORDS.
expect_message() {
  grep -qF -- "$2" "$work/err" || fail "$1: stderr does not say '$2'"
}

# e2e_finish: the verdict, as the exit code.
e2e_finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures checks failed"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
