#!/usr/bin/python3
"""Writes the reference cases tests/test_layer.c compares the layer with.

The numbers come from PyTorch (torch.nn.functional.conv2d, the activations,
max_pool2d, mse_loss, autograd and plain SGD), not from learnfilter, so the
test holds the C code to an independent implementation. Run with Debian's
python3 and python3-torch from anywhere; it rewrites layer_*.txt beside
itself:

    /usr/bin/python3 tests/reference/make_layer_reference.py

Each case is a text file. The first line describes the layer:

    layer C F H W kh kw stride padding activation pool batch lr steps

then named sections, each a line "name rows cols" followed by rows lines of
cols numbers (tensors flattened to (everything but the last axis, last axis)):

    input        (B, C, H, W)   float32 values, written exactly
    weight       (F, C, kh, kw) float32
    bias         (1, F)         float32
    true_weight  (F, C, kh, kw) float32, the weights the targets are made with
    target       (B, F, oh, ow) the layer with true_weight and zero bias
    output       (B, F, oh, ow) the layer with weight and bias
    loss         (1, 1)         mse_loss(output, target), mean over every value
    dweight      (F, C, kh, kw) d loss / d weight
    dbias        (1, F)
    dinput       (B, C, H, W)   d loss / d input
    sgd_loss     (1, steps)     the loss before each of `steps` SGD updates
                                p -= lr * grad over the whole batch
    sgd_weight   (F, C, kh, kw) the weights after them
    sgd_bias     (1, F)

Everything is computed in float64 from the float32 inputs.

Padding 'same' is TensorFlow's rule: ceil(n / S) outputs, P = max((ceil(n/S)
- 1) S + K - n, 0) zeros, P // 2 before and the rest after. For stride 1 the
script lets PyTorch pad (padding='same'), which checks the rule where PyTorch
has one; for larger strides PyTorch has no 'same', so it pads by hand.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def tf_same_pads(n, k, s):
    out = (n + s - 1) // s
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def layer(x, w, b, stride, padding, activation, pool):
    kh, kw = w.shape[2], w.shape[3]
    if padding == "same" and stride == 1:
        z = F.conv2d(x, w, b, stride=1, padding="same")
    else:
        if padding == "same":
            top, bottom = tf_same_pads(x.shape[2], kh, stride)
            left, right = tf_same_pads(x.shape[3], kw, stride)
            x = F.pad(x, (left, right, top, bottom))
        z = F.conv2d(x, w, b, stride=stride)
    a = {"none": lambda t: t, "relu": torch.relu, "sigmoid": torch.sigmoid,
         "tanh": torch.tanh}[activation](z)
    return F.max_pool2d(a, pool) if pool > 1 else a


def f32(rng, lo, hi, shape):
    """Uniform values rounded to float32, so the C test reads exactly these."""
    v = rng.uniform(lo, hi, size=shape).astype(np.float32)
    return torch.tensor(v.astype(np.float64))


def write_section(f, name, t):
    a = t.detach().numpy().astype(np.float64)
    a = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(1, -1)
    f.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        f.write(" ".join("%.9g" % v for v in row) + "\n")


def make_case(name, seed, C, Fn, H, W, kh, kw, stride, padding, activation, pool, batch,
              lr=0.05, steps=3):
    rng = np.random.default_rng(seed)
    x = f32(rng, 0.0, 1.0, (batch, C, H, W)).requires_grad_(True)
    w = f32(rng, -0.5, 0.5, (Fn, C, kh, kw)).requires_grad_(True)
    b = f32(rng, -0.2, 0.2, (Fn,)).requires_grad_(True)
    wt = f32(rng, -0.5, 0.5, (Fn, C, kh, kw))
    with torch.no_grad():
        target = layer(x, wt, None, stride, padding, activation, pool)
    out = layer(x, w, b, stride, padding, activation, pool)
    loss = F.mse_loss(out, target)
    loss.backward()

    # SGD from the same start, over the whole batch.
    ws, bs = w.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(steps):
        ls = F.mse_loss(layer(x.detach(), ws, bs, stride, padding, activation, pool), target)
        losses.append(ls.item())
        ws.grad = None
        bs.grad = None
        ls.backward()
        with torch.no_grad():
            ws -= lr * ws.grad
            bs -= lr * bs.grad

    path = os.path.join(HERE, "layer_%s.txt" % name)
    with open(path, "w") as f:
        f.write("layer %d %d %d %d %d %d %d %s %s %d %d %.9g %d\n" % (
            C, Fn, H, W, kh, kw, stride, padding, activation, pool, batch, lr, steps))
        write_section(f, "input", x)
        write_section(f, "weight", w)
        write_section(f, "bias", b)
        write_section(f, "true_weight", wt)
        write_section(f, "target", target)
        write_section(f, "output", out)
        write_section(f, "loss", loss.reshape(1, 1))
        write_section(f, "dweight", w.grad)
        write_section(f, "dbias", b.grad)
        write_section(f, "dinput", x.grad)
        write_section(f, "sgd_loss", torch.tensor(losses))
        write_section(f, "sgd_weight", ws)
        write_section(f, "sgd_bias", bs)
    print("wrote", path)


def main():
    torch.set_default_dtype(torch.float64)
    # name, seed, C, F, H, W, kh, kw, stride, padding, activation, pool, batch
    make_case("relu_s2_pool2", 1, 3, 2, 9, 11, 3, 3, 2, "same", "relu", 2, 1)
    make_case("tanh_2x4_s2", 2, 3, 4, 9, 11, 2, 4, 2, "same", "tanh", 0, 1)
    make_case("sigmoid_valid_pool2", 3, 3, 3, 9, 11, 3, 3, 1, "valid", "sigmoid", 2, 1)
    make_case("relu_2x4_gray_b2", 4, 1, 3, 9, 11, 2, 4, 1, "same", "relu", 0, 2)
    make_case("none_gray_s3_valid", 5, 1, 3, 9, 11, 3, 2, 3, "valid", "none", 0, 1)
    make_case("tanh_s2_valid_pool3", 6, 3, 2, 9, 11, 2, 2, 2, "valid", "tanh", 3, 1)


if __name__ == "__main__":
    main()
