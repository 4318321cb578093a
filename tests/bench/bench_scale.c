/*
 * bench_scale.c: the trainer on a photo set the size of the original's,
 * against the bundled one.
 *
 * The original trained on the 2,688 photos (256x256) of the MIT scene set.
 * The bundled 12 photos make 55 patches of 256x256; cut every 76 pixels
 * and in all 8 turns and mirrors (lf_dataset_options.patch_stride and
 * .variants) they make 2,784, a little more than the original. For each set,
 * kernel (Sobel x with SGD batch 4, the 32x32 smiley with Adam batch 1, the
 * original's settings) and engine asked for (direct, gram), one child
 * process loads the set, builds every per-patch cache (a pass of
 * lf_trainer_evaluate over all patches), times blocks of steps and reports:
 *
 *   engine      the engine that ran (gram is refused when its matrices
 *               would pass LF_GRAM_MAX_BYTES; on the large set the 8
 *               variants of a place share one (gram_variant.h), so the
 *               smiley's are 348 of 2.1 MB, 730 MB, where one per patch
 *               would be 5.9 GB)
 *   steps/s     median over the blocks of whole epochs (steady state: caches
 *               built; each block includes its epochs' validation passes)
 *   peak MB     the child's peak resident memory (getrusage ru_maxrss):
 *               loading, caches and training, everything the process held
 *   caches s    that first pass: building every Gram matrix (one per place
 *               on the large set) or every patch's spectrum
 *   ratio       the bundled set's steps/s over the large set's, same kernel
 *               and engine asked for, from the same run
 *
 * The smiley on the Gram engine, seven runs on a 2-vCPU AMD EPYC (Zen 5)
 * guest at load average 3.0-4.5: bundled 3,168-5,515 steps/s, large
 * 2,470-4,110 (ratio 0.96-1.91), peak 1,403 MB, caches 10-26 s for the
 * large set's 348 matrices. With a matrix per patch (before the variants
 * shared them) the large set fell back to the direct engine via the FFT:
 * 558-1,171 steps/s against 3,705-5,509 (ratio 4.4-8.4), peak 1,594 MB.
 *
 * Then the statistics engine's step against memory bandwidth: the smiley's
 * step reads one packed Gram matrix of 2.1 MB, and the bundled set's 44
 * training matrices (92 MB) do not fit in the cache, so the step streams
 * from memory. Its effective bandwidth (bytes of G read per step, the
 * validation pass's share included: 55 matrices per 44 steps, over the time
 * per step) is printed beside a STREAM-like copy (a[i] = b[i] over two 256 MB
 * arrays, counting the bytes read and written, as STREAM does) and a read
 * (sum of a 256 MB array), both on one thread, timed in the same child
 * right after the steps, medians of the repetitions. These three are timed
 * in the thread's processor time, so a machine shared with other work
 * skews their ratio less (steps/s above are wall time: what a user waits
 * for). A sweep of lf_gram_apply over 4 MB to 538 MB of distinct matrices
 * shows where the cache ends.
 *
 * On a 2-vCPU AMD EPYC (Zen 5) guest (1 MB of second-level cache per core,
 * no third-level size reported), with G in four-row panels read as one
 * stream (gram.h, gram_apply.c), run alternately with a build of the former
 * row-by-row layout: the step reads G at 20.9-25.5 GB/s, 71-90% of the read
 * (was 12.3-15.9 GB/s, 50-71%; five pairs, load 2.6-7); the sweep past the
 * cache, 67-538 MB, 24.4-31.8 GB/s, 81-103% of its rows' reads (was
 * 14.3-15.7, 47-61%), and 62-64 GB/s over 4 MB (was 41-43; two pairs,
 * load 2.6-3.9).
 *
 * A program that prints figures, never a test: a slow or busy machine is
 * not a failure. Usage, from the build folder:
 *   bench_scale [--reps N] [--seconds S] [--threads N] [--data FOLDER]
 *               [--only sets|bandwidth] [--kernel sobel-x|smiley]
 *               [--engine direct|gram]
 * Defaults: 7 repetitions of about 0.3 s, 2 threads. About three minutes.
 */
#define _DEFAULT_SOURCE /* getloadavg */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "learnfilter/dataset.h"
#include "learnfilter/gram.h"
#include "learnfilter/kernel.h"
#include "learnfilter/settings.h"
#include "learnfilter/trainer.h"

#include "bench_util.h"

#ifndef LF_SOURCE_DATA_DIR
#define LF_SOURCE_DATA_DIR "data"
#endif

