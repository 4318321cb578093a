/*
 * insight.c: the "why is it slow" views' numbers: a thread that loads the
 * photos and computes the spectra, the mean Gram matrix and its
 * eigen-directions, and the main thread's side (the bowl, the path, the
 * sentences). See insight.h.
 */
#include "insight.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight_internal.h"
#include "setup.h"

/* ===================================================== computations */

lf_status insight_photo_power(float *power, size_t capacity, const lf_dataset *ds, lf_error *err)
{
    if (ds->train_count < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "no training patches");
    const float **list = malloc(sizeof *list * (size_t)ds->train_count);
    if (!list)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the photos' spectrum");
    for (int i = 0; i < ds->train_count; i++)
        list[i] = lf_dataset_input(ds, i);
    lf_status st = lf_spectrum_photos(power, capacity, list, ds->train_count, ds->patch_size,
                                      ds->patch_size, err);
    free(list);
    return st;
}

lf_status insight_spectra(insight_result *r, const float *truth, const float *learned, int kh,
                          int kw, const float *photo_power, int side, lf_error *err)
{
    int size = lf_spectrum_default_size(kh, kw);
    if (size < 1 || size > INSIGHT_SPECTRUM_MAX)
        return lf_fail(err, LF_ERR_ARGUMENT, "a %dx%d kernel is beyond the frequency view", kh,
                       kw);
    const size_t cap = INSIGHT_SPECTRUM_MAX * INSIGHT_SPECTRUM_MAX;
    lf_status st = lf_spectrum_kernel(r->true_mag, cap, truth, kh, kw, size, err);
    if (st == LF_OK)
        st = lf_spectrum_kernel(r->learned_mag, cap, learned, kh, kw, size, err);
    if (st == LF_OK)
        st = lf_spectrum_kernel_difference(r->diff_mag, cap, learned, truth, kh, kw, size, err);
    if (st == LF_OK)
        st = lf_spectrum_facts_compute(&r->facts, r->true_mag, r->diff_mag, size, photo_power,
                                       side, side, INSIGHT_CUTOFF, err);
    if (st == LF_OK) {
        r->kh = kh;
        r->kw = kw;
        r->size = size;
    }
    return st;
}

/* The half-width that holds every path point around the bowl's centre. */
static double path_reach(const lf_bowl *b, const float *xs, const float *ys, int count)
{
    double cx = 0.5 * (b->x0 + b->x1), cy = 0.5 * (b->y0 + b->y1), reach = 0;
    for (int k = 0; k < count; k++)
        reach = fmax(reach, fmax(fabs(xs[k] - cx), fabs(ys[k] - cy)));
    return reach;
}

lf_status insight_bowl_compute(insight_bowl *b, const double *a, int p, const float *params,
                               const float *truth, int i, int j, const float *xs,
                               const float *ys, int count, lf_error *err)
{
    const size_t cap = INSIGHT_BOWL_GRID * INSIGHT_BOWL_GRID;
    lf_bowl_options o = {.columns = INSIGHT_BOWL_GRID, .rows = INSIGHT_BOWL_GRID};
    b->ok = false;
    lf_status st = lf_bowl_compute(&b->bowl, b->loss, cap, a, p, params, truth, i, j, &o, err);
    if (st != LF_OK)
        return st;
    /* Widen once so the whole path shows, keeping the centre: the range's
     * half-width is (0.5 + margin) times the present-to-bottom distance, or
     * the least half-width when that is larger. */
    double half = 0.5 * (b->bowl.x1 - b->bowl.x0), reach = path_reach(&b->bowl, xs, ys, count);
    if (reach > half) {
        double dist = fmax(fabs(b->bowl.min_x - b->bowl.current_x), fabs(b->bowl.min_y - b->bowl.current_y));
        o.min_half_width = 1.1 * reach;
        o.margin = dist > 0 ? fmax(0.25, 1.1 * reach / dist - 0.5) : 0.25;
        st = lf_bowl_compute(&b->bowl, b->loss, cap, a, p, params, truth, i, j, &o, err);
        if (st != LF_OK)
            return st;
    }
    b->level_count = INSIGHT_BOWL_LEVELS;
    st = lf_bowl_levels(b->levels, INSIGHT_BOWL_LEVELS, INSIGHT_BOWL_LEVELS, &b->bowl, err);
    if (st != LF_OK)
        return st;
    /* Contours of a quadratic are ellipses whose axes go as 1/sqrt of the
     * 2x2 block's eigenvalues. */
    double aii = a[i * p + i], ajj = a[j * p + j], aij = a[i * p + j];
    double mean = 0.5 * (aii + ajj), dev = hypot(0.5 * (aii - ajj), aij);
    double lo = mean - dev, hi = mean + dev;
    b->ratio = lo > 0 ? sqrt(hi / lo) : INFINITY;
    b->i = i;
    b->j = j;
    b->ok = true;
    return LF_OK;
}

