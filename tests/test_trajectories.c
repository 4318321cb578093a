/*
 * test_trajectories.c: training runs held to their recorded values, bit for bit.
 *
 * Each case trains a small generated dataset for a few hundred steps with
 * one optimizer and one engine and checks, at a few steps, a 64-bit hash of
 * the exact bits of the weights and bias, the step loss and validation loss
 * as exact doubles, the relative error, and a hash of the loss histories,
 * against recorded values, so a change in the order of a single
 * floating-point operation anywhere in a step shows here. Where a change to the arithmetic is meant, re-record with
 *
 *   LF_RECORD_TRAJECTORIES=1 build/test_trajectories | grep -v "^\["
 *
 * into tests/trajectories_release.inc (or _debug.inc from a debug build).
 *
 * The bits depend on the compiler's contractions into fused multiply-adds,
 * which differ between an optimised and an unoptimised build, so there is
 * one table for each (the release build, and the debug build the sanitizer
 * stage uses). They also depend on the instruction set the hot loops pick
 * at run time (simd.h): the tables are for GCC on x86-64 with AVX-512, and
 * other compilers or processors skip the comparison. Whatever the machine,
 * every case must give the same bits twice in one process (the thread pool
 * and the caches must not change a result); across processes the FFT plans
 * are chosen without timing (fftconv.c) for the same reason.
 */
#include "test_util.h"

#include <inttypes.h>

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/trainer.h"

/* ============================================================ the runs */

/* Smooth blobs plus grain, as in test_trainer.c: something an edge filter
 * and a blur both have to work to learn. */
static void make_texture(lf_image *img, int w, int h, uint64_t seed)
{
    assert_int_equal(lf_image_init(img, w, h, NULL), LF_OK);
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    double cx[6], cy[6], r[6], a[6];
    for (int k = 0; k < 6; k++) {
        cx[k] = lf_rng_uniform(&rng) * w;
        cy[k] = lf_rng_uniform(&rng) * h;
        r[k] = 4 + lf_rng_uniform(&rng) * 12;
        a[k] = lf_rng_uniform(&rng) - 0.5;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = 0.5;
            for (int k = 0; k < 6; k++) {
                double dx = x - cx[k], dy = y - cy[k];
                v += a[k] * exp(-(dx * dx + dy * dy) / (2 * r[k] * r[k]));
            }
            v += 0.4 * (lf_rng_uniform(&rng) - 0.5);
            img->pixels[y * w + x] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
        }
}

typedef struct trajectory_case {
    const char *name;
    const char *kernel;
    int patch;              /* patch side; 5x4 patches, 20% held out */
    float noise;            /* input noise: the Gram engine then falls back to direct */
    lf_padding padding;
    lf_engine engine;
    int fft;
    int threads;
    int optimizer;          /* -1: the kernel's own */
    float learning_rate;    /* 0: the optimizer's own */
    int nesterov;           /* -1: as the settings say */
    float momentum;         /* negative: as the settings say */
    int batch;              /* 0: as the settings say */
    int switch_to_adam_at;  /* a step at which lf_trainer_set_optimizer runs; 0: never */
} trajectory_case;

enum { CHECKPOINTS = 3 };
static const int checkpoint_steps[CHECKPOINTS] = {1, 57, 300};

static const trajectory_case cases[] = {
    {"sobel-x nesterov b4 direct", "sobel-x", 16, 0, LF_PADDING_SAME, LF_ENGINE_DIRECT, 0, 1, -1, 0, -1, -1, 0, 0},
    {"sobel-x nesterov b4 gram", "sobel-x", 16, 0, LF_PADDING_SAME, LF_ENGINE_GRAM, 0, 1, -1, 0, -1, -1, 0, 0},
    {"sobel-x nesterov b4 direct 2 threads", "sobel-x", 16, 0, LF_PADDING_SAME, LF_ENGINE_DIRECT, 0, 2, -1, 0, -1, -1, 0, 0},
    {"sobel-y momentum b1 direct", "sobel-y", 16, 0, LF_PADDING_SAME, LF_ENGINE_DIRECT, 0, 1, -1, 0, 0, -1, 0, 0},
    {"sobel-y momentum b1 gram", "sobel-y", 16, 0, LF_PADDING_SAME, LF_ENGINE_GRAM, 0, 1, -1, 0, 0, -1, 0, 0},
    {"laplacian plain sgd b3 direct", "laplacian", 16, 0, LF_PADDING_SAME, LF_ENGINE_DIRECT, 0, 1, LF_OPTIMIZER_SGD, 0.02f, 0, 0, 3, 0},
    {"gaussian adam b2 direct", "gaussian", 16, 0, LF_PADDING_SAME, LF_ENGINE_DIRECT, 0, 1, LF_OPTIMIZER_ADAM, 1e-2f, -1, -1, 2, 0},
    {"gaussian adam b2 gram", "gaussian", 16, 0, LF_PADDING_SAME, LF_ENGINE_GRAM, 0, 1, LF_OPTIMIZER_ADAM, 1e-2f, -1, -1, 2, 0},
    {"sobel-x valid padding gram", "sobel-x", 16, 0, LF_PADDING_VALID, LF_ENGINE_GRAM, 0, 1, -1, 0, -1, -1, 0, 0},
    {"sobel-x noisy input auto", "sobel-x", 16, 0.05f, LF_PADDING_SAME, LF_ENGINE_AUTO, 0, 1, -1, 0, -1, -1, 0, 0},
    {"box7 adam b1 fft", "box7", 24, 0, LF_PADDING_SAME, LF_ENGINE_DIRECT, 1, 1, LF_OPTIMIZER_ADAM, 1e-2f, -1, -1, 1, 0},
    {"sobel-x to adam at 100 gram", "sobel-x", 16, 0, LF_PADDING_SAME, LF_ENGINE_GRAM, 0, 1, -1, 0, -1, -1, 0, 100},
};
#define CASE_COUNT ((int)(sizeof cases / sizeof cases[0]))

