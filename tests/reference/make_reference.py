#!/usr/bin/python3
"""Writes the reference cases tests/test_conv.c compares the convolution with.

The numbers come from SciPy and NumPy, not from learnfilter, so the test holds
the C code to an independent implementation. Run with Debian's python3 (which
has numpy and scipy) from anywhere; it rewrites conv_*.txt beside itself:

    /usr/bin/python3 tests/reference/make_reference.py

Each case is a text file of named sections; a section is a line
"name rows cols" followed by rows lines of cols numbers:

    input   the image (float32 values, written exactly)
    kernel  the weights (float32 values)
    bias    1 1
    dout    the upstream gradient, the shape of the output (float32 values)
    output  the forward result, computed in float64
    dweight the weight gradient sum_{y,x} dout[y,x] * in_padded[y+i, x+j]
    dbias   1 1, sum of dout

It also writes kernel_<name>.txt, catalog kernels built from SciPy's windows,
the smiley's run table, NumPy and a Python xoshiro256** (the random kernel),
as plain text kernel files (one row a line) that lf_kernel_load reads.

Padding: 'valid' pads nothing; 'same' pads (K-1)//2 before and K//2 after on
each axis with zeros, as TensorFlow and PyTorch do for an even kernel side K.
"""
import os

import numpy as np
from scipy.signal import correlate2d
from scipy.signal import windows

HERE = os.path.dirname(os.path.abspath(__file__))


def pad_same(x, kh, kw):
    return np.pad(x, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))


def f32(a):
    """Rounds to float32 and back, so the C test reads exactly these values."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def write_section(f, name, a):
    a = np.atleast_2d(a)
    f.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        f.write(" ".join(repr(float(v)) for v in row) + "\n")


def make_case(name, rng, h, w, kh, kw, padding):
    x = f32(rng.uniform(-1.0, 1.0, size=(h, w)))
    k = f32(rng.uniform(-1.0, 1.0, size=(kh, kw)))
    bias = f32(rng.uniform(-0.5, 0.5))
    xp = pad_same(x, kh, kw) if padding == "same" else x
    # correlate2d(..., 'valid') is sum_{i,j} xp[y+i, x+j] k[i, j]: the layer.
    out = correlate2d(xp, k, mode="valid") + bias
    if padding == "same":
        assert out.shape == x.shape
        if kh % 2 == 1 and kw % 2 == 1:
            # For odd kernels SciPy's own 'same' mode agrees with the padding.
            assert np.allclose(out, correlate2d(x, k, mode="same") + bias)
    dout = f32(rng.uniform(-1.0, 1.0, size=out.shape))
    # Explicit loops for the gradient, so it does not share code with the
    # forward pass above.
    dweight = np.zeros((kh, kw))
    for i in range(kh):
        for j in range(kw):
            dweight[i, j] = np.sum(dout * xp[i:i + out.shape[0], j:j + out.shape[1]])
    dbias = dout.sum()
    path = os.path.join(HERE, "conv_%s.txt" % name)
    with open(path, "w") as f:
        f.write("# %s: %dx%d input, %dx%d kernel, %s padding. "
                "Written by make_reference.py; do not edit.\n" % (name, h, w, kh, kw, padding))
        f.write("padding %s\n" % padding)
        write_section(f, "input", x)
        write_section(f, "kernel", k)
        write_section(f, "bias", np.array([[bias]]))
        write_section(f, "dout", dout)
        write_section(f, "output", out)
        write_section(f, "dweight", dweight)
        write_section(f, "dbias", np.array([[dbias]]))


def write_kernel(name, k, how):
    with open(os.path.join(HERE, "kernel_%s.txt" % name), "w") as f:
        f.write("# %s (%dx%d): %s. Written by make_reference.py; do not edit.\n"
                % (name, k.shape[0], k.shape[1], how))
        for row in k:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")


MASK64 = (1 << 64) - 1


def splitmix64(x):
    """One splitmix64 step: returns (new state, output)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return x, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


def xoshiro_uniforms(seed, n):
    """n uniforms on [0, 1) from xoshiro256** seeded by splitmix64, as
    Blackman and Vigna publish them, with the top 53 bits of each draw."""
    s, x = [], seed
    for _ in range(4):
        x, v = splitmix64(x)
        s.append(v)
    out = []
    for _ in range(n):
        result = (rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append((result >> 11) * 2.0 ** -53)
    return np.array(out)


def smiley_from_table():
    """The 32x32 smiley from tests/data/smiley_32.txt (row: column ranges)."""
    mask = np.zeros((32, 32))
    with open(os.path.join(HERE, "..", "data", "smiley_32.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            row, ranges = line.split(":")
            for part in ranges.split(","):
                first, _, last = part.partition("-")
                mask[int(row), int(first):int(last or first) + 1] = 1
    return mask / np.sqrt(mask.sum())


def main():
    # The random kernel: 5x5 uniform on [-1, 1) from the seed, drawn from
    # a stream of its own (the seed xor the bytes of "kernel").
    for seed in (0, 42):
        u = xoshiro_uniforms(seed ^ 0x6B65726E656C, 25)
        write_kernel("random-seed%d" % seed, (2.0 * u - 1.0).reshape(5, 5),
                     "2 u - 1, u from xoshiro256** seeded with %d xor 0x6b65726e656c" % seed)
    write_kernel("smiley", smiley_from_table(), "tests/data/smiley_32.txt, unit L2 norm")
    write_kernel("box7", np.full((7, 7), 1.0 / 49), "ones(7, 7) / 49")
    for name, size, std in (("gaussian", 13, 2.0), ("gaussian-50", 50, 10.0)):
        g = windows.gaussian(size, std)
        k = np.outer(g, g)
        write_kernel(name, k / k.sum(),
                     "outer(gaussian(%d, %g), gaussian(%d, %g)) / sum" % (size, std, size, std))
    h = windows.hann(50)
    write_kernel("hann", (h / h.sum())[np.newaxis, :], "hann(50) / sum")

    rng = np.random.default_rng(20240611)
    make_case("3x3_same", rng, 9, 11, 3, 3, "same")
    make_case("3x3_valid", rng, 9, 11, 3, 3, "valid")
    make_case("4x4_same", rng, 9, 11, 4, 4, "same")
    make_case("4x4_valid", rng, 9, 11, 4, 4, "valid")
    make_case("2x5_same", rng, 6, 7, 2, 5, "same")
    # An image smaller than the kernel: 'same' still gives a full output.
    make_case("5x6_same_small", rng, 3, 4, 5, 6, "same")


if __name__ == "__main__":
    main()
