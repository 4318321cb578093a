"""Writes target_reference.txt: the operations built on a kernel, |K * I|
and sqrt((K * I)^2 + (K^T * I)^2), computed with SciPy, for
tests/test_target.c.

Independent of learnfilter's code: correlations come from
scipy.ndimage.correlate with zero padding, the kernels are written out
here, and 'valid' padding and stride are NumPy slicing of the stride-1
result.

Run with Debian's python3 (python3-numpy, python3-scipy):
    /usr/bin/python3 tests/reference/make_target_reference.py
"""
import os

import numpy as np
import scipy.ndimage as nd

HERE = os.path.dirname(os.path.abspath(__file__))
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)


def correlate(image, kernel):
    return nd.correlate(image, kernel, mode="constant", cval=0.0)


def once(image, kind, kernel, stride, padding):
    a = correlate(image, kernel)
    if kind == "abs":
        full = np.abs(a)
    else:
        full = np.hypot(a, correlate(image, kernel.T))
    if padding == "valid":
        before, after = (kernel.shape[0] - 1) // 2, kernel.shape[0] // 2
        full = full[before:full.shape[0] - after, before:full.shape[1] - after]
    return full[::stride, ::stride]


def matrix(m):
    return ["%d %d" % m.shape, " ".join("%.9g" % v for v in m.ravel())]


def main():
    rng = np.random.default_rng(23)
    image = rng.uniform(0, 1, size=(10, 13))
    # A 5x5 kernel with no symmetry, so a transposed or flipped kernel
    # would show.
    random5 = np.round(rng.uniform(-1, 1, size=(5, 5)), 3)
    lines = matrix(image) + ["random5"] + matrix(random5)
    cases = 0
    for name, kernel in (("sobel-x", SOBEL_X), ("random5", random5)):
        for kind in ("abs", "gradient"):
            for stride in (1, 2):
                for padding in ("same", "valid"):
                    lines.append("%s %s %d %s" % (kind, name, stride, padding))
                    lines += matrix(once(image, kind, kernel, stride, padding))
                    cases += 1
    with open(os.path.join(HERE, "target_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d cases" % cases)


if __name__ == "__main__":
    main()