/* The original-sized set: 2,784 patches of 256x256 from the bundled photos. */
#define LARGE_STRIDE 76
#define LARGE_VARIANTS 8
#define MAX_REPS 64
#define BIG_ARRAY_FLOATS ((size_t)64 << 20) /* 256 MB: far past any cache */

typedef struct bench_options {
    int reps;
    double seconds;
    int threads;
    const char *data;
    const char *only;
    const char *kernel; /* one kernel's rows only, or NULL for both */
    const char *engine; /* one engine's rows only, or NULL for both */
} bench_options;

typedef struct case_result {
    int ok;
    int engine;          /* lf_engine that ran */
    int fft;
    int patches;
    double load_seconds; /* loading the set */
    double warm_seconds; /* building every patch's cache */
    double steps_per_s;
    double peak_mb;      /* ru_maxrss */
    double gram_gbs;     /* bytes of G per step / time per step, or 0 */
    double copy_gbs;     /* STREAM copy, same child, after the steps */
    double read_gbs;
    char error[LF_ERROR_MESSAGE_MAX];
} case_result;

/* ============================================================ memory */

/* a[i] = b[i] over two 256 MB arrays, bytes read and written per second
 * (GB/s): the median of reps. */
static double copy_bandwidth(int reps)
{
    float *a = malloc(BIG_ARRAY_FLOATS * sizeof(float));
    float *b = malloc(BIG_ARRAY_FLOATS * sizeof(float));
    if (!a || !b) {
        free(a);
        free(b);
        return NAN;
    }
    for (size_t i = 0; i < BIG_ARRAY_FLOATS; i++)
        a[i] = 0, b[i] = (float)(i & 1023);
    double rates[MAX_REPS];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_thread_seconds();
        memcpy(a, b, BIG_ARRAY_FLOATS * sizeof(float));
        double dt = bench_thread_seconds() - t0;
        rates[r] = 2.0 * BIG_ARRAY_FLOATS * sizeof(float) / dt * 1e-9;
    }
    volatile float sink = a[12345];
    (void)sink;
    free(a);
    free(b);
    return bench_median(rates, reps);
}

/* Sums a 256 MB array: bytes read per second (GB/s), median of reps. */
static double read_bandwidth(int reps)
{
    float *a = malloc(BIG_ARRAY_FLOATS * sizeof(float));
    if (!a)
        return NAN;
    for (size_t i = 0; i < BIG_ARRAY_FLOATS; i++)
        a[i] = (float)(i & 1023);
    double rates[MAX_REPS];
    volatile float sink = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_thread_seconds();
        float s[16] = {0};
        for (size_t i = 0; i < BIG_ARRAY_FLOATS; i += 16)
            for (int j = 0; j < 16; j++)
                s[j] += a[i + j];
        double dt = bench_thread_seconds() - t0;
        for (int j = 0; j < 16; j++)
            sink += s[j];
        rates[r] = (double)BIG_ARRAY_FLOATS * sizeof(float) / dt * 1e-9;
    }
    free(a);
    return bench_median(rates, reps);
}

static double peak_resident_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

/* ============================================================ one case */

static lf_status load_set(lf_dataset *ds, const bench_options *o, bool large, lf_error *err)
{
    const char *paths[1] = {o->data};
    lf_dataset_options d = {.paths = paths, .path_count = 1, .patch_size = 256, .seed = 1};
    if (large) {
        d.patch_stride = LARGE_STRIDE;
        d.variants = LARGE_VARIANTS;
    }
    return lf_dataset_load(ds, &d, err);
}

/* Loads, builds, times; runs in a child of its own so that its peak
 * memory is its own. */
