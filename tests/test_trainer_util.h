/*
 * test_trainer_util.h: the three calls every trainer test makes, each
 * failing the test with the library's own message when it refuses: a
 * catalog kernel by name, a trainer, and n training steps. Static, as in
 * test_util.h, so no helper library is needed.
 */
#ifndef LEARNFILTER_TEST_TRAINER_UTIL_H
#define LEARNFILTER_TEST_TRAINER_UTIL_H

#include "test_util.h"

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

#endif
