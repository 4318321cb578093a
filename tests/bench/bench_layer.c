/*
 * bench_layer.c: how fast the convolution layer (layer.h) runs on one core,
 * and how close to the machine.
 *
 * A program that prints figures, not a test: it never fails on a slow
 * machine. For 8 filters over colour 256x256 patches ('same' padding,
 * stride 1, ReLU, no pooling) and kernels of 3, 5, 7 and 9 it prints, as
 * the median over the repetitions,
 *
 *   fwd ms, bwd ms   one patch's forward pass, and its backward pass with
 *                    the weight and bias gradients (no input gradient: a
 *                    single layer has nothing to pass it to)
 *   f+b ms           the two together, one training step's work per patch
 *   GF/s             4 N K C F flops per patch (forward 2 N K C F, weight
 *                    gradient 2 N K C F; N output pixels, K taps, C
 *                    channels, F filters) over the f+b time
 *   %peak            GF/s against the per-core peak measured at the start
 *                    with an FMA loop at the widest vector width the CPU has
 *                    (as bench_train.c measures it)
 *   GB/s, %bw        the bytes each pass must read and write at least
 *                    (input, activations, dout, gradients) over the f+b
 *                    time, against the one-core read bandwidth measured at
 *                    the start: how far the layer is from being limited by
 *                    memory rather than arithmetic
 *   +din ms          the backward pass with the input gradient too
 *   ref ms           the reference pair (plain loops in double), only with
 *                    --ref since it takes seconds per patch
 *
 * Usage: bench_layer [--reps N] [--patches N] [--side K] [--ref]
 * (--side K: only the K x K kernel, e.g. for a profiler)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learnfilter/layer.h"
#include "learnfilter/rng.h"

#include "bench_util.h"

/* Times are the thread's CPU time, not the wall clock (bench_util.h says
 * why); the peak and the bandwidth are measured the same way. */
static double now_seconds(void) { return bench_thread_seconds(); }

/* GFLOP/s of one core, best of five runs; *name gets the instruction set. */
static double peak_measure(const char **name)
{
    bench_peak_kernel k = bench_peak_choose();
    *name = k.name;
    double best = 0;
    volatile float sink = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now_seconds();
        sink += k.run(BENCH_PEAK_ITERATIONS);
        double flops = bench_peak_flops(k, BENCH_PEAK_ITERATIONS) / (now_seconds() - t0);
        if (flops > best)
            best = flops;
    }
    (void)sink;
    return best * 1e-9;
}

/* One core's read bandwidth from memory, GB/s: sums of a 256 MB array
 * (far beyond any cache), best of five. */
static double bandwidth_measure(void)
{
    const size_t n = (size_t)64 << 20;
    float *a = malloc(n * sizeof(float));
    if (!a)
        return NAN;
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(i & 1023);
    double best = 0;
    volatile float sink = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now_seconds();
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = 0; i < n; i += 4)
            s0 += a[i], s1 += a[i + 1], s2 += a[i + 2], s3 += a[i + 3];
        double dt = now_seconds() - t0;
        sink += s0 + s1 + s2 + s3;
        double gbs = (double)n * sizeof(float) / dt * 1e-9;
        if (gbs > best)
            best = gbs;
    }
    (void)sink;
    free(a);
    return best;
}

/* ============================================================== layer */

typedef struct bench_buffers {
    lf_layer_shape shape;
    int patches;
    float *in, *params, *grads, *act, *out, *dout, *din, *work;
} bench_buffers;

static bench_buffers buffers_make(int k, int patches)
{
    lf_layer_desc d = {.in_height = 256, .in_width = 256, .k_height = k, .k_width = k,
                       .channels = 3, .filters = 8, .activation = LF_ACTIVATION_RELU};
    bench_buffers b = {.patches = patches};
    lf_error err;
    if (lf_layer_shape_make(&b.shape, &d, &err) != LF_OK) {
        fprintf(stderr, "bench_layer: %s\n", err.message);
        exit(1);
    }
    const lf_layer_shape *s = &b.shape;
    b.in = malloc(sizeof(float) * s->in_count * patches);
    b.params = malloc(sizeof(float) * s->param_count);
    b.grads = calloc(s->param_count, sizeof(float));
    b.act = malloc(sizeof(float) * s->act_count * patches);
    b.out = malloc(sizeof(float) * s->out_count * patches);
    b.dout = malloc(sizeof(float) * s->out_count * patches);
    b.din = calloc(s->in_count, sizeof(float));
    b.work = malloc(sizeof(float) * s->work_count);
    if (!b.in || !b.params || !b.grads || !b.act || !b.out || !b.dout || !b.din || !b.work) {
        fprintf(stderr, "bench_layer: out of memory\n");
        exit(1);
    }
    lf_rng rng;
    lf_rng_seed(&rng, (uint64_t)k);
    for (size_t i = 0; i < s->in_count * patches; i++)
        b.in[i] = (float)lf_rng_uniform(&rng);
    for (size_t i = 0; i < s->param_count; i++)
        b.params[i] = (float)(lf_rng_uniform(&rng) - 0.5) / k;
    for (size_t i = 0; i < s->out_count * patches; i++)
        b.dout[i] = (float)(lf_rng_uniform(&rng) - 0.5) * 1e-3f;
    return b;
}

