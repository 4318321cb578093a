#!/usr/bin/python3
"""compare_pytorch.py: learnfilter against PyTorch on the same training, in one run.

For each of the original's settings (Sobel x: SGD batch 4; Sobel y: SGD
batch 1; smiley: Adam batch 1, on the bundled photographs at 256x256) it

  1. asks learnfilter for its training data (--dump-patches): the patches,
     the order the epochs visit them in, the initial weights and the true
     kernel, so both sides train on exactly the same batches;
  2. checks that the two trajectories agree over the first steps (the
     strongest sign that both do the same training);
  3. measures steps per second of torch.nn.Conv2d + MSELoss + torch.optim
     (SGD with Nesterov momentum, or Adam) with torch.set_num_threads(N) and
     with one thread, median over several repetitions, and learnfilter
     --headless in the same run, and prints the ratio against PyTorch's
     better figure: on a machine shared with other work PyTorch's OpenMP
     threads spin against each other and two threads can be several times
     slower than one, which would flatter the ratio;
  4. measures the time to 1% relative kernel error on both sides. PyTorch
     is capped; when it does not get there in time its figure is
     extrapolated from its rate and learnfilter's step count, and the table
     says so.

Run it with Debian's python3 (python3-torch): /usr/bin/python3 compare_pytorch.py
--learnfilter build/learnfilter. Without torch it says so and exits 0.
"""
import argparse
import warnings
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # a missing optional tool is not a failure
    print(f"compare_pytorch: skipped, {e.name} is not installed for {sys.executable}")
    sys.exit(0)

SETTINGS = ["sobel-x", "sobel-y", "smiley"]
# PyTorch warns that an even kernel with 'same' padding copies the input;
# that is the smiley's case and the copy is part of its cost.
warnings.filterwarnings("ignore", message="Using padding='same'")


def run_learnfilter(exe, kernel, extra):
    cmd = [exe, "--headless", "--kernel", kernel] + extra
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if p.returncode not in (0, 1):
        raise SystemExit(f"compare_pytorch: {' '.join(cmd)} exited with {p.returncode}")
    return json.loads(p.stdout.strip().splitlines()[-1])


class TorchRun:
    """The same training in PyTorch: same patches, order, initial weights."""

    def __init__(self, data, cfg):
        self.x = torch.from_numpy(data["patches"]).unsqueeze(1)  # (n, 1, H, W)
        self.order = data["order"].astype(np.int64)
        self.target_k = torch.from_numpy(data["target"])
        kh, kw = self.target_k.shape
        with torch.no_grad():
            # The truth, as learnfilter makes it: the true kernel applied the
            # way the layer applies its own ('same' zero padding, no bias).
            self.y = F.conv2d(self.x, self.target_k[None, None], padding="same")
        self.init = torch.from_numpy(data["init"])
        self.cfg = cfg
        self.train_count = self.order.shape[1]
        self.reset()

    def reset(self):
        kh, kw = self.init.shape
        # For an even side PyTorch's 'same' pads (K-1)/2 before and K/2
        # after, as learnfilter does.
        self.model = torch.nn.Conv2d(1, 1, (kh, kw), padding="same", bias=True)
        with torch.no_grad():
            self.model.weight.copy_(self.init[None, None])
            self.model.bias.zero_()
        c = self.cfg
        if c["optimizer"] == "sgd":
            self.opt = torch.optim.SGD(self.model.parameters(), lr=c["lr"],
                                       momentum=c["momentum"], nesterov=c["nesterov"])
        else:
            self.opt = torch.optim.Adam(self.model.parameters(), lr=c["lr"])
        self.loss_fn = torch.nn.MSELoss()
        self.epoch, self.cursor, self.step_count = 0, 0, 0
        self.k_norm = float(torch.linalg.norm(self.target_k))

    def batch(self):
        if self.epoch >= self.order.shape[0]:
            self.epoch = 0  # past the dumped epochs: repeat them (timing only)
        b = min(self.cfg["batch"], self.train_count - self.cursor)
        idx = torch.from_numpy(self.order[self.epoch, self.cursor:self.cursor + b])
        self.cursor += b
        if self.cursor >= self.train_count:
            self.epoch, self.cursor = self.epoch + 1, 0
        return idx

    def step(self):
        idx = self.batch()
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(self.x[idx]), self.y[idx])
        loss.backward()
        self.opt.step()
        self.step_count += 1

    def rel_err(self):
        with torch.no_grad():
            return float(torch.linalg.norm(self.model.weight[0, 0] - self.target_k)) / self.k_norm

    def weights(self):
        return self.model.weight.detach()[0, 0].numpy().copy()


