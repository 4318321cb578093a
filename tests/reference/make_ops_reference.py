"""Writes ops_reference.txt: sliding-window operations computed with SciPy,
for tests/test_ops.c and the end-to-end test of --apply.

Independent of learnfilter's code: windows come from scipy.ndimage's
generic_filter over a NaN border (so only pixels inside the image take
part), correlations from scipy.ndimage.correlate with zero padding; stride
and 'valid' padding are NumPy slicing of that stride-1 result.

Run with Debian's python3 (python3-numpy, python3-scipy):
    /usr/bin/python3 tests/reference/make_ops_reference.py
"""
import os

import numpy as np
import scipy.ndimage as nd

HERE = os.path.dirname(os.path.abspath(__file__))
PLUS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)
LINE = np.array([[-1, 2, -1]] * 3, dtype=np.float64)


def lower_median(v):
    v = np.sort(v[~np.isnan(v)])
    return v[(len(v) - 1) // 2]


REDUCE = {
    "sum": np.nansum,
    "mean": np.nanmean,
    "max": np.nanmax,
    "min": np.nanmin,
    "median": lower_median,
}


def once(image, kind, window, stride, padding):
    if kind == "kernel":
        full = nd.correlate(image, LINE, mode="constant", cval=0.0)
        side = 3
    else:
        if window == "plus":
            footprint, side, origin = PLUS, 3, 0
        else:
            side = int(window)
            footprint = np.ones((side, side), dtype=bool)
            # An even window reaches (side-1)//2 before the centre and side//2
            # after it; SciPy's default is the other way round.
            origin = -1 if side % 2 == 0 else 0
        full = nd.generic_filter(image, REDUCE[kind], footprint=footprint, mode="constant",
                                 cval=np.nan, origin=origin)
    if padding == "valid":
        before, after = (side - 1) // 2, side // 2
        full = full[before:full.shape[0] - after, before:full.shape[1] - after]
    return full[::stride, ::stride]


def main():
    rng = np.random.default_rng(11)
    image = rng.integers(0, 10, size=(9, 11)).astype(np.float64)
    image[4, 5] = 0.5  # one non-integer, so means are not all thirds
    lines = ["%d %d" % image.shape, " ".join("%.9g" % v for v in image.ravel())]
    cases = []
    for kind in ("sum", "mean", "max", "min", "median"):
        for window in ("3", "4", "plus"):
            for stride in (1, 2, 3):
                for padding in ("same", "valid"):
                    cases.append((kind, window, stride, padding, 1))
        cases.append((kind, "3", 1, "same", 3))
        cases.append((kind, "plus", 2, "valid", 2))
    for stride in (1, 2):
        for padding in ("same", "valid"):
            cases.append(("kernel", "3", stride, padding, 1))
    for kind, window, stride, padding, repeat in cases:
        result = image
        for _ in range(repeat):
            result = once(result, kind, window, stride, padding)
        lines.append("%s %s %d %s %d" % (kind, window, stride, padding, repeat))
        lines.append("%d %d" % result.shape)
        lines.append(" ".join("%.9g" % v for v in result.ravel()))
    with open(os.path.join(HERE, "ops_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d cases" % len(cases))


if __name__ == "__main__":
    main()
