/*
 * bench_train.c: how fast the trainer runs, and how close to the machine.
 *
 * A program that prints figures, not a test: it never fails on a slow
 * machine. For each setting it prints
 *
 *   us/step   median over the repetitions of the wall time of one step, with
 *             everything a step needs already cached (targets, and the Gram
 *             matrices for that engine), so it is the steady rate
 *   steps/s   1e6 / us/step
 *   GF/s dir  the direct path's arithmetic per step, 4 N K flops per patch
 *             (forward 2 N K, weight gradient 2 N K; N output pixels, K taps),
 *             divided by the step time: the same yardstick for both engines
 *   GF/s act  the arithmetic the engine really does: 4 N K for direct, and
 *             2 P^2 for the Gram engine's G d (P = K + 1)
 *   %peak     GF/s act against the machine peak measured at the start (an
 *             FMA loop per thread at the widest vector width the CPU has)
 *   build     the Gram engine's one-off cost per patch (ms), paid the first
 *             time a patch is used
 *   engine    gram, direct (the plain loops) or fft (the direct engine
 *             through the FFT: only GF/s dir is shown, since the
 *             transforms' own count depends on FFTW's algorithm)
 *   to 1%     for the original's settings: steps and seconds from a fresh
 *             trainer (including every one-off cost) until the relative
 *             kernel error is at most 1%, or the cap
 *
 * The section "layer" times the direct engine of a layer (layer.h's
 * routines, engine_layer.c) beside the original's Sobel x on the plain
 * direct engine: the same patches and batch, then a ReLU, then 8 colour
 * filters of 5x5 and of 7x7; its GF/s count 4 N K F C flops per patch (N the
 * convolution's outputs). After the first row it prints the input bandwidth
 * that step reads, against the machine's (measured at the start: a 256 MB
 * buffer summed on one thread). For the ratio against PyTorch in the same
 * run: tests/bench/compare_pytorch.py --engine direct --settings sobel-x.
 *
 * Usage: learnfilter_bench [--only original,kernels,patches,threads,layer]
 *                          [--reps N] [--cap SECONDS] [--threads N]
 *                          [--data FOLDER] [--quick] [--direct-to-tol]
 * The default runs everything in about three minutes, the time-to-1% runs
 * capped at 30 s (--cap 300 lets the smiley finish).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "learnfilter/dataset.h"
#include "learnfilter/gram.h"
#include "learnfilter/kernel.h"
#include "learnfilter/rng.h"
#include "learnfilter/trainer.h"

#include "bench_util.h"

#ifndef LF_SOURCE_DATA_DIR
#define LF_SOURCE_DATA_DIR "data"
#endif

/* ============================================================ options */

typedef struct bench_options {
    const char *only;   /* comma-separated sections; NULL: all */
    int reps;           /* timed repetitions per setting */
    double rep_seconds; /* target length of one repetition */
    double cap;         /* seconds a time-to-1% run may take */
    int threads;        /* trainer threads; 0: all cores */
    const char *data;   /* photographs */
    bool direct_to_tol; /* also time the direct engine to 1% */
} bench_options;

static double now_seconds(void) { return bench_wall_seconds(); }

static bool wants(const bench_options *o, const char *section)
{
    if (!o->only)
        return true;
    const char *p = o->only;
    size_t n = strlen(section);
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, section, n))
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

/* ======================================================= machine peak */

typedef struct peak_job {
    bench_peak_kernel kernel;
    long iterations;
    double seconds;
    float sink;
} peak_job;

static void *peak_thread(void *arg)
{
    peak_job *job = arg;
    double t0 = now_seconds();
    job->sink = job->kernel.run(job->iterations);
    job->seconds = now_seconds() - t0;
    return NULL;
}

