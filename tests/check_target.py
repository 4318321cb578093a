"""Runs `learnfilter --headless --target ...` and checks its JSON against
NumPy/SciPy: the best linear filter with bias over the training patches is
solved here by np.linalg.lstsq on the very patches the program trained on
(--dump-patches), with the operations computed by SciPy, sharing nothing
with the program's code.

  - median:3 trained to --tol 0.01: best_loss, the best filter's weights
    and bias, and the learned weights within 1% of that filter, whose loss
    over the training patches is not below best_loss;
  - gradient:sobel and abs:sobel-x: best_loss and target_mean_square;
  - a kernel as --target: its best filter is the kernel;
  - --noise with a kernel: the best filter moves away from the kernel;
  - the command-line refusals.

Usage: check_target.py LEARNFILTER_BINARY DATA_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import scipy.ndimage as nd
except ImportError:
    print("skipped: needs Debian's python3-numpy and python3-scipy")
    sys.exit(77)

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)


def run(binary, args, expect=0):
    r = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    assert r.returncode == expect, (args, r.returncode, r.stderr)
    if expect != 0:
        return r.stderr
    def refuse(name):
        raise ValueError("not JSON: " + name)
    return json.loads(r.stdout, parse_constant=refuse)


def median3(patch):
    """The 3x3 median over the pixels inside the image, the lower middle of
    an even count: the nine neighbours stacked (NaN outside), sorted, and
    the ((count - 1) // 2)-th of the values that are there."""
    h, w = patch.shape
    p = np.pad(patch, 1, constant_values=np.nan)
    stack = np.sort(np.stack([p[i:i + h, j:j + w] for i in range(3) for j in range(3)]), axis=0)
    count = np.sum(~np.isnan(stack), axis=0)  # NaN sorts last
    return np.take_along_axis(stack, ((count - 1) // 2)[None], axis=0)[0]


def operation(name, patch):
    if name == "median:3":
        return median3(patch)
    gx = nd.correlate(patch, SOBEL_X, mode="constant", cval=0.0)
    if name == "abs:sobel-x":
        return np.abs(gx)
    return np.hypot(gx, nd.correlate(patch, SOBEL_X.T, mode="constant", cval=0.0))


def design(patch):
    """Rows of X: the 3x3 window around each pixel (zeros outside) and a 1."""
    p = np.pad(patch, 1)
    h, w = patch.shape
    cols = [p[i:i + h, j:j + w].ravel() for i in range(3) for j in range(3)]
    return np.column_stack(cols + [np.ones(h * w)])


def best_fit(patches, name):
    x = np.vstack([design(p) for p in patches])
    t = np.concatenate([operation(name, p).ravel() for p in patches])
    theta = np.linalg.lstsq(x, t, rcond=None)[0]
    loss = np.mean((x @ theta - t) ** 2)
    return theta, loss, np.mean(t ** 2), x, t


def close(a, b, rel, what):
    assert abs(a - b) <= rel * abs(b), (what, a, b)


def main():
    binary, data = sys.argv[1], sys.argv[2]
    photo = ["--images", os.path.join(data, "camera.jpg"), "--size", "64", "--threads", "1"]
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "p.npy")
        weights = os.path.join(tmp, "w.npy")
        r = run(binary, ["--headless", "--target", "median:3", "--tol", "0.01",
                         "--steps", "200000", "--dump-patches", dump,
                         "--weights-out", weights] + photo)
        assert r["target"] == "median:3" and r["rel_err_to"] == "best linear filter", r
        assert r["kernel"] == "median:3" and r["kernel_h"] == 3 and r["engine"] == "direct", r
        assert r["converged"] and r["rel_err"] <= 0.01, r
        patches = np.load(dump).astype(np.float64)[:r["train_patches"]]
        theta, loss, power, x, t = best_fit(patches, "median:3")
        close(r["best_loss"], loss, 1e-3, "best_loss")
        close(r["target_mean_square"], power, 1e-4, "target_mean_square")
        assert abs(r["best_bias"] - theta[9]) < 1e-4, (r["best_bias"], theta[9])
        assert loss > 1e-3 * power  # a median is not linear
        reference = np.load(dump[:-4] + "-target.npy").astype(np.float64).ravel()
        assert np.linalg.norm(reference - theta[:9]) <= 1e-4 * np.linalg.norm(theta[:9])
        learned = np.load(weights)[-1].astype(np.float64).ravel()
        err = np.linalg.norm(learned - theta[:9]) / np.linalg.norm(theta[:9])
        assert err <= 0.0101, err
        # Whatever the bias, the learned kernel's loss is not below the floor.
        fixed = x[:, :9] @ learned
        bias = np.mean(t - fixed)
        assert np.mean((fixed + bias - t) ** 2) >= loss * (1 - 1e-6)

        for name in ("gradient:sobel", "abs:sobel-x"):
            r = run(binary, ["--headless", "--target", name, "--steps", "2"] + photo)
            theta, loss, power, _, _ = best_fit(patches, name)
            close(r["best_loss"], loss, 1e-3, name + " best_loss")
            close(r["target_mean_square"], power, 1e-4, name + " target_mean_square")
            assert r["best_rel_err_to_kernel"] is None, r

        # A kernel as the target: the best 3x3 filter is the kernel itself.
        r = run(binary, ["--headless", "--target", "sobel-x", "--steps", "2"] + photo)
        assert r["best_rel_err_to_kernel"] < 1e-4, r
        assert r["best_loss"] < 1e-6 * r["target_mean_square"], r  # rounding
        # The inverse crime undone: with noisy inputs it is not.
        r = run(binary, ["--headless", "--kernel", "sobel-x", "--noise", "0.05",
                         "--steps", "2"] + photo)
        assert r["target"] is None and r["rel_err_to"] == "kernel", r
        assert 0.01 < r["best_rel_err_to_kernel"] < 1, r
        assert r["best_loss"] > 0, r
        r = run(binary, ["--headless", "--kernel", "sobel-x", "--steps", "2"] + photo)
        assert r["best_loss"] is None and r["best_rel_err_to_kernel"] is None, r

        for args, words in (
                (["--kernel-size", "5x5"], "only with --target"),
                (["--target", "median:3", "--kernel", "sobel-x"], "not both"),
                (["--target", "median:3", "--kernel-size", "40x40"], "over 32x32"),
                (["--target", "median:3", "--kernel-size", "3y3"], "not HxW"),
                (["--target", "median:3", "--padding", "valid"], "makes 62x62"),
                (["--target", "mode:3"], "abs:K or gradient:K")):
            message = run(binary, ["--headless", "--steps", "1"] + args + photo, expect=2)
            assert words in message and message.count("\n") == 1, (args, message)
    print("ok")


if __name__ == "__main__":
    main()
