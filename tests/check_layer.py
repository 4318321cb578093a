"""Runs `learnfilter --headless` on a layer and checks what it writes with
NumPy, sharing nothing with the program's code:

  - --color --kernel sobel-x,sobel-y --activation relu --pool 2 converges
    below 5% kernel error within a bounded number of steps, each filter
    too, and the learned weights (the last --weights-out snapshot) match
    the true bank built here: Sobel x and y spread over R, G, B with the
    luma weights;
  - the JSON's layer fields; the .npy shapes: --weights-out
    (snapshots, F, C, h, w), --dump-patches (n, C, H, W), its initial and
    true weights (F, C, h, w), and a gray run's (n, H, W) patches, which
    are the luma of the colour ones;
  - a gray bank with --engine gram and --engine direct: the same steps
    give the same weights within float rounding;
  - stride: the engine auto picks, the refusals (--engine gram with an
    activation, a bank of two sizes, the window with a layer).

Usage: check_layer.py LEARNFILTER_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("skipped: needs Debian's python3-numpy")
    sys.exit(77)

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_Y = SOBEL_X.T
LUMA = np.array([0.299, 0.587, 0.114])


def run(binary, args, expect=0):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    r = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=env)
    assert r.returncode == expect, (args, r.returncode, r.stderr)
    if expect != 0:
        return r.stderr
    return json.loads(r.stdout)


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def check_colour_bank(binary, tmp):
    weights = os.path.join(tmp, "w.npy")
    dump = os.path.join(tmp, "p.npy")
    max_steps = 40000
    j = run(binary, ["--headless", "--color", "--kernel", "sobel-x,sobel-y",
                     "--activation", "relu", "--pool", "2", "--size", "32",
                     "--optimizer", "adam", "--lr", "0.01", "--tol", "0.05",
                     "--steps", str(max_steps), "--threads", "2",
                     "--weights-out", weights, "--dump-patches", dump])
    assert j["filters"] == 2 and j["channels"] == 3, j
    assert j["stride"] == 1 and j["pool"] == 2 and j["activation"] == "relu", j
    assert j["engine"] == "direct", j
    assert j["kernel_h"] == 3 and j["kernel_w"] == 3, j
    assert j["converged"] is True and j["rel_err"] < 0.05, j
    assert j["steps"] <= max_steps, j
    per = j["rel_err_per_filter"]
    assert len(per) == 2 and all(e < 0.1 for e in per), per

    bank = np.stack([np.stack([k * c for c in LUMA]) for k in (SOBEL_X, SOBEL_Y)])
    history = np.load(weights)
    assert history.shape[1:] == (2, 3, 3, 3), history.shape
    assert history.shape[0] >= 2, history.shape
    last = history[-1].astype(np.float64)
    assert rel(last, bank) < 0.05, rel(last, bank)
    assert abs(rel(last, bank) - j["rel_err"]) < 1e-4, (rel(last, bank), j["rel_err"])
    for f in range(2):
        assert abs(rel(last[f], bank[f]) - per[f]) < 1e-4, (f, rel(last[f], bank[f]), per[f])
    # The first snapshot is an epoch's end, far from the answer.
    assert rel(history[0].astype(np.float64), bank) > 0.1

    patches = np.load(dump)
    assert patches.shape == (j["patches"], 3, 32, 32), patches.shape
    assert not np.allclose(patches[:, 0], patches[:, 2])  # colour, not gray copies
    true = np.load(dump[:-4] + "-target.npy")
    assert true.shape == (2, 3, 3, 3), true.shape
    assert np.allclose(true, bank, atol=1e-6)
    init = np.load(dump[:-4] + "-init.npy")
    assert init.shape == (2, 3, 3, 3), init.shape
    assert rel(init.astype(np.float64), bank) > 0.5
    order = np.load(dump[:-4] + "-order.npy")
    assert order.shape[1] == j["train_patches"], order.shape

    # The same photographs in gray, same size and seed: the same patches in
    # the same order, each the luma of its colour planes.
    gray_dump = os.path.join(tmp, "g.npy")
    g = run(binary, ["--headless", "--kernel", "sobel-x", "--size", "32", "--steps", "1",
                     "--dump-patches", gray_dump])
    gray = np.load(gray_dump)
    assert gray.shape == (g["patches"], 32, 32) and g["patches"] == j["patches"], gray.shape
    luma = np.tensordot(LUMA, patches.astype(np.float64), axes=([0], [1]))
    assert np.abs(luma - gray).max() < 1e-5, np.abs(luma - gray).max()
    print("colour bank: %d steps to %.4f (filters %s)" % (j["steps"], j["rel_err"], per))


def check_engines_agree(binary, tmp):
    out = {}
    for engine in ("gram", "direct"):
        path = os.path.join(tmp, engine + ".npy")
        j = run(binary, ["--headless", "--kernel", "sobel-x,laplacian", "--size", "64",
                         "--steps", "300", "--lr", "0.05", "--engine", engine,
                         "--weights-out", path,
                         "--threads", "2"])
        assert j["engine"] == engine and j["filters"] == 2 and j["channels"] == 1, j
        out[engine] = (j, np.load(path))
    (jg, wg), (jd, wd) = out["gram"], out["direct"]
    assert jd["rel_err"] < 0.8, jd  # they learned something, from about 1
    assert wg.shape == wd.shape and wg.shape[1:] == (2, 1, 3, 3), wg.shape
    assert rel(wg[-1].astype(np.float64), wd[-1].astype(np.float64)) < 1e-4
    assert abs(jg["rel_err"] - jd["rel_err"]) < 1e-4 * jd["rel_err"], (jg, jd)
    assert abs(jg["loss"] - jd["loss"]) <= 1e-3 * jd["loss"], (jg["loss"], jd["loss"])
    print("gram and direct agree on a gray bank: rel_err %.6f / %.6f" %
          (jg["rel_err"], jd["rel_err"]))


def check_stride_and_refusals(binary, tmp):
    # A linear layer at stride 2 trains on the statistics; with pooling or
    # an activation on the direct engine.
    j = run(binary, ["--headless", "--kernel", "sobel-x", "--stride", "2", "--size", "32",
                     "--steps", "50"])
    assert j["stride"] == 2 and j["engine"] == "gram" and j["filters"] == 1, j
    j = run(binary, ["--headless", "--kernel", "sobel-x", "--stride", "2", "--pool", "2",
                     "--size", "32", "--steps", "50"])
    assert j["pool"] == 2 and j["engine"] == "direct", j
    # one gray filter keeps today's weight history shape
    path = os.path.join(tmp, "one.npy")
    j = run(binary, ["--headless", "--kernel", "sobel-x", "--size", "32", "--steps", "30",
                     "--weights-out", path])
    assert np.load(path).shape[1:] == (3, 3) and j["rel_err_per_filter"] == [j["rel_err"]], j
    err = run(binary, ["--headless", "--kernel", "sobel-x", "--activation", "tanh",
                       "--engine", "gram", "--size", "32", "--steps", "5"], expect=2)
    assert "gram" in err and "tanh" in err, err
    err = run(binary, ["--headless", "--kernel", "sobel-x", "--stride", "9"], expect=2)
    assert "--stride" in err, err
    err = run(binary, ["--headless", "--kernel", "sobel-x", "--activation", "swish"], expect=2)
    assert "--activation" in err, err
    err = run(binary, ["--headless", "--kernel", "sobel-x,smiley", "--steps", "1"], expect=3)
    assert "one size" in err, err
    # A layer's state is saved whole, as format version 2 (state_roundtrip.sh
    # resumes it).
    state_path = os.path.join(tmp, "s.lfstate")
    j = run(binary, ["--headless", "--kernel", "sobel-x", "--pool", "2", "--size", "32",
                     "--steps", "5", "--save-state", state_path])
    assert j["steps"] == 5, j
    with open(state_path, "rb") as f:
        header = f.read(12)
    assert header[:8] == b"LFSTATE\0" and int.from_bytes(header[8:12], "little") == 2, header
    # The window shows a layer of up to 8 filters; more are refused with the reason.
    err = run(binary, ["--color", "--kernel", ",".join(["sobel-x"] * 9), "--frames", "1"],
              expect=2)
    assert "--headless" in err and "up to 8 filters" in err and "has 9" in err, err
    j = run(binary, ["--color", "--kernel", "sobel-x,sobel-y", "--size", "32", "--frames", "2",
                     "--stats"])
    assert j["frames"] == 2, j
    # A .npy bank of (F, h, w) without --color.
    bank_path = os.path.join(tmp, "bank.npy")
    np.save(bank_path, np.stack([SOBEL_X, SOBEL_Y, -SOBEL_X]).astype(np.float32))
    j = run(binary, ["--headless", "--kernel", bank_path, "--size", "32", "--steps", "5"])
    assert j["filters"] == 3 and j["channels"] == 1, j
    # With --color a 3-D array is one filter's (3, h, w): three planes fit.
    j = run(binary, ["--headless", "--color", "--kernel", bank_path, "--size", "32",
                     "--steps", "5"])
    assert j["filters"] == 1 and j["channels"] == 3, j
    two_path = os.path.join(tmp, "two.npy")
    np.save(two_path, np.stack([SOBEL_X, SOBEL_Y]).astype(np.float32))
    err = run(binary, ["--headless", "--color", "--kernel", two_path, "--steps", "5"], expect=3)
    assert "2 channels" in err, err
    print("stride, .npy bank and refusals: ok")


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        check_stride_and_refusals(binary, tmp)
        check_engines_agree(binary, tmp)
        check_colour_bank(binary, tmp)
    print("ok")


if __name__ == "__main__":
    main()
