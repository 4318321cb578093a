"""Opens a movie made by `learnfilter --headless --gif` with PIL, as a user's
script or image viewer would, and checks what it finds there: the number of
frames (one at the start and one per epoch), the size, the frame rate, the
held last frame and the looping.

Usage: check_gif_pil.py LEARNFILTER_BINARY DATA_DIR
Exits 77 (skipped, for ctest) when PIL is not installed.
"""
import os
import subprocess
import sys
import tempfile

try:
    from PIL import Image
except ImportError:
    print("PIL is not installed (python3-pil): skipped")
    sys.exit(77)


def main():
    binary, data = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sobel.gif")
        epochs = 4
        run = subprocess.run(
            [binary, "--headless", "--epochs", str(epochs), "--size", "64",
             "--images", os.path.join(data, "camera.jpg"), "--gif", path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit("learnfilter failed (%d): %s" % (run.returncode, run.stderr))
        with Image.open(path) as im:
            assert im.format == "GIF", im.format
            assert im.info.get("version") == b"GIF89a", im.info
            assert im.n_frames == epochs + 1, "n_frames %d, expected %d" % (im.n_frames, epochs + 1)
            assert im.size == (960, 540), im.size
            assert im.info.get("loop") == 0, "loop %r, expected 0 (forever)" % im.info.get("loop")
            durations = []
            for i in range(im.n_frames):
                im.seek(i)
                durations.append(im.info["duration"])
                rgb = im.convert("RGB")
                # Every frame shows the whole picture: white corners, ink in the title.
                assert rgb.getpixel((0, 0)) == (255, 255, 255), (i, rgb.getpixel((0, 0)))
                title = rgb.crop((380, 10, 580, 50)).convert("L")
                assert min(title.getdata()) < 100, "frame %d has no title" % i
            assert durations[:-1] == [100] * epochs, durations
            assert durations[-1] == 2000, durations
    print("PIL opens the movie: %d frames, %s, durations %s" % (epochs + 1, (960, 540), durations))


if __name__ == "__main__":
    main()
