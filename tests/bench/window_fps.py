#!/usr/bin/python3
"""window_fps.py: the window's frame rate and training rate, against headless.

A benchmark program, not a test: it prints figures and judges nothing.

For each repetition, alternately (so both sides see the same load):

  1. the window at 1920x1080 with the smiley, as fast as it trains
     (--speed max), for --seconds of frames, under SDL's dummy video
     driver, with --stats: frames per second, the p50, p99 and longest
     interval between frames, and training steps per second;
  2. the window at 1280x720 while recording a GIF (--gif), the same
     figures;
  3. the headless trainer on one thread for the same time
     (--threads 1 --max-seconds): its steps per second.

Then the medians over the repetitions and the window's training rate as a
share of the headless one (the window trains on one worker thread and
leaves the main thread its core). The figures depend on the machine and
its load: the 1-minute load average is printed before and after, and
after each run. LF_FRAME_TRACE=FILE given to a window run says where its
long frames went (src/app/frame_trace.h).

With --baseline OTHER_BUILD each repetition also runs the two window
runs with that build, so a change is compared under the same load.

Usage: /usr/bin/python3 tests/bench/window_fps.py [--learnfilter build/learnfilter]
       [--baseline OTHER/learnfilter] [--repeats 5] [--seconds 10] [--kernel smiley]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def run_json(cmd, env=None):
    """The program's last JSON line, with the CPU seconds it used as "cpu_s"."""
    before = children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    d = json.loads(lines[-1])
    d["cpu_s"] = children_cpu() - before
    return d


def window_runs(binary, kernel, frames, gif, env):
    """The window at 1080p, and at 720p recording a GIF: their --stats lines."""
    w = run_json([binary, "--kernel", kernel, "--speed", "max", "--width", "1920",
                  "--height", "1080", "--frames", frames, "--stats"], env)
    g = run_json([binary, "--kernel", kernel, "--speed", "max", "--width", "1280",
                  "--height", "720", "--frames", frames, "--stats", "--gif", gif], env)
    return w, g


def intervals(d):
    """p50/p99/max of a --stats line (an older build has no max)."""
    return (f"{d['frame_ms_p50']:.2f}/{d['frame_ms_p99']:.2f}/"
            f"{d.get('frame_ms_max', float('nan')):.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--learnfilter", default="build/learnfilter")
    ap.add_argument("--baseline", help="another build of learnfilter, run the same way in "
                    "each repetition (before and after a change, under the same load)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--kernel", default="smiley")
    a = ap.parse_args()
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    frames = str(int(a.seconds * 60))
    work = tempfile.mkdtemp(prefix="window-fps-")
    gif = os.path.join(work, "rec.gif")
    names = ["1080p", "720p+gif"] + (["baseline 1080p", "baseline 720p+gif"] if a.baseline else [])
    rows = {name: [] for name in names + ["headless"]}
    print(f"machine: {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}")
    for r in range(a.repeats):
        w, g = window_runs(a.learnfilter, a.kernel, frames, gif, env)
        rows["1080p"].append(w)
        rows["720p+gif"].append(g)
        h = run_json([a.learnfilter, "--headless", "--kernel", a.kernel, "--threads", "1",
                      "--max-seconds", str(a.seconds), "--tol", "1e-9"])
        # On a loaded machine wall-clock rates mostly measure the load: the
        # steps per CPU-second of the training thread compare the work.
        h["steps_per_cpu_s"] = h["steps"] / h["cpu_s"] if h["cpu_s"] > 0 else 0
        rows["headless"].append(h)
        line = (f"run {r + 1}: 1080p {w['fps']:.1f} fps p50/p99/max {intervals(w)} ms "
                f"{w['steps_per_s']:.0f} steps/s | headless {h['steps_per_s']:.0f} steps/s | "
                f"720p recording {g['fps']:.1f} fps {intervals(g)} ms "
                f"{g['steps_per_s']:.0f} steps/s, {g['recorded_frames']} frames "
                f"({g['recorded_dropped']} dropped)")
        if a.baseline:
            bw, bg = window_runs(a.baseline, a.kernel, frames, gif, env)
            rows["baseline 1080p"].append(bw)
            rows["baseline 720p+gif"].append(bg)
            line += (f" | baseline: 1080p {intervals(bw)} ms {bw['steps_per_s']:.0f} steps/s, "
                     f"720p recording {intervals(bg)} ms")
        print(f"{line} | load {os.getloadavg()[0]:.2f}", flush=True)
    med = lambda key, name: statistics.median(x.get(key, float("nan")) for x in rows[name])
    headless = med("steps_per_s", "headless")
    print(f"\nmedians of {a.repeats} ({a.kernel}, {a.seconds:g} s each):")
    per_cpu = med("steps_per_cpu_s", "headless")
    print("| setting | fps | frame interval p50 / p99 / max (ms) | steps/s | of headless | "
          "steps per CPU-s | of headless |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        sps = med("steps_per_s", name)
        cpu = med("steps_per_cpu_s", name)
        print(f"| window {name} | {med('fps', name):.1f} | {med('frame_ms_p50', name):.2f} / "
              f"{med('frame_ms_p99', name):.2f} / {med('frame_ms_max', name):.1f} | "
              f"{sps:,.0f} | {100 * sps / headless:.0f}% | {cpu:,.0f} | "
              f"{100 * cpu / per_cpu:.0f}% |")
    print(f"| headless, 1 thread | | | {headless:,.0f} | 100% | {per_cpu:,.0f} | 100% |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