/* GFLOP/s of `threads` threads running the FMA loop at once (best of 5). */
static double peak_measure(bench_peak_kernel k, int threads)
{
    enum { MAX_THREADS = 64 };
    const long iterations = BENCH_PEAK_ITERATIONS;
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        peak_job jobs[MAX_THREADS];
        pthread_t ids[MAX_THREADS];
        for (int i = 0; i < threads; i++) {
            jobs[i] = (peak_job){.kernel = k, .iterations = iterations};
            pthread_create(&ids[i], NULL, peak_thread, &jobs[i]);
        }
        double flops = 0;
        for (int i = 0; i < threads; i++) {
            pthread_join(ids[i], NULL);
            flops += bench_peak_flops(k, iterations) / jobs[i].seconds;
        }
        if (flops > best)
            best = flops;
    }
    return best * 1e-9;
}

/* ============================================================ settings */

typedef struct bench_setting {
    const char *label;
    lf_kernel kernel;
    lf_train_settings settings;
    lf_engine engine;
    int fft;            /* lf_trainer_options.fft */
    int threads;
    lf_layer_options layer; /* zero: one gray filter */
} bench_setting;

/* A k x k kernel with random weights of unit norm, for the sweeps. */
static lf_kernel random_kernel(int k)
{
    lf_kernel kernel = {.height = k, .width = k};
    snprintf(kernel.name, sizeof kernel.name, "random-%dx%d", k, k);
    lf_rng rng;
    lf_rng_seed(&rng, (uint64_t)k);
    double norm = 0;
    for (int i = 0; i < k * k; i++) {
        kernel.weights[i] = (float)(2.0 * lf_rng_uniform(&rng) - 1.0);
        norm += (double)kernel.weights[i] * kernel.weights[i];
    }
    for (int i = 0; i < k * k; i++)
        kernel.weights[i] = (float)(kernel.weights[i] / sqrt(norm));
    return kernel;
}

static lf_kernel catalog_kernel(const char *name)
{
    lf_kernel k;
    lf_error err;
    if (lf_kernel_from_name(&k, name, 1, &err) != LF_OK) {
        fprintf(stderr, "learnfilter_bench: %s\n", err.message);
        exit(1);
    }
    return k;
}

static lf_trainer *make_trainer(const bench_setting *s, const lf_dataset *ds)
{
    lf_trainer_options o = {.target = s->kernel,
                            .settings = s->settings,
                            .seed = 1,
                            .engine = s->engine,
                            .fft = s->fft,
                            .threads = s->threads,
                            .layer = s->layer};
    lf_error err;
    lf_trainer *t = lf_trainer_create(&o, ds, &err);
    if (!t) {
        fprintf(stderr, "learnfilter_bench: %s: %s\n", s->label, err.message);
        exit(1);
    }
    return t;
}

/* Steps that keep going: a divergence (possible for a random kernel with
 * SGD) restarts the run, which costs what a step costs. */
static void run_steps(lf_trainer *t, long n)
{
    for (long i = 0; i < n; i++)
        if (lf_trainer_step(t, NULL) != LF_OK)
            lf_trainer_reset(t);
}

typedef struct bench_result {
    lf_engine engine;
    bool fft;           /* the direct engine through the FFT */
    double us_per_step;
    double build_ms;    /* Gram statistics per patch, or NaN */
    double flops_direct;
    double flops_actual;
} bench_result;

/* Steady-state time of one step: the first pass over every patch builds
 * targets and statistics, then reps timed runs of a calibrated length. */
