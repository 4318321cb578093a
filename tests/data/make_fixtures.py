#!/usr/bin/python3
"""Writes the small JPEG files tests/test_image.c loads.

The tests write their PNGs themselves; JPEGs come from here because the JPEG
writer compiled into the core is third-party code that the undefined-behaviour
sanitizer objects to (a signed left shift), so the tests only decode JPEGs.
Run with Debian's python3 (it has Pillow); it rewrites the files beside it:

    /usr/bin/python3 tests/data/make_fixtures.py

two_grays.jpg   32x16 grayscale: columns 0-15 are 64, columns 16-31 are 192
orange.jpg      16x16 RGB, every pixel (200, 100, 50)
"""
import os

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    gray = Image.new("L", (32, 16))
    gray.putdata([64 if x < 16 else 192 for y in range(16) for x in range(32)])
    gray.save(os.path.join(HERE, "two_grays.jpg"), quality=95)
    Image.new("RGB", (16, 16), (200, 100, 50)).save(os.path.join(HERE, "orange.jpg"), quality=95)


if __name__ == "__main__":
    main()