static case_result run_case(const bench_options *o, bool large, const char *kernel,
                            lf_engine engine)
{
    case_result r = {0};
    lf_error err;
    lf_dataset ds;
    double t0 = bench_wall_seconds();
    if (load_set(&ds, o, large, &err) != LF_OK) {
        snprintf(r.error, sizeof r.error, "%s", err.message);
        return r;
    }
    r.load_seconds = bench_wall_seconds() - t0;
    r.patches = ds.patch_count;
    lf_kernel k;
    if (lf_kernel_from_name(&k, kernel, 0, &err) != LF_OK) {
        snprintf(r.error, sizeof r.error, "%s", err.message);
        return r;
    }
    lf_trainer_options to = {.target = k, .settings = lf_settings_for_kernel(&k), .seed = 1,
                             .engine = engine, .threads = o->threads};
    lf_trainer *t = lf_trainer_create(&to, &ds, &err);
    if (!t) {
        snprintf(r.error, sizeof r.error, "%s", err.message);
        return r;
    }
    r.engine = lf_trainer_engine(t);
    r.fft = lf_trainer_uses_fft(t);
    t0 = bench_wall_seconds();
    lf_trainer_evaluate(t, 0, ds.patch_count); /* every patch's G or spectrum */
    r.warm_seconds = bench_wall_seconds() - t0;

    /* Blocks of about o->seconds. */
    long n = 1;
    for (;;) {
        double a = bench_wall_seconds();
        for (long i = 0; i < n; i++)
            if (lf_trainer_step(t, NULL) != LF_OK)
                lf_trainer_reset(t);
        double dt = bench_wall_seconds() - a;
        if (dt >= 0.2 * o->seconds) {
            n = (long)(n * o->seconds / dt) + 1;
            break;
        }
        n *= 4;
    }
    /* Whole epochs, so every block pays its share of the validation pass
     * at the end of an epoch (557 steps on the large set at batch 4). */
    const long epoch = lf_trainer_figures(t)->steps_per_epoch;
    n = (n + epoch - 1) / epoch * epoch;
    double rates[MAX_REPS], cpu_rates[MAX_REPS];
    for (int rep = 0; rep < o->reps; rep++) {
        double a = bench_wall_seconds(), c = bench_thread_seconds();
        for (long i = 0; i < n; i++)
            if (lf_trainer_step(t, NULL) != LF_OK)
                lf_trainer_reset(t);
        rates[rep] = n / (bench_wall_seconds() - a);
        cpu_rates[rep] = n / (bench_thread_seconds() - c);
    }
    r.steps_per_s = bench_median(rates, o->reps);
    r.peak_mb = peak_resident_mb(); /* before the bandwidth arrays below */
    if (r.engine == LF_ENGINE_GRAM) {
        /* An epoch reads every training patch's G once and, for the
         * validation loss at its end, every validation patch's. */
        double p = k.height * k.width + 1.0;
        double bytes = p * (p + 1) / 2 * sizeof(float) * ds.patch_count / (double)epoch;
        /* In this thread's processor time, as the bandwidths below: the
         * smiley's G d runs on the calling thread alone (GRAM_SPLIT_MIN_PARAMS),
         * and time spent waiting for a core on a shared machine is not the
         * step's. */
        r.gram_gbs = bytes * bench_median(cpu_rates, o->reps) * 1e-9;
    }
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
    r.copy_gbs = copy_bandwidth(o->reps);
    r.read_gbs = read_bandwidth(o->reps);
    r.ok = 1;
    return r;
}

static case_result run_in_child(const bench_options *o, bool large, const char *kernel,
                                lf_engine engine)
{
    case_result r = {0};
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(r.error, sizeof r.error, "pipe failed");
        return r;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        case_result c = run_case(o, large, kernel, engine);
        ssize_t w = write(fds[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], &r, sizeof r) != (ssize_t)sizeof r) {
        memset(&r, 0, sizeof r);
        snprintf(r.error, sizeof r.error, "the child failed");
    }
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return r;
}

static const char *engine_label(const case_result *r)
{
    if (r->engine == LF_ENGINE_GRAM)
        return "gram";
    return r->fft ? "direct (fft)" : "direct";
}

/* ============================================================ sections */

static void section_sets(const bench_options *o)
{
    const char *kernels[2] = {"sobel-x", "smiley"};
    const lf_engine engines[2] = {LF_ENGINE_DIRECT, LF_ENGINE_GRAM};
    printf("set       patches  kernel   asked   ran            steps/s    peak MB  "
           "load s  caches s  ratio\n");
    for (int k = 0; k < 2; k++)
        for (int e = 0; e < 2; e++) {
            if ((o->kernel && strcmp(o->kernel, kernels[k])) ||
                (o->engine && strcmp(o->engine, lf_engine_name(engines[e]))))
                continue;
            case_result small = {0};
            for (int large = 0; large < 2; large++) {
                case_result r = run_in_child(o, large, kernels[k], engines[e]);
                if (!r.ok) {
                    printf("%-8s  %s %s: %s\n", large ? "large" : "bundled", kernels[k],
                           lf_engine_name(engines[e]), r.error);
                    continue;
                }
                char ratio[32] = "";
                if (large && small.ok)
                    snprintf(ratio, sizeof ratio, "%.2f", small.steps_per_s / r.steps_per_s);
                printf("%-8s  %7d  %-7s  %-6s  %-13s  %9.0f  %8.0f  %6.1f  %8.1f  %s\n",
                       large ? "large" : "bundled", r.patches, kernels[k],
                       lf_engine_name(engines[e]), engine_label(&r), r.steps_per_s, r.peak_mb,
                       r.load_seconds, r.warm_seconds, ratio);
                if (r.gram_gbs > 0)
                    printf("          the step reads G at %.1f GB/s: %.0f%% of a copy's %.1f "
                           "GB/s, %.0f%% of a read's %.1f GB/s (same child)\n",
                           r.gram_gbs, 100 * r.gram_gbs / r.copy_gbs, r.copy_gbs,
                           100 * r.gram_gbs / r.read_gbs, r.read_gbs);
                if (!large)
                    small = r;
                fflush(stdout);
            }
        }
}

