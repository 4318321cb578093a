#!/usr/bin/env python3
"""make_corpus.py: writes the fuzzers' seed inputs into tests/fuzz/corpus/.

Only the standard library: PNGs are assembled chunk by chunk with zlib, so
the seeds cover what an encoder rarely emits (palette, 16-bit, gray with
alpha, Adam7 interlacing, several IDAT chunks). The three JPEG seeds
(*.jpg) were written by stb_image_write 1.16 (gray at quality 90, RGB at
50 and 95) and are kept as they are, as are the regress-* files: inputs
that once made a fuzzer fail, so every run tries them again. The other
seeds are valid inputs; the fuzzer finds the broken ones.

    python3 tests/fuzz/make_corpus.py
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


# ------------------------------------------------------------------- PNG
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png(width, height, color_type, depth, pixel, palette=None, interlace=False, split=1):
    """pixel(x, y) gives the bytes of one pixel (whole bytes only)."""
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        xs = range(x0, width, dx)
        if not xs:
            continue
        for y in range(y0, height, dy):
            raw.append(0)  # filter: none
            for x in xs:
                raw += pixel(x, y)
    data = zlib.compress(bytes(raw), 9)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0,
                                      1 if interlace else 0))
    if palette:
        out += chunk(b"PLTE", bytes(sum(palette, [])))
    step = (len(data) + split - 1) // split
    for i in range(0, len(data), step):
        out += chunk(b"IDAT", data[i:i + step])
    return out + chunk(b"IEND", b"")


def image_seeds():
    t = "fuzz_image"
    write(t, "gray-8x8.png", png(8, 8, 0, 8, lambda x, y: bytes([(x * 31 + y * 7) & 255])))
    write(t, "rgb-5x3.png", png(5, 3, 2, 8, lambda x, y: bytes([x * 50, y * 80, 200])))
    write(t, "rgba-4x4.png", png(4, 4, 6, 8, lambda x, y: bytes([x * 60, y * 60, 9, 128])))
    write(t, "gray-alpha-3x3.png", png(3, 3, 4, 8, lambda x, y: bytes([x * 90, 255])))
    write(t, "gray16-4x2.png", png(4, 2, 0, 16, lambda x, y: struct.pack(">H", x * 9000 + y)))
    write(t, "palette-6x6.png", png(6, 6, 3, 8, lambda x, y: bytes([(x + y) % 3]),
                                    palette=[[255, 0, 0], [0, 255, 0], [0, 0, 255]]))
    write(t, "interlaced-9x9.png", png(9, 9, 0, 8, lambda x, y: bytes([x * 20 + y]),
                                       interlace=True))
    write(t, "split-idat-16x4.png", png(16, 4, 2, 8, lambda x, y: bytes([x * 15, y * 60, x ^ y]),
                                        split=3))


# ---------------------------------------------------------------- kernels
def npy(header, data, major=1):
    header += " " * ((64 - (len(header) + 11 + (2 if major > 1 else 0)) % 64) % 64) + "\n"
    h = header.encode("latin-1")
    size = struct.pack("<H", len(h)) if major == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([major, 0]) + size + h + data


def kernel_seeds():
    t = "fuzz_kernel"
    write(t, "sobel.txt", "-1 0 1\n-2 0 2\n-1 0 1\n")
    write(t, "commented.txt", "# a box blur\n0.111, 0.111, 0.111\n\n0.111 0.111 0.111 # row 2\r\n"
                              "[0.111; 0.111; 0.111]\n")
    write(t, "row.txt", "1e-3\t-2.5E+2\t0x1p-2\t.5\n")
    f4 = struct.pack("<4f", 1, -1, 0.5, 2)
    write(t, "f4-2x2.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f4))
    f8 = struct.pack(">6d", 1, 2, 3, 4, 5, 6)
    write(t, "f8-big-fortran-2x3.npy",
          npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", f8))
    write(t, "v2-1x3.npy", npy('{"descr": "<f4", "fortran_order": False, "shape": (1, 3)}',
                               struct.pack("<3f", 0.25, 0.5, 0.25), major=2))
    write(t, "v3-3x1.npy", npy("{'descr': '=f8', 'fortran_order': False, 'shape': (3,1), }",
                               struct.pack("<3d", 1, 0, -1), major=3))
    write(t, "smile-5x5.png", png(5, 5, 0, 8, lambda x, y: bytes([255 if (x - 2) ** 2 + (y - 2) ** 2 in (4, 5) else 0])))


# ------------------------------------------------------------ command line
def cli_seeds():
    t = "fuzz_cli"
    lines = {
        "headless.txt": ["--headless", "--kernel", "sobel-y", "--size", "64", "--epochs", "3"],
        "training.txt": ["--optimizer=adam", "--lr", "1e-3", "--batch=8", "--momentum", "0.5",
                         "--no-nesterov", "--seed", "42", "--tol", "0.01", "--max-seconds", "2.5"],
        "data.txt": ["--images", "data/", "--images", "more photos/x.png", "--downscale", "2",
                     "--noise", "0.05", "--validation", "0.1", "--padding", "valid"],
        "window.txt": ["--frames", "10", "--width", "1280", "--height=720", "--scale", "1.5",
                       "--fullscreen", "--stats", "--screenshot", "shot.png"],
        "outputs.txt": ["--headless", "--weights-out", "w.npy", "--steps", "100", "--threads", "2"],
        "help.txt": ["-h", "--help", "--version", "--list-kernels"],
    }
    for name, args in lines.items():
        write(t, name, "\n".join(args))
    # NUL separators too, as a shell would pass them.
    write(t, "nul-separated.bin", "\0".join(["--headless", "--lr", "0.1", "--nesterov"]))


def walk_seeds():
    """Two bytes per entry: (name index << 3) | kind, then the folder it goes in
    (kinds: 0-1 folder, 2 file, 3 link to ".", 4 to "..", 5 to the root, 6 to
    an earlier entry, 7 FIFO; names: a b self p.png q.jpg r.jpeg up x.PNG d e)."""
    t = "fuzz_walk"
    write(t, "two-links-to-self.bin", bytes([0x1a, 0, 0x03, 0, 0x0b, 0, 0x13, 0]))
    write(t, "loop-through-parent.bin", bytes([0x00, 0, 0x1a, 1, 0x34, 1, 0x45, 1]))
    write(t, "nested.bin", bytes([0x40, 0, 0x48, 1, 0x40, 2, 0x48, 3, 0x22, 4, 0x2f, 4]))
    write(t, "link-to-file.bin", bytes([0x1a, 0, 0x26, 0, 0x1e, 0]))


def export_seeds():
    """ndim, the extents, then one piece of the name per byte (pieces: a b . /
    space e-acute npy csv dir/ file/ and 32 a's)."""
    t = "fuzz_export"
    write(t, "2d-a.npy.bin", bytes([2, 3, 3, 0, 2, 6]))
    write(t, "3d-in-dir.csv.bin", bytes([3, 2, 3, 3, 8, 1, 2, 7]))
    write(t, "1d-under-file.bin", bytes([1, 5, 9, 0, 2, 6]))
    write(t, "long-name.bin", bytes([2, 1, 1]) + bytes([10]) * 140 + bytes([2, 6]))


if __name__ == "__main__":
    for target in ("fuzz_image", "fuzz_kernel", "fuzz_cli", "fuzz_walk", "fuzz_export"):
        os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    image_seeds()
    kernel_seeds()
    cli_seeds()
    walk_seeds()
    export_seeds()