def load_data(exe, kernel, folder):
    base = os.path.join(folder, f"{kernel}.npy")
    info = run_learnfilter(exe, kernel, ["--steps", "1", "--dump-patches", base])
    stem = base[:-4]
    data = {"patches": np.load(base), "order": np.load(stem + "-order.npy"),
            "init": np.load(stem + "-init.npy"), "target": np.load(stem + "-target.npy")}
    cfg = {k: info.get(k) for k in ("optimizer", "lr", "momentum", "nesterov", "batch")}
    return data, cfg, info


def check_trajectory(exe, kernel, run, folder, checkpoints):
    """Largest weight difference between the two after each checkpoint,
    relative to the largest weight."""
    run.reset()
    out = []
    for n in checkpoints:
        while run.step_count < n:
            run.step()
        path = os.path.join(folder, f"{kernel}-w{n}.npy")
        run_learnfilter(exe, kernel, ["--steps", str(n), "--weights-out", path, "--threads", "1"])
        ours = np.load(path)[-1]
        theirs = run.weights()
        out.append((n, float(np.abs(ours - theirs).max() / np.abs(ours).max())))
    return out


def torch_rate(run, seconds, reps):
    run.reset()
    for _ in range(20):  # warm-up: allocator, thread pool
        run.step()
    rates = []
    for _ in range(reps):
        n, t0 = 0, time.perf_counter()
        while True:
            run.step()
            n += 1
            if n % 5 == 0 and time.perf_counter() - t0 >= seconds:
                break
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates), rates


def torch_time_to_tol(run, tol, cap):
    run.reset()
    t0 = time.perf_counter()
    while True:
        run.step()
        if run.rel_err() <= tol:
            return time.perf_counter() - t0, run.step_count, True
        if time.perf_counter() - t0 >= cap:
            return time.perf_counter() - t0, run.step_count, False