/* lf_gram_apply over `count` distinct smiley-sized matrices in turn, as a
 * step of batch 1 does: GB/s of G read, median of reps. */
static double gram_sweep_rate(int count, int reps, double seconds)
{
    const int p = 32 * 32 + 1;
    const size_t each = lf_gram_packed_count(p);
    float *g = malloc(sizeof(float) * each * (size_t)count);
    float *d = malloc(sizeof(float) * (size_t)p), *grad = calloc((size_t)p, sizeof(float));
    float *y = malloc(sizeof(float) * (size_t)p);
    if (!g || !d || !grad || !y) {
        free(g);
        free(d);
        free(grad);
        free(y);
        return NAN;
    }
    for (size_t i = 0; i < each * (size_t)count; i++)
        g[i] = (float)((i * 2654435761u) & 1023) * (1.0f / 1024);
    for (int i = 0; i < p; i++)
        d[i] = (float)(i & 7) * 0.01f;
    double sink = 0;
    long n = count;
    for (;;) { /* calibrate whole passes over the matrices */
        double a = bench_thread_seconds();
        for (long i = 0; i < n; i++)
            sink += lf_gram_apply(grad, y, g + each * (size_t)(i % count), d, p, 1e-9f);
        double dt = bench_thread_seconds() - a;
        if (dt >= 0.2 * seconds) {
            n = (long)(n * seconds / dt) + 1;
            break;
        }
        n *= 4;
    }
    double rates[MAX_REPS];
    for (int r = 0; r < reps; r++) {
        double a = bench_thread_seconds();
        for (long i = 0; i < n; i++)
            sink += lf_gram_apply(grad, y, g + each * (size_t)(i % count), d, p, 1e-9f);
        rates[r] = (double)n * each * sizeof(float) / (bench_thread_seconds() - a) * 1e-9;
    }
    volatile double keep = sink;
    (void)keep;
    free(g);
    free(d);
    free(grad);
    free(y);
    return bench_median(rates, reps);
}

static void section_bandwidth(const bench_options *o)
{
    printf("\nlf_gram_apply (P = 1025, the smiley) over distinct matrices, one thread:\n");
    printf("matrices     MB   GB/s of G   %% of copy   %% of read\n");
    const int counts[] = {2, 8, 32, 128, 256};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        double rate = gram_sweep_rate(counts[i], o->reps, o->seconds);
        double copy = copy_bandwidth(o->reps), read = read_bandwidth(o->reps);
        printf("%8d  %5.0f   %9.1f   %9.0f   %9.0f\n", counts[i],
               counts[i] * lf_gram_packed_count(1025) * 4.0 / 1e6, rate, 100 * rate / copy,
               100 * rate / read);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    bench_options o = {.reps = 7, .seconds = 0.3, .threads = 2, .data = LF_SOURCE_DATA_DIR};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            o.reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            o.seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--data") && i + 1 < argc)
            o.data = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            o.only = argv[++i];
        else if (!strcmp(argv[i], "--kernel") && i + 1 < argc)
            o.kernel = argv[++i];
        else if (!strcmp(argv[i], "--engine") && i + 1 < argc)
            o.engine = argv[++i];
        else {
            fprintf(stderr,
                    "usage: bench_scale [--reps N] [--seconds S] [--threads N] [--data FOLDER] "
                    "[--only sets|bandwidth] [--kernel sobel-x|smiley] [--engine direct|gram]\n");
            return 2;
        }
    }
    if (o.reps < 1)
        o.reps = 1;
    if (o.reps > MAX_REPS)
        o.reps = MAX_REPS;
    if (!(o.seconds > 0))
        o.seconds = 0.3;
    double load[3];
    if (getloadavg(load, 3) == 3)
        printf("load average at the start: %.2f %.2f %.2f; %d threads, medians of %d\n", load[0],
               load[1], load[2], o.threads, o.reps);
    printf("large set: the bundled photos every %d pixels in %d variants\n\n", LARGE_STRIDE,
           LARGE_VARIANTS);
    if (!o.only || !strcmp(o.only, "sets"))
        section_sets(&o);
    if (!o.only || !strcmp(o.only, "bandwidth"))
        section_bandwidth(&o);
    if (getloadavg(load, 3) == 3)
        printf("\nload average at the end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    return 0;
}
