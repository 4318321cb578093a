/*
 * test_trainer_util.h: the three calls every trainer test makes, each
 * failing the test with the library's own message when it refuses: a
 * catalog kernel by name, a trainer, and n training steps; and the data a
 * layer's tests train on: a dataset of textured colour or gray patches
 * built by hand, and a bank of random filters. Static, as in test_util.h,
 * so no helper library is needed.
 */
#ifndef LEARNFILTER_TEST_TRAINER_UTIL_H
#define LEARNFILTER_TEST_TRAINER_UTIL_H

#include "test_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/error.h"
#include "learnfilter/kernel.h"
#include "learnfilter/trainer.h"

/* The catalog kernel called name at its default size. */
static inline lf_kernel tt_kernel_named(const char *name)
{
    lf_kernel k;
    lf_error err;
    lf_error_clear(&err);
    if (lf_kernel_from_name(&k, name, 0, &err) != LF_OK)
        fail_msg("lf_kernel_from_name(%s): %s", name, err.message);
    return k;
}

static inline lf_trainer *tt_trainer_create(const lf_trainer_options *o, const lf_dataset *ds)
{
    lf_error err;
    lf_trainer *t = lf_trainer_create(o, ds, &err);
    if (!t)
        fail_msg("lf_trainer_create: %s", err.message);
    return t;
}

/* n steps; the first refusal fails the test with its step number. */
static inline void tt_trainer_steps(lf_trainer *t, int n)
{
    lf_error err;
    for (int i = 0; i < n; i++)
        if (lf_trainer_step(t, &err) != LF_OK)
            fail_msg("step %d: %s", i, err.message);
}

/* `patches` patches of `channels` planes of side x side, the first `train`
 * for training and the rest for validation: a smooth texture, each plane a
 * different mixture of it, with noise from the seed. The caller frees
 * ds->inputs (the clean planes are the same). */
static inline void tt_layer_dataset(lf_dataset *ds, int side, int patches, int train,
                                    int channels, uint64_t seed)
{
    memset(ds, 0, sizeof *ds);
    size_t floats = (size_t)patches * channels * side * side;
    float *pixels = malloc(sizeof(float) * floats);
    assert_non_null(pixels);
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (int p = 0; p < patches; p++)
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++) {
                    double smooth = 0.25 * sin(x * 0.3 + p) * cos(y * 0.2 + c);
                    pixels[(((size_t)p * channels + c) * side + y) * side + x] =
                        (float)(0.5 + smooth + 0.4 * (lf_rng_uniform(&rng) - 0.5));
                }
    ds->patch_size = side;
    ds->channels = channels;
    ds->patch_count = patches;
    ds->train_count = train;
    ds->validation_count = patches - train;
    ds->inputs = ds->clean = pixels;
}

/* A bank of `filters` filters of `channels` channels, k x k, uniform on
 * [-0.5, 0.5) from the seed, named "bank-<seed>" (banks of other seeds
 * have other names). */
static inline lf_kernel tt_layer_bank(int filters, int channels, int k, uint64_t seed)
{
    lf_kernel bank = {.height = k, .width = k};
    snprintf(bank.name, sizeof bank.name, "bank-%llu", (unsigned long long)seed);
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (int i = 0; i < filters * channels * k * k; i++)
        bank.weights[i] = (float)(lf_rng_uniform(&rng) - 0.5);
    return bank;
}

#endif