static bench_result bench_steady(const bench_setting *s, const lf_dataset *ds,
                                 const bench_options *o)
{
    lf_trainer *t = make_trainer(s, ds);
    bench_result r = {.engine = lf_trainer_engine(t), .fft = lf_trainer_uses_fft(t),
                      .build_ms = NAN};
    double t0 = now_seconds();
    lf_trainer_evaluate(t, 0, ds->patch_count); /* builds every patch's target or G */
    double warm = now_seconds() - t0;
    if (r.engine == LF_ENGINE_GRAM)
        r.build_ms = 1e3 * warm / ds->patch_count;

    /* Calibrate: steps that take about rep_seconds. */
    long n = 1;
    for (;;) {
        double a = now_seconds();
        run_steps(t, n);
        double dt = now_seconds() - a;
        if (dt >= 0.2 * o->rep_seconds || n >= (1L << 30))
            {
                n = (long)(n * o->rep_seconds / (dt > 0 ? dt : 1e-9));
                break;
            }
        n *= 4;
    }
    if (n < 1)
        n = 1;
    double times[64];
    int reps = o->reps < 64 ? o->reps : 64;
    for (int i = 0; i < reps; i++) {
        double a = now_seconds();
        run_steps(t, n);
        times[i] = (now_seconds() - a) / n;
    }
    r.us_per_step = 1e6 * bench_median(times, reps);

    double nk = (double)ds->patch_size * ds->patch_size * s->kernel.height * s->kernel.width;
    double p = s->kernel.height * s->kernel.width + 1.0, filters = 1;
    if (!lf_layer_options_plain(&s->layer)) {
        /* every filter over every channel, at the convolution's outputs;
         * the Gram engine applies one G of C K + 1 per filter */
        const lf_layer_shape *l = lf_trainer_layer_shape(t);
        nk = (double)l->conv_height * l->conv_width * (double)l->weight_count;
        filters = l->filters;
        p = (double)l->weight_count / filters + 1.0;
    }
    const int batch = s->settings.batch_size;
    r.flops_direct = 4.0 * nk * batch;
    r.flops_actual =
        r.engine == LF_ENGINE_GRAM ? 2.0 * p * p * filters * batch : r.flops_direct;
    lf_trainer_destroy(t);
    return r;
}

/* Time from a fresh trainer to 1% relative error, every one-off cost
 * included. Returns the seconds, or NaN at the cap; *steps gets the step
 * count and *rel_err where it ended. */
static double time_to_tolerance(const bench_setting *s, const lf_dataset *ds, double cap,
                                long *steps, double *rel_err)
{
    double t0 = now_seconds();
    lf_trainer *t = make_trainer(s, ds);
    const lf_figures *f = lf_trainer_figures(t);
    double result = NAN;
    for (;;) {
        if (lf_trainer_step(t, NULL) != LF_OK)
            break;
        if (f->converged) {
            result = now_seconds() - t0;
            break;
        }
        if ((f->step & 255) == 0 && now_seconds() - t0 > cap)
            break;
    }
    *steps = f->step;
    *rel_err = f->rel_err;
    lf_trainer_destroy(t);
    return result;
}

/* ============================================================== output */

static double g_peak_all, g_peak_one, g_bandwidth;

static void print_header(void)
{
    printf("%-22s %-6s %5s %11s %11s %9s %9s %6s %9s %16s\n", "setting", "engine", "batch",
           "us/step", "steps/s", "GF/s dir", "GF/s act", "%peak", "build ms", "to 1%");
}

static void print_row(const bench_setting *s, const bench_result *r, const char *to_tol)
{
    double sec = r->us_per_step * 1e-6;
    char build[32] = "-";
    if (isfinite(r->build_ms))
        snprintf(build, sizeof build, "%.2f", r->build_ms);
    double peak = s->threads == 1 ? g_peak_one : g_peak_all;
    /* Through the FFT the work is FFTW's, whose flop count depends on the
     * algorithm it picked: only the direct-path yardstick is shown. */
    char act[16] = "-", of_peak[16] = "-";
    if (!r->fft) {
        snprintf(act, sizeof act, "%.2f", r->flops_actual / sec * 1e-9);
        snprintf(of_peak, sizeof of_peak, "%.1f", 100.0 * r->flops_actual / sec * 1e-9 / peak);
    }
    printf("%-22s %-6s %5d %11.2f %11.0f %9.2f %9s %6s %9s %16s\n", s->label,
           r->fft ? "fft" : lf_engine_name(r->engine), s->settings.batch_size, r->us_per_step,
           1.0 / sec, r->flops_direct / sec * 1e-9, act, of_peak, build, to_tol);
    fflush(stdout);
}