/* ========================================================= thread */

static void publish(insight *in)
{
    pthread_mutex_lock(&in->mutex);
    unsigned serial = in->shared->serial + 1;
    memcpy(in->shared, in->work, sizeof *in->shared);
    in->shared->serial = serial;
    pthread_mutex_unlock(&in->mutex);
}

static void fail(insight *in, insight_phase *phase, const lf_error *err)
{
    *phase = INSIGHT_FAILED;
    snprintf(in->work->message, sizeof in->work->message, "%s", err->message);
}

static bool load_photos(insight *in)
{
    insight_result *r = in->work;
    if (in->dataset_tried)
        return r->photos == INSIGHT_READY;
    in->dataset_tried = true;
    r->photos = INSIGHT_COMPUTING;
    publish(in);
    lf_error err;
    lf_dataset_options d = app_dataset_options(in->cli);
    d.channels = 1; /* the view is of one gray filter, as the window trains */
    if (lf_dataset_load(&in->dataset, &d, &err) != LF_OK) {
        fail(in, &r->photos, &err);
        return false;
    }
    int side = in->dataset.patch_size;
    in->photo_power = malloc(sizeof(float) * (size_t)side * side);
    if (!in->photo_power) {
        lf_fail(&err, LF_ERR_NOMEM, "out of memory for the photos' spectrum");
        fail(in, &r->photos, &err);
        return false;
    }
    if (insight_photo_power(in->photo_power, (size_t)side * side, &in->dataset, &err) != LF_OK) {
        fail(in, &r->photos, &err);
        return false;
    }
    r->photo_power = in->photo_power;
    r->photo_side = side;
    r->photo_count = in->dataset.train_count;
    r->photos = INSIGHT_READY;
    return true;
}

/* The mean Gram matrix and its eigen-decomposition for the job's kernel
 * size and padding; kept while those stay. */
static void decompose(insight *in, const insight_job *job)
{
    insight_result *r = in->work;
    int kh = job->truth.height, kw = job->truth.width, p = kh * kw + 1;
    if (in->a && in->a_kh == kh && in->a_kw == kw && in->a_padding == job->padding)
        return;
    free(in->a);
    free(in->values);
    free(in->vectors);
    free(in->d);
    free(in->coef);
    in->a = in->values = in->vectors = in->d = in->coef = NULL;
    in->eigen_ok = false;
    in->a_kh = kh;
    in->a_kw = kw;
    in->a_padding = job->padding;
    in->a_p = p;
    r->params = p;
    r->gram = p <= INSIGHT_BOWL_MAX_PARAMS ? INSIGHT_COMPUTING : INSIGHT_UNSUPPORTED;
    if (p > LF_EIGEN_MAX_SIZE || kh > LF_GRAM_MAX_SIDE || kw > LF_GRAM_MAX_SIDE) {
        r->directions = INSIGHT_UNSUPPORTED;
        snprintf(r->message, sizeof r->message,
                 "the eigen-directions are for kernels up to %d parameters; this one has %d",
                 LF_EIGEN_MAX_SIZE, p);
        return;
    }
    r->directions = INSIGHT_COMPUTING;
    publish(in);
    lf_error err;
    size_t pp = (size_t)p * p;
    in->a = malloc(sizeof(double) * pp);
    in->vectors = malloc(sizeof(double) * pp);
    in->values = malloc(sizeof(double) * (size_t)p);
    in->d = malloc(sizeof(double) * (size_t)p);
    in->coef = malloc(sizeof(double) * (size_t)p);
    const float **list = malloc(sizeof *list * (size_t)in->dataset.train_count);
    if (!in->a || !in->vectors || !in->values || !in->d || !in->coef || !list) {
        free(list);
        lf_fail(&err, LF_ERR_NOMEM, "out of memory for the eigen-directions");
        fail(in, &r->directions, &err);
        return;
    }
    for (int i = 0; i < in->dataset.train_count; i++)
        list[i] = lf_dataset_input(&in->dataset, i);
    int side = in->dataset.patch_size;
    lf_conv_shape shape = lf_conv_shape_make(side, side, kh, kw, job->padding);
    lf_status st = lf_gram_mean_of_patches(in->a, pp, list, in->dataset.train_count, &shape, &err);
    free(list);
    if (st != LF_OK) {
        fail(in, &r->directions, &err);
        r->gram = INSIGHT_FAILED;
        return;
    }
    if (p <= INSIGHT_BOWL_MAX_PARAMS) {
        memcpy(r->gram_matrix, in->a, sizeof(double) * pp);
        r->gram = INSIGHT_READY;
    }
    publish(in); /* the bowl can be drawn while the decomposition runs */
    if (lf_eigen_symmetric(in->values, (size_t)p, in->vectors, pp, in->a, p, &err) != LF_OK) {
        fail(in, &r->directions, &err);
        return;
    }
    in->eigen_ok = true;
}