static void buffers_free(bench_buffers *b)
{
    free(b->in), free(b->params), free(b->grads), free(b->act), free(b->out), free(b->dout);
    free(b->din), free(b->work);
}

enum { PASS_FORWARD, PASS_BACKWARD, PASS_BACKWARD_DIN, PASS_FORWARD_REF, PASS_BACKWARD_REF };

/* Seconds per patch of one pass, median of reps runs over every patch. */
static double time_pass(bench_buffers *b, int pass, int reps)
{
    const lf_layer_shape *s = &b->shape;
    double times[64];
    reps = reps < 64 ? reps : 64;
    for (int r = 0; r < reps; r++) {
        double t0 = now_seconds();
        for (int p = 0; p < b->patches; p++) {
            const float *in = b->in + p * s->in_count;
            /* no pooling: the activations are the output (layer.h allows it) */
            float *act = b->act + p * s->act_count, *out = act;
            const float *dout = b->dout + p * s->out_count;
            switch (pass) {
            case PASS_FORWARD:
                lf_layer_forward(out, act, in, b->params, s, b->work);
                break;
            case PASS_BACKWARD:
                lf_layer_backward(b->grads, NULL, dout, act, in, b->params, s, b->work);
                break;
            case PASS_BACKWARD_DIN:
                lf_layer_backward(b->grads, b->din, dout, act, in, b->params, s, b->work);
                break;
            case PASS_FORWARD_REF:
                lf_layer_forward_reference(out, act, in, b->params, s);
                break;
            default:
                lf_layer_backward_reference(b->grads, NULL, dout, act, in, b->params, s);
                break;
            }
        }
        times[r] = (now_seconds() - t0) / b->patches;
    }
    return bench_median(times, reps);
}

int main(int argc, char **argv)
{
    int reps = 9, patches = 8, only_side = 0;
    bool ref = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--patches") && i + 1 < argc)
            patches = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--side") && i + 1 < argc)
            only_side = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ref"))
            ref = true;
        else {
            fputs("usage: bench_layer [--reps N] [--patches N] [--side K] [--ref]\n", stderr);
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    if (patches < 1)
        patches = 1;

    const char *isa;
    double peak = peak_measure(&isa);
    double bw = bandwidth_measure();
    printf("bench_layer: one core, %d patches per repetition, median of %d repetitions\n",
           patches, reps);
    printf("machine: %.1f GFLOP/s per core (%s FMA loop), %.1f GB/s read bandwidth per core\n",
           peak, isa, bw);
    printf("layer: 8 filters, colour 256x256, 'same', stride 1, ReLU, no pooling\n");
    printf("%-6s %8s %8s %8s %8s %6s %7s %5s %8s %8s\n", "kernel", "fwd ms", "bwd ms", "f+b ms",
           "GF/s", "%peak", "GB/s", "%bw", "+din ms", "ref ms");
    static const int sides[] = {3, 5, 7, 9};
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        if (only_side && sides[i] != only_side)
            continue;
        bench_buffers b = buffers_make(sides[i], patches);
        const lf_layer_shape *s = &b.shape;
        time_pass(&b, PASS_FORWARD, 1); /* warm the caches and the workspace's pages */
        double fwd = time_pass(&b, PASS_FORWARD, reps);
        double bwd = time_pass(&b, PASS_BACKWARD, reps);
        double bwd_din = time_pass(&b, PASS_BACKWARD_DIN, reps);
        double both = fwd + bwd;
        double flops = 4.0 * (double)s->conv_height * s->conv_width * s->k_height * s->k_width *
                       s->channels * s->filters;
        /* forward reads in, writes act (= out here); backward reads dout,
         * act and in, and writes the gradients */
        double bytes = 4.0 * (2.0 * s->in_count + 2.0 * s->act_count + 2.0 * s->out_count +
                              2.0 * s->param_count);
        char refs[32] = "-";
        if (ref) {
            b.patches = 1;
            double r = time_pass(&b, PASS_FORWARD_REF, 1) + time_pass(&b, PASS_BACKWARD_REF, 1);
            snprintf(refs, sizeof refs, "%.0f", r * 1e3);
        }
        printf("%dx%-4d %8.3f %8.3f %8.3f %8.1f %6.1f %7.1f %5.1f %8.3f %8s\n", sides[i],
               sides[i], fwd * 1e3, bwd * 1e3, both * 1e3, flops / both * 1e-9,
               100.0 * flops / both * 1e-9 / peak, bytes / both * 1e-9,
               100.0 * bytes / both * 1e-9 / bw, (fwd + bwd_din) * 1e3, refs);
        fflush(stdout);
        buffers_free(&b);
    }
    return 0;
}