static lf_dataset load_dataset_channels(const bench_options *o, int patch_size, int channels)
{
    lf_dataset ds;
    lf_error err;
    const char *paths[1] = {o->data};
    lf_dataset_options d = {.paths = paths, .path_count = 1, .patch_size = patch_size, .seed = 1,
                            .channels = channels};
    if (lf_dataset_load(&ds, &d, &err) != LF_OK) {
        fprintf(stderr, "learnfilter_bench: %s\n", err.message);
        exit(1);
    }
    return ds;
}

static lf_dataset load_dataset(const bench_options *o, int patch_size)
{
    return load_dataset_channels(o, patch_size, 1);
}

/* ============================================================ sections */

static void section_original(const bench_options *o)
{
    lf_dataset ds = load_dataset(o, 256);
    printf("\n== the original's settings: %d patches of 256x256 (%d for training), "
           "to 1%% capped at %.0f s\n",
           ds.patch_count, ds.train_count, o->cap);
    print_header();
    const char *names[] = {"sobel-x", "sobel-y", "smiley"};
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 3; k++) {
            bench_setting s = {.kernel = catalog_kernel(names[k]),
                               .engine = e == 0 ? LF_ENGINE_GRAM : LF_ENGINE_DIRECT,
                               .threads = o->threads};
            s.settings = lf_settings_for_kernel(&s.kernel);
            char label[64];
            snprintf(label, sizeof label, "%s %s b%d", names[k],
                     lf_optimizer_name(s.settings.optimizer), s.settings.batch_size);
            s.label = label;
            bench_result r = bench_steady(&s, &ds, o);
            long steps;
            double rel;
            /* The direct engine takes the same steps as the Gram engine
             * (tests/test_gram.c), so its time follows from their count and
             * its rate; measuring it takes minutes, so only on request. */
            char to_tol[48] = "-";
            if (e == 0 || (o->direct_to_tol && k < 2)) {
                double sec = time_to_tolerance(&s, &ds, o->cap, &steps, &rel);
                if (isfinite(sec))
                    snprintf(to_tol, sizeof to_tol, "%ld st %.2fs", steps, sec);
                else
                    snprintf(to_tol, sizeof to_tol, ">%.0fs (%.1f%%)", o->cap, 100 * rel);
            }
            print_row(&s, &r, to_tol);
        }
    lf_dataset_deinit(&ds);
}

/* The sweeps time steps, not the one-off statistics and targets: a few
 * patches are enough, and building them for every photograph at every
 * size would take most of the run. */
static lf_dataset first_patches(const lf_dataset *ds)
{
    lf_dataset view = *ds;
    if (view.patch_count > 8) {
        view.patch_count = 8;
        view.train_count = 6;
        view.validation_count = 2;
    }
    return view;
}

static void section_kernels(const bench_options *o)
{
    static const int sides[] = {3, 5, 7, 9, 15, 31, 32, 48, 64};
    lf_dataset all = load_dataset(o, 256);
    lf_dataset ds = first_patches(&all);
    printf("\n== kernel side sweep: 256x256 patches (the first %d), batch 1, the kernel's default "
           "optimizer\n", ds.patch_count);
    print_header();
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
        for (int e = 0; e < 3; e++) {
            /* The Gram engine, then the direct engine with its plain loops
             * and through the FFT, whatever the crossover would choose. */
            bench_setting s = {.kernel = random_kernel(sides[i]),
                               .engine = e == 0 ? LF_ENGINE_GRAM : LF_ENGINE_DIRECT,
                               .fft = e == 1 ? -1 : e == 2 ? 1 : 0,
                               .threads = o->threads};
            s.settings = lf_settings_for_kernel(&s.kernel);
            s.settings.batch_size = 1;
            char label[64];
            snprintf(label, sizeof label, "%dx%d @256", sides[i], sides[i]);
            s.label = label;
            bench_result r = bench_steady(&s, &ds, o);
            print_row(&s, &r, "-");
        }
    lf_dataset_deinit(&all);
}

