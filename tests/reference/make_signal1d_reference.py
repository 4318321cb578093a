"""Writes signal1d_reference.txt: the 1-D windows and normalised 'same'
convolutions of the notebook, made with SciPy and NumPy, for
tests/test_signal1d.c.

Independent of learnfilter's code: windows from scipy.signal.windows
(symmetric), the convolution from np.convolve(signal, kernel, 'same')
divided by the kernel's sum.

Run with Debian's python3 (python3-numpy, python3-scipy):
    /usr/bin/python3 tests/reference/make_signal1d_reference.py
"""
import os

import numpy as np
import scipy.signal.windows as windows

HERE = os.path.dirname(os.path.abspath(__file__))


def make(kind, taps, param):
    if kind == "hann":
        return windows.hann(taps)
    if kind == "exponential":
        return windows.exponential(taps, tau=param if param else 1.0)
    if kind == "flattop":
        return windows.flattop(taps)
    if kind == "box":
        return np.ones(taps)
    if kind == "gaussian":
        return windows.gaussian(taps, std=param if param else taps / 5.0)
    raise ValueError(kind)


def section(out, name, values):
    values = np.atleast_2d(values)
    out.write("%s %d %d\n" % (name, values.shape[0], values.shape[1]))
    for row in values:
        out.write(" ".join("%.9g" % v for v in row) + "\n")


def main():
    # The notebook's signal: 100 zeros, 100 ones, 100 zeros.
    signal = np.zeros(300)
    signal[100:200] = 1.0
    cases = [("hann", 10, 0), ("hann", 50, 0), ("hann", 100, 0), ("hann", 1, 0),
             ("exponential", 50, 0), ("exponential", 50, 8), ("flattop", 50, 0),
             ("box", 7, 0), ("gaussian", 50, 10), ("gaussian", 51, 0)]
    with open(os.path.join(HERE, "signal1d_reference.txt"), "w") as out:
        section(out, "step", signal)
        for kind, taps, param in cases:
            w = make(kind, taps, param)
            name = "%s_%d_%g" % (kind, taps, param)
            section(out, "window_" + name, w)
            section(out, "same_" + name, np.convolve(signal, w, "same") / w.sum())
        # A kernel longer than the signal, and one of even length that is
        # not symmetric, where flipping and centring show.
        short = np.array([0.0, 1.0, 3.0, 1.0, 0.0, 2.0, 0.5])
        ramp = np.array([1.0, 2.0, 0.5, 0.25])
        section(out, "short", short)
        section(out, "ramp", ramp)
        section(out, "same_short_ramp", np.convolve(short, ramp, "same") / ramp.sum())
        long_kernel = make("hann", 11, 0)
        section(out, "same_short_hann11", np.convolve(short, long_kernel, "same") / long_kernel.sum())


if __name__ == "__main__":
    main()