/* The split of the job's error and the steps left. */
static void directions(insight *in, const insight_job *job)
{
    insight_result *r = in->work;
    if (!in->eigen_ok)
        return;
    int taps = job->truth.height * job->truth.width, p = taps + 1;
    float params[LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE + 1];
    memcpy(params, job->learned.weights, sizeof(float) * (size_t)taps);
    params[taps] = job->bias;
    lf_error err;
    double ref = lf_kernel_norm(&job->truth);
    r->adam = job->settings.optimizer == LF_OPTIMIZER_ADAM;
    r->model = (lf_descent_model){
        .learning_rate = job->settings.learning_rate,
        .momentum = r->adam ? 0 : job->settings.momentum,
        .nesterov = !r->adam && job->settings.nesterov,
        .tolerance = job->tolerance > 0 ? job->tolerance : LF_DEFAULT_TOLERANCE,
        .reference_norm = ref > 0 ? ref : 1,
    };
    if (lf_gramspec_delta(in->d, (size_t)p, params, job->truth.weights, taps, &err) != LF_OK ||
        lf_gramspec_split(&r->split, in->coef, (size_t)p, in->values, in->vectors, p, in->d,
                          INSIGHT_WEAK, &err) != LF_OK ||
        lf_descent_estimate_steps(&r->estimate, in->values, in->coef, p, &r->model, &err) !=
            LF_OK) {
        fail(in, &r->directions, &err);
        return;
    }
    r->directions = INSIGHT_READY;
}

static void process(insight *in, const insight_job *job)
{
    insight_result *r = in->work;
    if (!load_photos(in)) {
        publish(in);
        return;
    }
    lf_error err;
    r->generation = job->generation;
    r->step = job->step;
    snprintf(r->name, sizeof r->name, "%s", job->truth.name);
    if (insight_spectra(r, job->truth.weights, job->learned.weights, job->truth.height,
                        job->truth.width, in->photo_power, in->dataset.patch_size,
                        &err) == LF_OK)
        r->spectra = INSIGHT_READY;
    else
        fail(in, &r->spectra, &err);
    publish(in); /* the spectra first: the decomposition may take seconds */
    decompose(in, job);
    directions(in, job);
    publish(in);
}

static void *thread_main(void *arg)
{
    insight *in = arg;
    pthread_mutex_lock(&in->mutex);
    while (!in->quit) {
        if (in->taken_serial == in->job_serial) {
            pthread_cond_wait(&in->cond, &in->mutex);
            continue;
        }
        in->taken = in->job; /* 32 KB: kept off the thread's stack */
        in->taken_serial = in->job_serial;
        pthread_mutex_unlock(&in->mutex);
        process(in, &in->taken);
        pthread_mutex_lock(&in->mutex);
    }
    pthread_mutex_unlock(&in->mutex);
    return NULL;
}

/* ======================================================== lifecycle */

insight *insight_create(const cli_options *options, lf_error *err)
{
    insight *in = calloc(1, sizeof *in);
    if (in) {
        in->cli = options;
        in->work = calloc(1, sizeof *in->work);
        in->shared = calloc(1, sizeof *in->shared);
        in->front = calloc(1, sizeof *in->front);
        in->path = malloc(sizeof(float) * INSIGHT_PATH_MAX * INSIGHT_BOWL_MAX_PARAMS);
    }
    if (!in || !in->work || !in->shared || !in->front || !in->path) {
        if (in) {
            free(in->work);
            free(in->shared);
            free(in->front);
            free(in->path);
        }
        free(in);
        lf_fail(err, LF_ERR_NOMEM, "out of memory for the frequency and bowl views");
        return NULL;
    }
    in->path_stride = 1;
    pthread_mutex_init(&in->mutex, NULL);
    pthread_cond_init(&in->cond, NULL);
    if (pthread_create(&in->thread, NULL, thread_main, in) != 0) {
        pthread_mutex_destroy(&in->mutex);
        pthread_cond_destroy(&in->cond);
        free(in->work);
        free(in->shared);
        free(in->front);
        free(in->path);
        free(in);
        lf_fail(err, LF_ERR_NOMEM, "cannot start the views' thread");
        return NULL;
    }
    return in;
}

void insight_destroy(insight *in)
{
    if (!in)
        return;
    pthread_mutex_lock(&in->mutex);
    in->quit = true;
    pthread_cond_signal(&in->cond);
    pthread_mutex_unlock(&in->mutex);
    pthread_join(in->thread, NULL);
    pthread_mutex_destroy(&in->mutex);
    pthread_cond_destroy(&in->cond);
    lf_dataset_deinit(&in->dataset);
    free(in->photo_power);
    free(in->a);
    free(in->values);
    free(in->vectors);
    free(in->d);
    free(in->coef);
    free(in->work);
    free(in->shared);
    free(in->front);
    free(in->path);
    free(in);
}

