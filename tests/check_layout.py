#!/usr/bin/python3
"""check_layout.py: the window's layout over a matrix of sizes and UI scales.

Runs the program for a few frames at each window size and scale with
--layout-out, reads back every panel's and drawn text's box, and checks
the rules a class at the back of the room relies on:

  - no text overlaps another (overlays are compared only among themselves);
  - no text or panel leaves the window, no text leaves its panel, and no
    text is clipped;
  - panels do not overlap (a panel may lie inside another: a step's
    annotations inside the learned kernel);
  - the kernel's cell values are readable (at least 14 px at 720p, scaled
    with the window) and never shrink when the UI scale grows;
  - the essentials stay on screen: the learned kernel and its values, the
    bias, the status line's step and kernel error, the dataset line, the
    pause button;
  - buttons stay inside the window, apart from each other and from every
    panel, and their labels inside them; a key's acknowledgement covers no
    button and no kernel or image panel;
  - at 1920x1080 the status line is large (>= 24 px) and in plain numbers.

The presentation layout (--present) is checked over window sizes from
800x450 to 3840x2160 and scales from 0.5 to 4 by the same common rules,
and by its own: the learned and true kernels with every value, no
footer, buttons or photo strip, a caption "Step N · error X.XX%" and a
status line in fixed decimals without e-notation, cell values never
below the window's own value size, and (at everyday sizes) the output and
target images.

With --layer-matrix, a convolution layer's window instead (a 3- and an
8-filter colour layer at 640x360, 1280x720 and 1920x1080 over a few
scales, the random-filters view, training, the presentation layout): the
common rules, and each filter's caption with its error in the table.

Usage: check_layout.py LEARNFILTER WORK_DIR [OPTION...]: the options go to
every run (ctest passes one photo and small patches, so that the matrix
costs little besides drawing). Needs SDL_VIDEODRIVER=dummy (ctest sets
it). Exits 1 with one line per broken rule.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

SIZES = [(640, 360), (1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)]
SCALES = [0.5, 1.0, 1.5, 2.0, 3.0]
PRESENT_SIZES = [(800, 450), (1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)]
PRESENT_SCALES = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
CTRL_PLUS_3 = 1.25 ** 3  # Ctrl + pressed three times from scale 1
# Drawn over the run on purpose: the help, hover read-outs, a cell being
# edited, a large notice, and the statistics' progress over the dimmed run
# (how long that shows depends on how fast the statistics are built).
OVERLAYS = {"help", "toast", "tooltip", "edit", "notice", "progress"}

failures = []


def fail(config, message):
    failures.append(f"{config}: {message}")


def run(binary, work, name, args):
    out = os.path.join(work, name + ".json")
    cmd = [binary, "--layout-out", out] + args
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return None, f"exit {proc.returncode}: {proc.stderr.strip()[:300]}"
    with open(out, encoding="utf-8") as f:
        return json.load(f), None


def overlap(a, b):
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
            a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


def inside(a, b):
    return (a["x"] >= b["x"] and a["y"] >= b["y"] and a["x"] + a["w"] <= b["x"] + b["w"]
            and a["y"] + a["h"] <= b["y"] + b["h"])


def check_common(config, d):
    """The rules that hold for every frame."""
    screen = {"x": 0, "y": 0, "w": d["width"], "h": d["height"]}
    if d["texts_lost"]:
        fail(config, f"{d['texts_lost']} texts not recorded")
    panels = {p["name"]: p for p in d["panels"]}
    base = [p for p in d["panels"] if p["name"] not in OVERLAYS]
    for i, p in enumerate(base):
        if not inside(p, screen):
            fail(config, f"panel {p['name']} {p} outside the window")
        for q in base[i + 1:]:
            if overlap(p, q) and not inside(p, q) and not inside(q, p):
                fail(config, f"panels {p['name']} and {q['name']} overlap")
    buttons = d.get("buttons", [])
    for i, b in enumerate(buttons):
        if not inside(b, screen):
            fail(config, f"button {b['name']} {b} outside the window")
        for q in buttons[i + 1:]:
            if overlap(b, q):
                fail(config, f"buttons {b['name']} and {q['name']} overlap")
        for p in base:
            if p["name"] != "buttons" and overlap(b, p):
                fail(config, f"button {b['name']} overlaps panel {p['name']}")
    texts = d["texts"]
    for t in texts:
        if t["panel"] == "buttons" and not any(inside(t, b) for b in buttons):
            fail(config, f"button text {t['text']!r} is outside every button")
    for t in texts:
        label = f"text {t['text']!r} ({t['panel']})"
        if not inside(t, screen):
            fail(config, f"{label} at {t['x']},{t['y']} {t['w']}x{t['h']} leaves the window")
        if t["clipped"]:
            fail(config, f"{label} is clipped")
        box = panels.get(t["panel"])
        if box is not None and not inside(t, box):
            fail(config, f"{label} leaves its panel {box}")
        if t["panel"] == "":
            fail(config, f"{label} belongs to no panel")
    for i, a in enumerate(texts):
        a_overlay = a["panel"] in OVERLAYS
        for b in texts[i + 1:]:
            if a_overlay != (b["panel"] in OVERLAYS):
                continue
            if a_overlay and a["panel"] != b["panel"]:
                continue
            if overlap(a, b):
                fail(config, f"texts {a['text']!r} ({a['panel']}) and {b['text']!r} "
                             f"({b['panel']}) overlap")


def check_acknowledgement(config, d):
    toasts = [p for p in d["panels"] if p["name"] == "toast"]
    if not toasts:
        fail(config, "no acknowledgement after a key press")
    for t in toasts:
        for b in d.get("buttons", []):
            if overlap(t, b):
                fail(config, f"the acknowledgement {t} covers button {b['name']}")
        for p in d["panels"]:
            if p["name"] in ("learned", "true", "input", "output", "target", "residual") \
                    and overlap(t, p):
                fail(config, f"the acknowledgement {t} covers panel {p['name']}")


def values(d):
    return [t for t in d["texts"] if t["font"] == "value"]


def check_essentials(config, d, scale, cells):
    """What must not be lost at everyday sizes and scales."""
    w, h = d["width"], d["height"]
    names = {p["name"] for p in d["panels"]}
    texts = d["texts"]
    if "learned" not in names:
        fail(config, "the learned kernel's panel is missing")
    if "true" not in names:
        fail(config, "the true kernel's panel is missing")
    v = [t for t in values(d) if t["panel"] == "learned"]
    if len(v) != cells:
        fail(config, f"{len(v)} of the learned kernel's {cells} values drawn")
    min_px = max(10, round(14 * min(w / 1280, h / 720)))
    for t in values(d):
        if t["px"] < min_px:
            fail(config, f"cell value {t['text']!r} is {t['px']} px, below {min_px}")
    def has(panel, pattern):
        return any(t["panel"] == panel and re.search(pattern, t["text"]) for t in texts)
    if w >= 1280 and scale <= 2:
        if not has("learned", r"^bias "):
            fail(config, "the bias is not shown")
        if not has("status", r"^step "):
            fail(config, "the status line has no step")
        if not has("status", r"^kernel error"):
            fail(config, "the status line has no kernel error")
        if not has("footer", r"patch"):
            fail(config, "the dataset line is missing")
        if not any(b["name"] == "pause" for b in d.get("buttons", [])):
            fail(config, "the pause button is missing")
        for title in ("learned", "true"):
            if not any(t["panel"] == title and t["font"] == "title" for t in texts):
                fail(config, f"the {title} panel has no title")
    if scale >= 1:
        for t in texts:
            if t["font"] != "value" and t["px"] < 11:
                fail(config, f"text {t['text']!r} is {t['px']} px at scale {scale}")


def window_value_px(w, h):
    """layout_value_px: 20 px at 1280x720, with the window, within 10..56."""
    return min(56, max(10, int(20 * min(w / 1280, h / 720) + 0.5)))


E_NOTATION = re.compile(r"\de[\u2212+-]?\d")
CAPTION = re.compile(r"^Step [0-9,]+ \u00b7 error [0-9]+\.[0-9]{2}%$")


def check_present(config, d, scale, cells):
    """The presentation layout's own rules."""
    w, h = d["width"], d["height"]
    if not d.get("present"):
        fail(config, "not the presentation layout")
    names = {p["name"] for p in d["panels"]}
    for gone in ("footer", "buttons", "samples", "diff", "input", "residual"):
        if gone in names:
            fail(config, f"the presentation layout shows {gone}")
    if d.get("buttons"):
        fail(config, f"{len(d['buttons'])} buttons in the presentation layout")
    status = [t for t in d["texts"] if t["panel"] == "status"]
    for t in status:
        if E_NOTATION.search(t["text"]):
            fail(config, f"e-notation in the status: {t['text']!r}")
    # As the full layout's rule: a 3x3 kernel's values at least the window's
    # value size (its font sizes are steps: the largest not above it), a
    # bigger kernel's at least 14 px at 720p, scaled with the window.
    fonts = [10, 12, 14, 16, 18, 20, 24, 28, 32, 40]
    wanted = window_value_px(w, h) if cells == 9 else round(14 * min(w / 1280, h / 720))
    smallest = max([10] + [f for f in fonts if f <= wanted])
    for t in values(d):
        if t["px"] < smallest:
            fail(config, f"cell value {t['text']!r} is {t['px']} px, below {smallest}")
    if w / scale < 480:
        return  # the caption alone fills such a window: the common rules hold
    if not any(CAPTION.match(t["text"]) for t in status):
        fail(config, f"no caption 'Step N \u00b7 error X.XX%' in {[t['text'] for t in status]}")
    for panel in ("learned", "true"):
        if panel not in names:
            fail(config, f"the {panel} kernel's panel is missing")
    v = [t for t in values(d) if t["panel"] == "learned"]
    if len(v) != cells:
        fail(config, f"{len(v)} of the learned kernel's {cells} values drawn")
    if w >= 1280 and scale <= 1.5:
        for panel in ("output", "target"):
            if panel not in names:
                fail(config, f"the {panel} image is missing")
    if scale >= 1:
        for t in d["texts"]:
            if t["font"] != "value" and t["px"] < 11:
                fail(config, f"text {t['text']!r} is {t['px']} px at scale {scale}")


