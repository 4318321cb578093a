/*
 * test_rewind.c: the ring of past training states (rewind.h).
 *
 * As a run grows the ring thins, as the loss history does: it always
 * holds the state at every multiple of its stride up to the current step,
 * never more than its capacity, and never thins further than it must. A
 * state put back is exactly the one stored, and the same bytes as a fresh
 * run trained to that step; training on from it replays the original run.
 * A branch drops the later states and the ring goes on from there.
 */
#include "test_data_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/rewind.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

static void make_dataset(lf_dataset *ds, uint64_t seed)
{
    lf_image img;
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    td_noise_image(&img, 16 * 5, 16 * 4, &rng);
    td_dataset(ds, &img, 1, &(lf_dataset_options){.patch_size = 16, .seed = seed});
}

static lf_trainer *create(const lf_dataset *ds, const char *kernel)
{
    lf_kernel k;
    assert_int_equal(lf_kernel_from_name(&k, kernel, 0, NULL), LF_OK);
    lf_trainer_options o = {.target = k, .seed = 7};
    o.settings = lf_settings_for_optimizer(LF_OPTIMIZER_ADAM);
    o.settings.learning_rate = 1e-2f;
    o.settings.batch_size = 3;
    lf_error err;
    lf_trainer *t = lf_trainer_create(&o, ds, &err);
    if (!t)
        fail_msg("lf_trainer_create: %s", err.message);
    return t;
}

static void step(lf_trainer *t)
{
    lf_error err;
    if (lf_trainer_step(t, &err) != LF_OK)
        fail_msg("step: %s", err.message);
}

static void record(lf_rewind *ring, lf_trainer *t)
{
    lf_error err;
    if (lf_rewind_record(ring, t, NULL, &err) != LF_OK)
        fail_msg("record: %s", err.message);
}

static size_t state_size(const lf_state *s)
{
    size_t n;
    lf_state_bytes(s, &n);
    return n;
}