/* What is compared at a checkpoint. */
typedef struct trajectory_point {
    uint64_t params_hash;   /* FNV-1a of the weights' and bias' float bits */
    double step_loss;
    double val_loss;        /* NaN before the first epoch ends */
    uint64_t history_hash;  /* FNV-1a of both loss histories' values */
    double rel_err;         /* ||w - k|| / ||k||, as the figures give it */
} trajectory_point;

static uint64_t fnv(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

#define FNV_START 0xcbf29ce484222325ull

static uint64_t fnv_float(uint64_t h, float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return fnv(h, &bits, sizeof bits);
}

static uint64_t history_hash(uint64_t h, const lf_history *hist)
{
    h = fnv(h, &hist->count, sizeof hist->count);
    h = fnv(h, &hist->stride, sizeof hist->stride);
    for (int i = 0; i < hist->count; i++) {
        const lf_history_point *p = &hist->points[i];
        h = fnv(h, &p->step, sizeof p->step);
        h = fnv_float(h, p->epoch);
        h = fnv_float(h, p->train_loss);
        h = fnv_float(h, p->val_loss);
        h = fnv_float(h, p->rel_err);
    }
    return h;
}

static trajectory_point measure(lf_trainer *t, lf_snapshot *snap)
{
    lf_trainer_snapshot(t, snap, false);
    const lf_kernel *k = &snap->target;
    trajectory_point p = {.params_hash = FNV_START, .history_hash = FNV_START};
    for (int i = 0; i < k->height * k->width; i++)
        p.params_hash = fnv_float(p.params_hash, lf_trainer_weights(t)[i]);
    p.params_hash = fnv_float(p.params_hash, lf_trainer_bias(t));
    p.step_loss = snap->figures.step_loss;
    p.val_loss = snap->figures.val_loss;
    p.history_hash = history_hash(history_hash(FNV_START, &snap->steps), &snap->epochs);
    p.rel_err = snap->figures.rel_err;
    return p;
}

/* Runs one case and fills out[CHECKPOINTS]. */
static void run_case(const trajectory_case *c, trajectory_point *out)
{
    lf_image img;
    make_texture(&img, c->patch * 5, c->patch * 4, 3);
    lf_dataset ds;
    lf_dataset_options dopt = {.patch_size = c->patch, .noise_sigma = c->noise, .seed = 3};
    lf_error err;
    if (lf_dataset_from_images(&ds, &img, 1, &dopt, &err) != LF_OK)
        fail_msg("%s", err.message);
    lf_image_deinit(&img);

    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, c->kernel, 0, NULL), LF_OK);
    lf_train_settings s = lf_settings_for_kernel(&k);
    if (c->optimizer >= 0 && (lf_optimizer_kind)c->optimizer != s.optimizer) {
        lf_kernel probe = {.height = c->optimizer == LF_OPTIMIZER_ADAM ? 32 : 3,
                           .width = c->optimizer == LF_OPTIMIZER_ADAM ? 32 : 3};
        int batch = s.batch_size;
        s = lf_settings_for_kernel(&probe);
        s.batch_size = batch;
    }
    if (c->learning_rate > 0) s.learning_rate = c->learning_rate;
    if (c->nesterov >= 0) s.nesterov = c->nesterov;
    if (c->momentum >= 0) s.momentum = c->momentum;
    if (c->batch > 0) s.batch_size = c->batch;
    lf_trainer_options o = {.target = k, .settings = s, .padding = c->padding, .seed = 11,
                            .engine = c->engine, .fft = c->fft, .threads = c->threads};
    lf_trainer *t = lf_trainer_create(&o, &ds, &err);
    if (!t)
        fail_msg("%s: %s", c->name, err.message);
    if (c->engine != LF_ENGINE_AUTO)
        assert_int_equal(lf_trainer_engine(t), c->engine);
    if (c->fft > 0)
        assert_true(lf_trainer_uses_fft(t));
    lf_snapshot snap;
    assert_int_equal(lf_snapshot_init(&snap, c->patch, NULL), LF_OK);
    int next = 0;
    for (int step = 1; step <= checkpoint_steps[CHECKPOINTS - 1]; step++) {
        if (step - 1 == c->switch_to_adam_at)
            lf_trainer_set_optimizer(t, LF_OPTIMIZER_ADAM);
        if (lf_trainer_step(t, &err) != LF_OK)
            fail_msg("%s, step %d: %s", c->name, step, err.message);
        if (step == checkpoint_steps[next])
            out[next++] = measure(t, &snap);
    }
    lf_snapshot_deinit(&snap);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* ====================================================== recorded values */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_TABLE 1
