"""Writes spectrum_reference.txt and eigen_reference.txt for
tests/test_spectrum.c and tests/test_gramspec.c.

Independent of learnfilter's code: spectra come from NumPy's FFT
(numpy.fft.fft2, numpy.fft.fftshift), eigen-decompositions from
numpy.linalg.eigh (LAPACK). The inputs are written with the results, so the
C tests read both from the file.

Sections are "name rows cols" followed by rows lines of cols numbers.

Run with Debian's python3 (python3-numpy):
    /usr/bin/python3 tests/reference/make_spectrum_reference.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def section(out, name, a):
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    out.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        out.write(" ".join("%.17g" % v for v in row) + "\n")


def kernel_magnitude(k, size):
    padded = np.zeros((size, size))
    padded[: k.shape[0], : k.shape[1]] = k
    return np.abs(np.fft.fftshift(np.fft.fft2(padded)))


def radial(power, bins):
    h, w = power.shape
    fy = (np.arange(h) - h // 2) / h
    fx = (np.arange(w) - w // 2) / w
    r = np.sqrt(fy[:, None] ** 2 + fx[None, :] ** 2)
    b = np.floor(r * 2.0 * bins).astype(int)
    return [power[b == i].mean() for i in range(bins)]


def spectra():
    rng = np.random.default_rng(20261202)
    # float32 values, as the C side holds them, so both transform the same numbers
    kernel = rng.uniform(-1, 1, (3, 5)).astype(np.float32).astype(np.float64)
    learned = (kernel + rng.uniform(-0.1, 0.1, (3, 5))).astype(np.float32).astype(np.float64)
    patches = rng.uniform(0, 1, (2, 6, 8)).astype(np.float32).astype(np.float64)
    power = np.mean([np.abs(np.fft.fft2(p)) ** 2 for p in patches], axis=0) / (6 * 8) ** 2
    power = np.fft.fftshift(power)
    with open(os.path.join(HERE, "spectrum_reference.txt"), "w") as out:
        section(out, "kernel", kernel)
        section(out, "learned", learned)
        section(out, "kernel_magnitude_8", kernel_magnitude(kernel, 8))
        section(out, "kernel_magnitude_7", kernel_magnitude(kernel, 7))
        section(out, "difference_magnitude_8", kernel_magnitude(learned - kernel, 8))
        section(out, "patch0", patches[0])
        section(out, "patch1", patches[1])
        section(out, "photo_power", power)
        section(out, "photo_radial_3", [radial(power, 3)])


def eigen():
    rng = np.random.default_rng(7)
    with open(os.path.join(HERE, "eigen_reference.txt"), "w") as out:
        # A plain symmetric matrix, and a Gram-like one whose eigenvalues span
        # nine decades, as a photo's do between low and high frequencies.
        m = rng.normal(size=(6, 6))
        a = (m + m.T) / 2
        q, _ = np.linalg.qr(rng.normal(size=(9, 9)))
        b = q @ np.diag(np.logspace(0, -9, 9)) @ q.T
        b = (b + b.T) / 2
        for name, x in (("plain", a), ("graded", b)):
            values, vectors = np.linalg.eigh(x)
            order = np.argsort(values)[::-1]
            values, vectors = values[order], vectors[:, order].T
            # Signs are arbitrary: make each vector's largest entry positive.
            for v in vectors:
                if v[np.argmax(np.abs(v))] < 0:
                    v *= -1
            section(out, name + "_matrix", x)
            section(out, name + "_values", [values])
            section(out, name + "_vectors", vectors)


spectra()
eigen()