LAYER_SIZES = [(640, 360), (1280, 720), (1920, 1080)]
LAYER_SCALES = [1.0, 1.5, 2.0, None]
LAYER3 = ["--color", "--kernel", "sobel-x,sobel-y,laplacian"]
LAYER8 = ["--color", "--kernel",
          "sobel-x,sobel-y,laplacian,edge-x,edge-y,compass-ne,line,compass-se"]


def check_layer(config, d, scale, filters, random_view):
    """A layer's essentials: the table with every filter's caption, or the
    random-filters view with its label."""
    names = {p["name"] for p in d["panels"]}
    texts = d["texts"]
    if random_view:
        if "random_filters" not in names:
            fail(config, "the random-filters view is missing")
        if not any(t["panel"] == "random_filters" and t["text"].startswith("8 random")
                   for t in texts):
            fail(config, "the random-filters view has no label")
        return
    if "layer" not in names:
        fail(config, "the layer's table is missing")
    for f in range(1, filters + 1):
        if not any(t["panel"] == "layer" and re.match(rf"^(filter )?{f}\b.*error", t["text"])
                   for t in texts):
            fail(config, f"filter {f} has no caption with its error")
    if scale <= 1.5 and "chart" not in names:
        fail(config, "the loss chart is missing")
    if not any(t["panel"] == "status" and t["text"].startswith("step ") for t in texts):
        fail(config, "the status line has no step")