def machine():
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} online cores, torch {torch.__version__}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--learnfilter", default="build/learnfilter")
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--reps", type=int, default=5, help="repetitions per rate (median)")
    ap.add_argument("--seconds", type=float, default=2.0, help="length of one PyTorch repetition")
    ap.add_argument("--threads", type=int, default=2,
                    help="learnfilter's threads; PyTorch runs with these and with one")
    ap.add_argument("--cap", type=float, default=60.0, help="PyTorch time-to-1%% cap, seconds")
    ap.add_argument("--our-cap", type=float, default=300.0, help="learnfilter time-to-1%% cap")
    ap.add_argument("--engine", default="auto",
                    help="learnfilter's engine (auto, direct, gram): direct times the "
                         "convolution itself, as PyTorch does")
    ap.add_argument("--ours-steps", type=int, default=0,
                    help="steps per learnfilter rate run (default: about 3 s of steady steps)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    exe = args.learnfilter
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"threads: learnfilter {args.threads}, PyTorch 1 and {args.threads}; "
          f"rates are medians of {args.reps} runs")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kernel in args.settings.split(","):
            data, cfg, info = load_data(exe, kernel, folder)
            run = TorchRun(data, cfg)
            label = f"{kernel} {cfg['optimizer']} b{cfg['batch']}"
            print(f"\n== {label}: {info['patches']} patches of {info['size']}x{info['size']}, "
                  f"{info['train_patches']} for training")

            agree = check_trajectory(exe, kernel, run, folder, [1, 10, 100])
            print("trajectory (max |w_ours - w_torch| / max |w|): " +
                  ", ".join(f"step {n}: {d:.1e}" for n, d in agree))

            t_rates = {}
            for n in sorted({1, args.threads}):
                torch.set_num_threads(n)
                t_rates[n], t_all = torch_rate(run, args.seconds, args.reps)
                print(f"pytorch, {n} thread{'s' if n > 1 else ''}: {t_rates[n]:.1f} steps/s "
                      f"(runs: {', '.join(f'{r:.1f}' for r in t_all)})")
            best_threads = max(t_rates, key=t_rates.get)
            t_rate = t_rates[best_threads]
            torch.set_num_threads(best_threads)

            # Ours: long enough runs that the first epoch (which builds the
            # per-patch statistics) is a small part; both the whole-run rate
            # and the rate after the first epoch are kept.
            engine = ["--engine", args.engine, "--threads", str(args.threads)]
            probe = run_learnfilter(exe, kernel, ["--steps", "300"] + engine)
            steady_probe = probe.get("steady_steps_per_s") or probe["steps_per_s"]
            steps = args.ours_steps or max(2000, int(3.0 * steady_probe))
            ours, steady = [], []
            for _ in range(args.reps):
                r = run_learnfilter(exe, kernel, ["--steps", str(steps), "--epochs", "1000000000"]
                                    + engine)
                ours.append(r["steps_per_s"])
                if r.get("steady_steps_per_s"):
                    steady.append(r["steady_steps_per_s"])
            o_rate = statistics.median(ours)
            o_steady = statistics.median(steady) if steady else float("nan")
            print(f"learnfilter ({r['engine']}): {o_rate:.0f} steps/s over {steps} steps "
                  f"(every one-off cost included), {o_steady:.0f} after the first epoch "
                  f"(runs: {', '.join(f'{x:.0f}' for x in ours)})")

            conv = run_learnfilter(exe, kernel, ["--tol", "0.01", "--max-seconds", str(args.our_cap)]
                                   + engine)
            o_tol = conv["wall_s"] if conv["converged"] else float("nan")
            o_steps = conv["steps"]
            t_sec, t_steps, t_ok = torch_time_to_tol(run, 0.01, args.cap)
            if t_ok:
                t_tol = f"{t_sec:.1f} s ({t_steps} steps)"
            elif conv["converged"]:
                t_tol = (f"~{o_steps / t_rate:.0f} s extrapolated ({o_steps} steps at "
                         f"{t_rate:.0f}/s; at {100 * run.rel_err():.1f}% after the {args.cap:.0f} s cap)")
            else:
                t_tol = f">{args.cap:.0f} s (at {100 * run.rel_err():.1f}%)"
            o_tol_s = (f"{o_tol:.2f} s ({o_steps} steps)" if conv["converged"]
                       else f">{args.our_cap:.0f} s (at {100 * conv['rel_err']:.1f}%)")
            print(f"time to 1%: learnfilter {o_tol_s}; pytorch {t_tol}")
            rows.append((label, o_rate, o_steady, t_rates, t_rate, o_tol_s, t_tol, agree[-1][1]))

    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (1 min)")
    print("\nlearnfilter steps/s: whole runs, statistics built on the way; after epoch 1: the "
          "steady rate. Ratios use the whole-run rate.")
    print("\n| setting | learnfilter steps/s | after epoch 1 | PyTorch steps/s (1 / "
          f"{args.threads} threads) | ratio to PyTorch's best | ours to 1% | PyTorch to 1% | "
          "weights apart after 100 steps |")
    print("|---|---|---|---|---|---|---|---|")
    for label, o, s, trs, t, ot, tt, d in rows:
        tr = " / ".join(f"{trs[n]:.1f}" for n in sorted(trs))
        print(f"| {label} | {o:.0f} | {s:.0f} | {tr} | {o / t:.0f}x | {ot} | {tt} | {d:.0e} |")


if __name__ == "__main__":
    main()
