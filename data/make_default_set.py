#!/usr/bin/python3
"""Regenerate learnfilter's default training photographs (data/*.jpg).

The photographs come from the sample data bundled with scikit-image, as
installed by the Debian package python3-skimage (0.19.3) under
/usr/lib/python3/dist-packages/skimage/data/.  Only images whose licence
clearly allows redistribution (public domain or CC0) are used; see
data/README.md for the source and licence of each one.

For each image this script checks the SHA-256 of the source file against
the value recorded in scikit-image's data registry, decodes it completely,
converts embedded non-sRGB colour profiles to sRGB, shrinks it (Lanczos,
aspect ratio kept) if a side exceeds 1024 pixels, and writes it as a
baseline JPEG at quality 90 (no chroma subsampling) without metadata.  Colour images stay colour,
grey-level images stay grey-level.

Usage (Debian's Python, which has PIL from python3-pil):

    /usr/bin/python3 data/make_default_set.py [SKIMAGE_DATA_DIR [OUT_DIR]]

OUT_DIR defaults to the directory holding this script.
"""

import hashlib
import io
import os
import sys

from PIL import Image, ImageCms, ImageFile

ImageFile.LOAD_TRUNCATED_IMAGES = False  # a damaged file must fail, not pad

SRC_DIR = "/usr/lib/python3/dist-packages/skimage/data"
MAX_SIDE = 1024
MIN_SIDE = 256
QUALITY = 90

# (source file, output name, sha256 of the source as listed in
#  skimage/data/_registry.py)
IMAGES = [
    ("astronaut.png", "astronaut.jpg",
     "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
    ("brick.png", "brick.jpg",
     "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf"),
    ("camera.png", "camera.jpg",
     "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a"),
    ("cell.png", "cell.jpg",
     "8d23a7fb81f7cc877cd09f330357fc7f595651306e84e17252f6e0a1b3f61515"),
    ("chelsea.png", "chelsea.jpg",
     "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"),
    ("clock_motion.png", "clock.jpg",
     "f029226b28b642e80113d86622e9b215ee067a0966feaf5e60604a1e05733955"),
    ("coffee.png", "coffee.jpg",
     "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"),
    ("grass.png", "grass.jpg",
     "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89"),
    ("gravel.png", "gravel.jpg",
     "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12"),
    ("hubble_deep_field.jpg", "hubble_deep_field.jpg",
     "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4"),
    ("retina.jpg", "retina.jpg",
     "38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6"),
    ("rocket.jpg", "rocket.jpg",
     "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"),
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def to_srgb(im):
    """Return an RGB/L image whose pixel values are sRGB (or plain grey)."""
    icc = im.info.get("icc_profile")
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    if icc and im.mode == "RGB":
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "sRGB" not in ImageCms.getProfileDescription(src):
            im = ImageCms.profileToProfile(
                im, src, ImageCms.createProfile("sRGB"),
                renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB")
    return im


def convert(src_path, out_path):
    im = Image.open(src_path)
    im.load()                      # raises on a truncated or corrupt file
    im = to_srgb(im)
    w, h = im.size
    if max(w, h) > MAX_SIDE:
        s = MAX_SIDE / max(w, h)
        im = im.resize((round(w * s), round(h * s)), Image.Resampling.LANCZOS)
    if min(im.size) < MIN_SIDE:
        raise SystemExit(f"{src_path}: {im.size} is smaller than {MIN_SIDE}")
    im.save(out_path, "JPEG", quality=QUALITY, subsampling=0, optimize=True)
    return (w, h), im.size


def main(argv):
    src_dir = argv[1] if len(argv) > 1 else SRC_DIR
    out_dir = argv[2] if len(argv) > 2 else os.path.dirname(
        os.path.abspath(__file__))
    total = 0
    for src, out, digest in IMAGES:
        src_path = os.path.join(src_dir, src)
        if sha256(src_path) != digest:
            raise SystemExit(f"{src_path}: checksum differs from scikit-image's")
        out_path = os.path.join(out_dir, out)
        before, after = convert(src_path, out_path)
        Image.open(out_path).load()  # the result must decode fully
        size = os.path.getsize(out_path)
        total += size
        print(f"{out:24s} {after[0]:4d}x{after[1]:<4d} {size:8d} bytes"
              f"  (from {src} {before[0]}x{before[1]})")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main(sys.argv)