def layer_main(binary, work, common):
    """The layer's matrix: a 3-filter and an 8-filter colour layer, the
    random-filters view (Shift+X), training and the presentation layout."""
    jobs = []
    for w, h in LAYER_SIZES:
        for s in LAYER_SCALES:
            tag = f"{w}x{h}@{s if s else 'auto'}"
            jobs.append((tag + "+layer3", w, h, s, ["--paused"] + LAYER3))
            jobs.append((tag + "+layer8", w, h, s, ["--paused"] + LAYER8))
            jobs.append((tag + "+x", w, h, s,
                         ["--paused", "--press", "Shift+X", "--frames", "20"] + LAYER3))
        jobs.append((f"{w}x{h}@auto+layer3+train", w, h, None,
                     ["--frames", "40", "--speed", "60"] + LAYER3))
        jobs.append((f"{w}x{h}@auto+layer8+present", w, h, None, ["--present", "--paused"] + LAYER8))
    for name, w, h, s, extra in jobs:
        args = ["--width", str(w), "--height", str(h)] + common + extra
        if "--frames" not in extra:
            args += ["--frames", "3"]
        if s is not None:
            args += ["--scale", str(s)]
        d, error = run(binary, work, re.sub(r"[^0-9a-z.x@+]", "_", name), args)
        if error:
            fail(name, error)
            continue
        check_common(name, d)
        scale = s if s is not None else d["scale"]
        if w >= 1280 and scale <= 2 and "--present" not in extra:
            check_layer(name, d, scale, 8 if "layer8" in name else 3, name.endswith("+x"))
    for line in failures:
        print(line)
    print(f"{len(jobs)} layer layouts checked, {len(failures)} problems")
    return 1 if failures else 0