static void assert_same_bytes(const lf_state *a, const lf_state *b)
{
    size_t na, nb;
    const void *pa = lf_state_bytes(a, &na), *pb = lf_state_bytes(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
}

/* After every step of a long run: the states are at 0, s, 2s, ... up to
 * the step, s a power of two; no more than the capacity; and with half the
 * stride they would not have fitted. */
static void test_thinning_and_capacity(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 31);
    lf_trainer *t = create(&ds, "sobel-x");
    lf_rewind *ring = lf_rewind_create();
    assert_non_null(ring);
    assert_int_equal(lf_rewind_count(ring), 0);
    assert_int_equal(lf_rewind_step_at(ring, 0), -1);
    record(ring, t); /* step 0 */
    int thinnings = 0;
    long last_stride = 1;
    for (long s = 1; s <= 3000; s++) {
        step(t);
        record(ring, t);
        int n = lf_rewind_count(ring), cap = lf_rewind_capacity(ring);
        long stride = lf_rewind_stride(ring);
        assert_true(n <= cap);
        assert_true(cap <= LF_REWIND_SLOTS && cap >= LF_REWIND_MIN_SLOTS);
        assert_true((stride & (stride - 1)) == 0);
        assert_int_equal(n, s / stride + 1);
        for (int i = 0; i < n; i++)
            assert_int_equal(lf_rewind_step_at(ring, i), i * stride);
        if (stride > 1)
            assert_true(s / (stride / 2) + 1 > cap);
        if (stride != last_stride) {
            assert_int_equal(stride, 2 * last_stride);
            thinnings++;
            last_stride = stride;
        }
    }
    /* 3000 steps in 64 slots: 0, 64, ..., 2944 at stride 64, six thinnings. */
    assert_int_equal(lf_rewind_capacity(ring), LF_REWIND_SLOTS);
    assert_int_equal(lf_rewind_stride(ring), 64);
    assert_int_equal(thinnings, 6);
    assert_int_equal(lf_rewind_count(ring), 3000 / 64 + 1);
    long steps[LF_REWIND_SLOTS + 1];
    steps[3] = -5;
    assert_int_equal(lf_rewind_steps(ring, steps, 3), 3); /* capacity honoured */
    assert_int_equal(steps[2], 128);
    assert_int_equal(steps[3], -5);
    /* The memory: every slot ever used holds one state of this run, no
     * bigger than the newest (the loss curves grow with the run). */
    size_t first = state_size(lf_rewind_state(ring, 0));
    size_t newest = state_size(lf_rewind_state(ring, lf_rewind_count(ring) - 1));
    assert_true(first > 0 && newest >= first);
    assert_true(lf_rewind_bytes(ring) <= (size_t)lf_rewind_capacity(ring) * newest);
    assert_true(lf_rewind_bytes(ring) >= (size_t)lf_rewind_count(ring) * first);
    /* Due only at multiples of the stride past the last state. */
    assert_false(lf_rewind_due(ring, 2944));
    assert_false(lf_rewind_due(ring, 3001));
    assert_true(lf_rewind_due(ring, 3008));
    assert_int_equal(lf_rewind_nearest(ring, 100), 2);  /* 128 is nearer than 64 */
    assert_int_equal(lf_rewind_nearest(ring, 96), 1);   /* a tie: the earlier */
    assert_int_equal(lf_rewind_nearest(ring, 1e9), lf_rewind_count(ring) - 1);
    assert_int_equal(lf_rewind_nearest(ring, -4), 0);
    lf_rewind_clear(ring);
    assert_int_equal(lf_rewind_count(ring), 0);
    assert_int_equal(lf_rewind_stride(ring), 1);
    assert_int_equal(lf_rewind_nearest(ring, 3), -1);
    lf_rewind_destroy(ring);
    lf_rewind_destroy(NULL);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* Each stored state is the bytes of a fresh run trained to its step, a
 * restore gives it back exactly, and training on replays the original. */
static void test_restore_gives_the_stored_state(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 32);
    lf_trainer *t = create(&ds, "laplacian");
    lf_rewind *ring = lf_rewind_create();
    record(ring, t);
    for (int s = 0; s < 300; s++) {
        step(t);
        record(ring, t);
    }
    lf_state *end = lf_state_create(), *again = lf_state_create();
    lf_error err;
    assert_int_equal(lf_trainer_save_state(t, end, &err), LF_OK);
    int n = lf_rewind_count(ring);
    assert_true(n > 10);
    for (int i = 0; i < n; i += 7) {
        long at = lf_rewind_step_at(ring, i);
        lf_trainer *fresh = create(&ds, "laplacian");
        for (long s = 0; s < at; s++)
            step(fresh);
        assert_int_equal(lf_trainer_save_state(fresh, again, &err), LF_OK);
        assert_same_bytes(lf_rewind_state(ring, i), again);
        lf_trainer_destroy(fresh);

        assert_int_equal(lf_rewind_restore(ring, i, t, &err), LF_OK);
        assert_int_equal(lf_trainer_figures(t)->step, at);
        assert_int_equal(lf_trainer_save_state(t, again, &err), LF_OK);
        assert_same_bytes(lf_rewind_state(ring, i), again);
        for (long s = at; s < 300; s++)
            step(t);
        assert_int_equal(lf_trainer_save_state(t, again, &err), LF_OK);
        assert_same_bytes(end, again);
    }
    assert_int_equal(lf_rewind_restore(ring, n, t, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_rewind_restore(ring, -1, t, &err), LF_ERR_ARGUMENT);
    lf_state_destroy(end);
    lf_state_destroy(again);
    lf_rewind_destroy(ring);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

/* Back to a past state and on from there: the later states go, the next
 * one kept is the next multiple of the stride, and the ring thins on. */
static void test_branch_drops_later_states(void **state)
{
    (void)state;
    lf_dataset ds;
    make_dataset(&ds, 33);
    lf_trainer *t = create(&ds, "sobel-y");
    lf_rewind *ring = lf_rewind_create();
    record(ring, t);
    for (int s = 0; s < 200; s++) {
        step(t);
        record(ring, t);
    }
    long stride = lf_rewind_stride(ring);
    assert_int_equal(stride, 4); /* 0..200 at 4: 51 states */
    int n = lf_rewind_count(ring);
    assert_int_equal(n, 51);
    lf_error err;
    assert_int_equal(lf_rewind_restore(ring, 10, t, &err), LF_OK);
    assert_int_equal(lf_rewind_truncate(ring, 11), n - 11);
    assert_int_equal(lf_rewind_truncate(ring, 11), 0);
    assert_int_equal(lf_rewind_count(ring), 11);
    assert_int_equal(lf_rewind_step_at(ring, 10), 40);
    for (int s = 0; s < 3; s++) {
        step(t);
        record(ring, t);
        assert_int_equal(lf_rewind_count(ring), 11);
    }
    step(t);
    record(ring, t);
    assert_int_equal(lf_rewind_count(ring), 12);
    assert_int_equal(lf_rewind_step_at(ring, 11), 44);
    for (int s = 0; s < 400; s++) {
        step(t);
        record(ring, t);
    }
    /* 444 steps: 0..440 at 8 (56 states) */
    assert_int_equal(lf_rewind_stride(ring), 8);
    assert_int_equal(lf_rewind_count(ring), 56);
    for (int i = 0; i < 56; i++)
        assert_int_equal(lf_rewind_step_at(ring, i), 8 * i);
    assert_int_equal(lf_rewind_truncate(ring, 0), 56);
    assert_int_equal(lf_rewind_count(ring), 0);
    lf_rewind_destroy(ring);
    lf_trainer_destroy(t);
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thinning_and_capacity),
        cmocka_unit_test(test_restore_gives_the_stored_state),
        cmocka_unit_test(test_branch_drops_later_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
