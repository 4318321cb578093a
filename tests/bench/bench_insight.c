/*
 * bench_insight.c: the figures behind the teaching views, on the default
 * photographs: how much of each kernel's energy lies at high frequencies,
 * how little power the photos have there, where the error of a kernel
 * learned from zero lies among the photos' eigen-directions, how many plain
 * gradient-descent steps the model says removing it takes, and how long the
 * eigen-decomposition of a 1,025-parameter matrix takes. A program that
 * prints figures, not a test: ./learnfilter_bench_insight [patches].
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "learnfilter/dataset.h"
#include "learnfilter/gramspec.h"
#include "learnfilter/kernel.h"
#include "learnfilter/spectrum.h"
#include "learnfilter/trainer.h"

#ifndef LF_SOURCE_DATA_DIR
#define LF_SOURCE_DATA_DIR "data"
#endif

#define CUTOFF 0.25 /* cycles per pixel: half the highest frequency */

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int directions(const lf_kernel *k, const lf_dataset *ds, int patches)
{
    lf_error err;
    const int taps = k->height * k->width, p = taps + 1;
    if (p > LF_EIGEN_MAX_SIZE) {
        printf("  eigen-directions: %d parameters, over the %d limit\n", p, LF_EIGEN_MAX_SIZE);
        return 0;
    }
    lf_conv_shape shape =
        lf_conv_shape_make(ds->patch_size, ds->patch_size, k->height, k->width, LF_PADDING_SAME);
    const float **list = malloc(sizeof(float *) * (size_t)patches);
    double *a = malloc(sizeof(double) * (size_t)p * p);
    double *vectors = malloc(sizeof(double) * (size_t)p * p);
    double *values = malloc(sizeof(double) * (size_t)p), *d = malloc(sizeof(double) * (size_t)p);
    double *coef = malloc(sizeof(double) * (size_t)p);
    float *zero = calloc((size_t)p, sizeof(float));
    int ok = list && a && vectors && values && d && coef && zero;
    for (int i = 0; ok && i < patches; i++)
        list[i] = lf_dataset_input(ds, i);
    double t0 = seconds();
    ok = ok && lf_gram_mean_of_patches(a, (size_t)p * p, list, patches, &shape, &err) == LF_OK;
    double t1 = seconds();
    ok = ok && lf_eigen_symmetric(values, (size_t)p, vectors, (size_t)p * p, a, p, &err) == LF_OK;
    double t2 = seconds();
    lf_direction_split s;
    ok = ok && lf_gramspec_delta(d, (size_t)p, zero, k->weights, taps, &err) == LF_OK &&
         lf_gramspec_split(&s, coef, (size_t)p, values, vectors, p, d, 1e-3, &err) == LF_OK;
    if (ok) {
        printf("  mean Gram over %d patches %.2f s, eigen-decomposition of %d x %d %.2f s\n",
               patches, t1 - t0, p, p, t2 - t1);
        printf("  eigenvalues %.3g .. %.3g; from zero weights %.1f%% of ||d||^2 lies in the %d "
               "directions below 1e-3 of the largest, which hold %.3g%% of the loss\n",
               values[0], values[p - 1], 100 * s.error_sq_weak / s.error_sq, s.weak,
               100 * s.loss_weak / s.loss);
        lf_train_settings set = lf_settings_for_kernel(k);
        double ref = 0;
        for (int i = 0; i < taps; i++)
            ref += (double)k->weights[i] * k->weights[i];
        for (int m = 0; m <= 1; m++) {
            lf_descent_model model = {.learning_rate = set.learning_rate,
                                      .momentum = m ? set.momentum : 0,
                                      .nesterov = m && set.nesterov,
                                      .tolerance = 0.01,
                                      .reference_norm = sqrt(ref)};
            lf_descent_estimate e;
            if (lf_descent_estimate_steps(&e, values, coef, p, &model, &err) == LF_OK)
                printf("  SGD lr %g momentum %g: to 1%% error the model says %ld full-batch steps "
                       "(slowest factor %.9f%s%s)%s\n",
                       model.learning_rate, model.momentum, e.steps, e.slowest_rate,
                       e.diverges ? ", diverges" : "", e.stalls ? ", stalls" : "",
                       set.optimizer == LF_OPTIMIZER_SGD ? ""
                                                         : " [this kernel trains with Adam]");
        }
    } else {
        printf("  eigen-directions failed: %s\n", err.message);
    }
    free(list);
    free(a);
    free(vectors);
    free(values);
    free(d);
    free(coef);
    free(zero);
    return ok;
}

int main(int argc, char **argv)
{
    int patches = argc > 1 ? atoi(argv[1]) : 0; /* 0: all training patches */
    lf_error err;
    const char *paths[1] = {LF_SOURCE_DATA_DIR};
    lf_dataset ds;
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 256, .seed = 1};
    if (lf_dataset_load(&ds, &o, &err) != LF_OK) {
        fprintf(stderr, "bench_insight: %s\n", err.message);
        return 1;
    }
    if (patches < 1 || patches > ds.train_count)
        patches = ds.train_count;
    const int side = ds.patch_size, n = side * side;
    const float **list = malloc(sizeof(float *) * (size_t)ds.train_count);
    float *power = malloc(sizeof(float) * (size_t)n), radial[128];
    for (int i = 0; i < ds.train_count; i++)
        list[i] = lf_dataset_input(&ds, i);
    if (lf_spectrum_photos(power, (size_t)n, list, ds.train_count, side, side, &err) != LF_OK ||
        lf_spectrum_radial(radial, 128, 128, power, side, side, &err) != LF_OK) {
        fprintf(stderr, "bench_insight: %s\n", err.message);
        return 1;
    }
    printf("photos: %d training patches of %dx%d; radial power at 0.02, 0.1, 0.25, 0.45 "
           "cycles/pixel: %.3g %.3g %.3g %.3g\n",
           ds.train_count, side, side, (double)radial[5], (double)radial[25], (double)radial[64],
           (double)radial[115]);
    const char *names[] = {"sobel-x", "gaussian", "smiley", "gaussian-50"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lf_kernel k;
        if (lf_kernel_from_name(&k, names[i], 1, &err) != LF_OK)
            continue;
        int size = lf_spectrum_default_size(k.height, k.width);
        float *mag = malloc(sizeof(float) * (size_t)size * size);
        lf_spectrum_facts f;
        if (mag && lf_spectrum_kernel(mag, (size_t)size * size, k.weights, k.height, k.width, 0,
                                      &err) == LF_OK &&
            lf_spectrum_facts_compute(&f, mag, NULL, size, power, side, side, CUTOFF, &err) ==
                LF_OK)
            printf("%s (%dx%d): %.1f%% of its energy above %.2f cycles/pixel, where the photos "
                   "have %.2f%% of their power and %.2g of the low frequencies' power per bin\n",
                   names[i], k.height, k.width, 100 * f.kernel_energy_above, CUTOFF,
                   100 * f.photo_power_above, f.photo_high_to_low);
        free(mag);
        directions(&k, &ds, patches);
    }
    free(list);
    free(power);
    lf_dataset_deinit(&ds);
    return 0;
}