def main():
    binary = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="layout-")
    common = sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    if "--layer-matrix" in common:
        common.remove("--layer-matrix")
        return layer_main(binary, work, common)
    jobs = []
    for w, h in SIZES:
        for s in SCALES:
            jobs.append((f"{w}x{h}@{s}", w, h, s, ["--paused"]))
        # The help overlay, at the automatic scale and the largest.
        jobs.append((f"{w}x{h}@auto+help", w, h, None, ["--paused", "--show-help"]))
        jobs.append((f"{w}x{h}@3+help", w, h, 3.0, ["--paused", "--show-help"]))
    jobs.append((f"1280x720@{CTRL_PLUS_3:.3f}", 1280, 720, CTRL_PLUS_3, ["--paused"]))
    # Training, so the chart and the losses carry numbers; at 60 steps/s the
    # 40 frames hold at most about 40 steps whatever the machine's speed,
    # so the figures shown are everyday ones.
    jobs.append(("1920x1080@auto+train", 1920, 1080, None,
                 ["--frames", "40", "--speed", "60"]))
    jobs.append(("1280x720@1.5+train", 1280, 720, 1.5, ["--frames", "40", "--speed", "60"]))
    # A step's acknowledgement: it must not cover the button just pressed.
    jobs.append(("1280x720@1+ack", 1280, 720, 1.0, ["--paused", "--press", "N"]))
    jobs.append(("1920x1080@auto+ack", 1920, 1080, None, ["--paused", "--press", "N"]))
    # A 7x7 kernel's small values must stay readable too.
    jobs.append(("1280x720@1+box7", 1280, 720, 1.0, ["--paused", "--kernel", "box7"]))
    jobs.append(("1920x1080@auto+box7", 1920, 1080, None, ["--paused", "--kernel", "box7"]))
    # The presentation layout over its own matrix, training so the caption
    # and the status carry everyday numbers, and with box7.
    for w, h in PRESENT_SIZES:
        for s in PRESENT_SCALES:
            jobs.append((f"{w}x{h}@{s}+present", w, h, s,
                         ["--present", "--frames", "20", "--speed", "60"]))
        jobs.append((f"{w}x{h}@auto+present+box7", w, h, None,
                     ["--present", "--paused", "--kernel", "box7"]))

    # LAYOUT_ONLY=REGEX runs only the configurations it matches (while working).
    only = os.environ.get("LAYOUT_ONLY")
    if only:
        jobs = [j for j in jobs if re.search(only, j[0])]

    def one(job):
        name, w, h, s, extra = job
        args = ["--width", str(w), "--height", str(h)] + common + extra
        if "--frames" not in extra:
            args += ["--frames", "3"]
        if s is not None:
            args += ["--scale", str(s)]
        safe = re.sub(r"[^0-9a-z.x@+]", "_", name)
        return job, run(binary, work, safe, args)

    results = {}
    # One run at a time: the tests beside it in ctest keep their share of
    # the machine.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        for job, (d, error) in pool.map(one, jobs):
            name, w, h, s, extra = job
            if error:
                fail(name, error)
                continue
            results[name] = d
            check_common(name, d)
            if name.endswith("+ack"):
                check_acknowledgement(name, d)
            scale = s if s is not None else d["scale"]
            # Below an effective 480x270 (a 640x360 window at scale 2 or
            # more) the status line alone fills the window: only the rules
            # above hold there.
            cells = 49 if "box7" in name else 9
            if "--present" in extra:
                check_present(name, d, scale, cells)
            elif "--show-help" not in extra and w / scale >= 480:
                check_essentials(name, d, scale, cells)

    # Cell values never shrink as the scale grows, at every size.
    for w, h in SIZES:
        previous = None
        for s in SCALES:
            d = results.get(f"{w}x{h}@{s}")
            if d is None or not values(d):
                continue
            px = min(t["px"] for t in values(d))
            if previous is not None and px < previous[1]:
                fail(f"{w}x{h}", f"cell values shrink from {previous[1]} px at scale "
                                 f"{previous[0]} to {px} px at scale {s}")
            previous = (s, px)
    # The lesson command's scale and three presses of Ctrl + keep the values.
    base = results.get("1280x720@1.0")
    for name in ("1280x720@1.5", f"1280x720@{CTRL_PLUS_3:.3f}"):
        d = results.get(name)
        if base and d and values(base) and values(d):
            if min(t["px"] for t in values(d)) < min(t["px"] for t in values(base)):
                fail(name, "cell values smaller than at scale 1")
    # A projector at 1080p: a large status line in plain numbers.
    for name in ("1920x1080@auto+train", "1920x1080@1.5"):
        d = results.get(name)
        if not d:
            continue
        status = [t for t in d["texts"] if t["panel"] == "status" and t["font"] == "status"]
        if not status or min(t["px"] for t in status) < 24:
            fail(name, "the status line is smaller than 24 px")
        for t in status:
            if re.search(r"\de[\u2212+-]?\d", t["text"]):
                fail(name, f"e-notation in the status line: {t['text']!r}")
    box7 = results.get("1280x720@1+box7")
    if box7 and len([t for t in values(box7) if t["panel"] == "true"]) != 49:
        fail("1280x720@1+box7", "box7's 49 values are not all printed")

    for line in failures:
        print(line)
    print(f"{len(jobs)} layouts checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
