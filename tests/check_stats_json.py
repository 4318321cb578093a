"""Parses the line `learnfilter --frames N --stats` prints with Python's json
module, as a user's script would, after N frames of a paused window: every
value must be JSON (no NaN), the counts must be those of the run, and the
training figures must say step 0 and PAUSED. A percentile of frame
intervals needs two frames, so after one frame it is null.

Usage: check_stats_json.py LEARNFILTER_BINARY FRAMES
"""
import json
import math
import subprocess
import sys


def main():
    binary, frames = sys.argv[1], int(sys.argv[2])
    run = subprocess.run([binary, "--frames", str(frames), "--stats", "--paused"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert run.returncode == 0, (run.returncode, run.stderr)
    lines = run.stdout.splitlines()
    assert len(lines) == 1, lines
    # parse_constant is called for NaN and Infinity, which JSON does not have.
    def refuse(name):
        raise ValueError("not JSON: " + name)
    stats = json.loads(lines[0], parse_constant=refuse)

    assert stats["frames"] == frames, stats
    assert stats["steps"] == 0 and stats["step"] == 0, stats
    assert stats["state"] == "PAUSED", stats
    # The Glorot start is about as far from Sobel x as Sobel x is long.
    assert isinstance(stats["rel_err"], float) and 0.1 < stats["rel_err"] < 10, stats
    for key in ("frame_ms_p50", "frame_ms_p99", "frame_ms_max"):
        if frames < 2:
            assert stats[key] is None, (key, stats)
        else:
            assert isinstance(stats[key], (int, float)) and stats[key] >= 0, (key, stats)
    if frames >= 2:
        # p99 is the middle of a 0.01 ms bin; the longest is exact.
        assert stats["frame_ms_max"] >= stats["frame_ms_p99"] - 0.005, stats
    for key in ("work_ms_p50", "work_ms_p99", "fps", "steps_per_s", "main_cpu_ms_per_frame",
                "worker_cpu_s", "steps_per_cpu_s"):
        value = stats[key]
        assert isinstance(value, (int, float)) and math.isfinite(value), (key, stats)
    assert (stats["width"], stats["height"]) == (1280, 720), stats
    assert isinstance(stats["renderer"], str) and stats["renderer"], stats
    print("stats after %d frames: %s" % (frames, lines[0]))


if __name__ == "__main__":
    main()
