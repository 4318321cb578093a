#!/usr/bin/env bash
# --race headless, end to end: one JSON object with the second run's
# figures under "race" (the same keys as the first's), the winner, the same
# figures when the race changes nothing (one gray filter and a layer), and
# refusals (exit 2, one line that lists what a race may change).
set -euo pipefail
bin=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--headless --images "$data" --size 64 --threads 1)

# Another optimizer, to the tolerance (bounded by steps, never by time).
"$bin" "${common[@]}" --tol 0.05 --steps 20000 --race '--optimizer adam --lr 0.01' \
  >"$tmp/adam.json" 2>"$tmp/adam.err"
# The first run's own settings: bit for bit the same figures.
"$bin" "${common[@]}" --steps 300 --race '--optimizer sgd --lr 0.01 --batch 4' \
  >"$tmp/same.json" 2>"$tmp/same.err"
# The same for a layer (colour, two filters, ReLU, pooling).
"$bin" "${common[@]}" --color --kernel sobel-x,sobel-y --activation relu --pool 2 --steps 100 \
  --race '--optimizer sgd --lr 0.01 --batch 4' >"$tmp/layer.json" 2>"$tmp/layer.err"

/usr/bin/python3 - "$tmp/adam.json" "$tmp/same.json" "$tmp/layer.json" <<'PY'
import json, sys
adam = json.load(open(sys.argv[1]))
same = json.load(open(sys.argv[2]))
layer = json.load(open(sys.argv[3]))
for run in (adam, same, layer):
    race = run["race"]
    first_keys = [k for k in run if k != "race" and not k.startswith("race_")]
    assert first_keys == list(race), (first_keys, list(race))
    for k in ("race_differs", "race_winner", "race_lead_steps", "race_winner_seconds",
              "race_lead_s"):
        assert k in run, k
    assert run["seed"] == race["seed"] and run["patches"] == race["patches"]
assert adam["optimizer"] == "sgd" and adam["race"]["optimizer"] == "adam"
assert adam["race"]["lr"] == 0.01 and adam["race_differs"] == "Adam lr 0.01", adam["race_differs"]
# The winner is the run that reached the tolerance in fewer steps.
c1, c2 = adam["converged_step"], adam["race"]["converged_step"]
assert c2 is not None, "Adam at lr 0.01 reaches 5% within 20,000 steps"
expected = "race" if c1 is None or c2 < c1 else "first" if c1 < c2 else "tie"
assert adam["race_winner"] == expected, (adam["race_winner"], c1, c2)
if c1 is not None:
    assert adam["race_lead_steps"] == abs(c1 - c2)
assert same["race_differs"] == "nothing", same["race_differs"]
for k in ("steps", "epochs", "loss", "train_loss", "val_loss", "rel_err"):
    assert same[k] == same["race"][k], (k, same[k], same["race"][k])
assert same["steps"] == 300
assert layer["race_differs"] == "nothing", layer["race_differs"]
assert layer["filters"] == layer["race"]["filters"] == 2 and layer["pool"] == 2, layer
for k in ("steps", "loss", "rel_err", "rel_err_per_filter"):
    assert layer[k] == layer["race"][k], (k, layer[k], layer["race"][k])
assert layer["steps"] == 100, layer
print("race JSON ok:", adam["race_differs"], "steps to 5%:", c1, "vs", c2)
PY

# Refusals: exit 2, one line naming the option and what a race may change.
for bad in "--kernel smiley" "--images $data" "--headless" "--seed 3" "--race --lr" \
           "--weights-out w.npy" "--noise 0.1"; do
  set +e
  "$bin" "${common[@]}" --steps 10 --race "$bad" >"$tmp/out" 2>"$tmp/err"
  code=$?
  set -e
  name=${bad%% *}
  [ "$code" = 2 ] || { echo "--race '$bad': exit $code, expected 2"; exit 1; }
  [ ! -s "$tmp/out" ] || { echo "--race '$bad': printed on stdout"; exit 1; }
  [ "$(wc -l <"$tmp/err")" = 1 ] || { echo "--race '$bad': not one line"; cat "$tmp/err"; exit 1; }
  grep -q -- "$name" "$tmp/err" || { echo "--race '$bad': message lacks $name"; exit 1; }
  grep -q -- "may change --optimizer, --lr" "$tmp/err" || { echo "--race '$bad': no list"; exit 1; }
done
set +e
"$bin" "${common[@]}" --gif "$tmp/a.gif" --race '--lr 0.1' >/dev/null 2>"$tmp/err"
code=$?
set -e
[ "$code" = 2 ] && grep -q -- "--gif: not with --race" "$tmp/err" || { echo "--gif with --race"; exit 1; }
[ ! -e "$tmp/a.gif" ] || { echo "--gif with --race left a file"; exit 1; }
echo "race_e2e: all passed"