static void section_patches(const bench_options *o)
{
    static const int sizes[] = {64, 128, 256, 512, 1024};
    static const int sides[] = {3, 32};
    printf("\n== patch side sweep: the first 8 patches, batch 1, the kernel's default optimizer\n");
    print_header();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        lf_dataset ds = load_dataset(o, sizes[i]);
        lf_dataset view = first_patches(&ds);
        for (size_t k = 0; k < sizeof sides / sizeof sides[0]; k++)
            for (int e = 0; e < 3; e++) {
                bench_setting s = {.kernel = random_kernel(sides[k]),
                                   .engine = e == 0 ? LF_ENGINE_GRAM : LF_ENGINE_DIRECT,
                                   .fft = e == 1 ? -1 : e == 2 ? 1 : 0,
                                   .threads = o->threads};
                s.settings = lf_settings_for_kernel(&s.kernel);
                s.settings.batch_size = 1;
                char label[64];
                snprintf(label, sizeof label, "%dx%d @%d", sides[k], sides[k], sizes[i]);
                s.label = label;
                bench_result r = bench_steady(&s, &view, o);
                print_row(&s, &r, "-");
            }
        lf_dataset_deinit(&ds);
    }
}

/* One thread against all, same setting, same run. */
static void section_threads(const bench_options *o)
{
    int all = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    lf_dataset ds = load_dataset(o, 256);
    printf("\n== threads: 1 against %d, 256x256 patches\n", all);
    printf("%-22s %-6s %5s %12s %12s %8s %12s %12s %8s\n", "setting", "engine", "batch",
           "us/step 1t", "us/step Nt", "speedup", "build ms 1t", "build ms Nt", "speedup");
    const char *names[] = {"sobel-x", "sobel-y", "smiley"};
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 3; k++) {
            bench_setting s = {.kernel = catalog_kernel(names[k]),
                               .engine = e == 0 ? LF_ENGINE_GRAM : LF_ENGINE_DIRECT};
            s.settings = lf_settings_for_kernel(&s.kernel);
            char label[64];
            snprintf(label, sizeof label, "%s b%d", names[k], s.settings.batch_size);
            s.label = label;
            s.threads = 1;
            bench_result one = bench_steady(&s, &ds, o);
            s.threads = all;
            bench_result many = bench_steady(&s, &ds, o);
            printf("%-22s %-6s %5d %12.2f %12.2f %8.2f %12.2f %12.2f %8.2f\n", label,
                   lf_engine_name(one.engine), s.settings.batch_size, one.us_per_step,
                   many.us_per_step, one.us_per_step / many.us_per_step, one.build_ms,
                   many.build_ms, one.build_ms / many.build_ms);
            fflush(stdout);
        }
    lf_dataset_deinit(&ds);
}

/* ================================================================ main */

/* A bank of f random filters of c channels, k x k, unit norm each. */
static lf_kernel random_bank(int f, int c, int k)
{
    lf_kernel bank = {.height = k, .width = k};
    snprintf(bank.name, sizeof bank.name, "bank-%dx%dx%dx%d", f, c, k, k);
    for (int i = 0; i < f * c; i++) {
        lf_kernel one = random_kernel(k);
        memcpy(bank.weights + (size_t)i * k * k, one.weights, sizeof(float) * (size_t)k * k);
    }
    return bank;
}

/* The direct engine of a layer beside the plain one, at the original's
 * Sobel x settings (256x256 patches, SGD, batch 4). */