#if defined(__OPTIMIZE__)
/* Release build (-O3). */
static const trajectory_point expected[][CHECKPOINTS] = {
#include "trajectories_release.inc"
};
#else
/* Debug build (-O0), as the sanitizer stage builds it. */
static const trajectory_point expected[][CHECKPOINTS] = {
#include "trajectories_debug.inc"
};
#endif
#else
#define HAVE_TABLE 0
#endif

static bool same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static bool same_point(const trajectory_point *a, const trajectory_point *b)
{
    return a->params_hash == b->params_hash && same_double(a->step_loss, b->step_loss) &&
           same_double(a->val_loss, b->val_loss) && a->history_hash == b->history_hash &&
           same_double(a->rel_err, b->rel_err);
}

static void test_trajectories(void **state)
{
    (void)state;
    if (getenv("LF_RECORD_TRAJECTORIES")) {
        for (int i = 0; i < CASE_COUNT; i++) {
            trajectory_point got[CHECKPOINTS];
            run_case(&cases[i], got);
            printf("    { /* %s */\n", cases[i].name);
            for (int j = 0; j < CHECKPOINTS; j++) {
                char val[40];
                snprintf(val, sizeof val, isnan(got[j].val_loss) ? "NAN" : "%a", got[j].val_loss);
                printf("        {0x%016" PRIx64 "ull, %a, %s, 0x%016" PRIx64 "ull, %a},\n",
                       got[j].params_hash, got[j].step_loss, val, got[j].history_hash,
                       got[j].rel_err);
            }
            printf("    },\n");
        }
        return;
    }
#if HAVE_TABLE
    if (!__builtin_cpu_supports("avx512f")) {
        print_message("the recorded trajectories are for a processor with AVX-512\n");
        skip();
    }
    assert_int_equal((int)(sizeof expected / sizeof expected[0]), CASE_COUNT);
    int failures = 0;
    for (int i = 0; i < CASE_COUNT; i++) {
        trajectory_point got[CHECKPOINTS];
        run_case(&cases[i], got);
        for (int j = 0; j < CHECKPOINTS; j++) {
            const trajectory_point *e = &expected[i][j];
            if (!same_point(&got[j], e)) {
                print_error("%s, step %d: params %016" PRIx64 " (recorded %016" PRIx64
                            "), loss %a (%a), validation %a (%a), history %016" PRIx64
                            " (%016" PRIx64 ")\n",
                            cases[i].name, checkpoint_steps[j], got[j].params_hash,
                            e->params_hash, got[j].step_loss, e->step_loss, got[j].val_loss,
                            e->val_loss, got[j].history_hash, e->history_hash);
                failures++;
            }
        }
    }
    if (failures)
        fail_msg("%d checkpoints differ from the recorded trajectories", failures);
#else
    skip();
#endif
}

/* The runs must be worth holding: in each the weights move towards the
 * kernel, so a table recorded from a broken trainer would show. And each
 * run is reproducible: a second run of the case gives the same bits. */
static void test_trajectories_learn(void **state)
{
    (void)state;
    for (int i = 0; i < CASE_COUNT; i++) {
        trajectory_point got[CHECKPOINTS], again[CHECKPOINTS];
        run_case(&cases[i], got);
        run_case(&cases[i], again);
        for (int j = 0; j < CHECKPOINTS; j++)
            if (!same_point(&got[j], &again[j]))
                fail_msg("%s: a second run differs at step %d", cases[i].name, checkpoint_steps[j]);
        if (!(got[CHECKPOINTS - 1].rel_err < got[0].rel_err))
            fail_msg("%s: relative error %g at step %d, %g at step 1", cases[i].name,
                     got[CHECKPOINTS - 1].rel_err, checkpoint_steps[CHECKPOINTS - 1],
                     got[0].rel_err);
        /* 300 steps pass at least one epoch of 16 training patches. */
        assert_false(isnan(got[CHECKPOINTS - 1].val_loss));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trajectories),
        cmocka_unit_test(test_trajectories_learn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