static void section_layer(const bench_options *o)
{
    lf_dataset gray = load_dataset(o, 256);
    lf_dataset colour = load_dataset_channels(o, 256, 3);
    printf("\n== the direct engine of a layer: %d patches of 256x256, Sobel x's settings\n",
           gray.patch_count);
    print_header();
    const lf_layer_options none = {0};
    const struct {
        const char *label;
        lf_kernel kernel;
        lf_layer_options layer;
        bool colour;
    } cases[] = {
        {"sobel-x plain", catalog_kernel("sobel-x"), none, false},
        {"sobel-x relu", catalog_kernel("sobel-x"), {.activation = LF_ACTIVATION_RELU}, false},
        {"sobel-x relu pool 2", catalog_kernel("sobel-x"),
         {.activation = LF_ACTIVATION_RELU, .pool = 2}, false},
        {"8x3x5x5 relu", random_bank(8, 3, 5),
         {.channels = 3, .filters = 8, .activation = LF_ACTIVATION_RELU}, true},
        {"8x3x5x5 relu pool 2", random_bank(8, 3, 5),
         {.channels = 3, .filters = 8, .activation = LF_ACTIVATION_RELU, .pool = 2}, true},
        {"8x3x7x7 relu", random_bank(8, 3, 7),
         {.channels = 3, .filters = 8, .activation = LF_ACTIVATION_RELU}, true},
        {"8x3x7x7 relu pool 2", random_bank(8, 3, 7),
         {.channels = 3, .filters = 8, .activation = LF_ACTIVATION_RELU, .pool = 2}, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bench_setting s = {.label = cases[i].label,
                           .kernel = cases[i].kernel,
                           .engine = LF_ENGINE_DIRECT,
                           .threads = o->threads,
                           .layer = cases[i].layer};
        s.settings = lf_settings_for_optimizer(LF_OPTIMIZER_SGD);
        bench_result r = bench_steady(&s, cases[i].colour ? &colour : &gray, o);
        print_row(&s, &r, "-");
        if (i == 0) /* the plain engine reads each patch's input once a step (its
                     * target is made on the way) */
            printf("%-22s reads %.1f GB/s of input (the machine's read bandwidth: %.1f GB/s on "
                   "one thread)\n", "", (double)s.settings.batch_size * 256 * 256 * 4 /
                   (r.us_per_step * 1e-6) * 1e-9, g_bandwidth);
    }
    lf_dataset_deinit(&gray);
    lf_dataset_deinit(&colour);
}

static void usage(void)
{
    fputs("usage: learnfilter_bench [--only original,kernels,patches,threads,layer] [--reps N]\n"
          "                         [--cap SECONDS] [--threads N] [--data FOLDER] [--quick]\n"
          "                         [--direct-to-tol]\n",
          stderr);
}

int main(int argc, char **argv)
{
    bench_options o = {.reps = 5, .rep_seconds = 0.05, .cap = 30, .data = LF_SOURCE_DATA_DIR};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--only") && v) o.only = v, i++;
        else if (!strcmp(a, "--reps") && v) o.reps = atoi(v), i++;
        else if (!strcmp(a, "--cap") && v) o.cap = atof(v), i++;
        else if (!strcmp(a, "--threads") && v) o.threads = atoi(v), i++;
        else if (!strcmp(a, "--data") && v) o.data = v, i++;
        else if (!strcmp(a, "--quick")) o.reps = 5, o.rep_seconds = 0.02, o.cap = 10;
        else if (!strcmp(a, "--direct-to-tol")) o.direct_to_tol = true;
        else {
            usage();
            return 2;
        }
    }
    if (o.reps < 1)
        o.reps = 1;
    int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    int threads = o.threads > 0 ? o.threads : cores;

    bench_peak_kernel pk = bench_peak_choose();
    g_peak_one = peak_measure(pk, 1);
    g_peak_all = threads > 1 ? peak_measure(pk, threads) : g_peak_one;
    printf("learnfilter_bench: %d online cores, trainer threads %d, %d reps per figure "
           "(median)\n", cores, threads, o.reps);
    printf("machine peak (%s FMA loop): %.1f GFLOP/s on 1 thread, %.1f on %d\n", pk.name,
           g_peak_one, g_peak_all, threads);
    g_bandwidth = bench_read_bandwidth();
    printf("memory read bandwidth: %.1f GB/s on 1 thread (a 256 MB buffer, median of 5)\n",
           g_bandwidth);
    printf("GF/s dir: 4 N K flops per patch (the direct path's forward and weight gradient);"
           " GF/s act: what the engine does (Gram: 2 P^2 per patch); %%peak uses act\n");

    if (wants(&o, "original"))
        section_original(&o);
    if (wants(&o, "kernels"))
        section_kernels(&o);
    if (wants(&o, "patches"))
        section_patches(&o);
    if (wants(&o, "threads"))
        section_threads(&o);
    if (wants(&o, "layer"))
        section_layer(&o);
    return 0;
}
