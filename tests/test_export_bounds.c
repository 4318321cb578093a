/*
 * test_export_bounds.c: the weight history's bound and the temporaries a
 * signal handler removes. A history offered more moments than it keeps
 * thins itself evenly (every 2nd, 4th, ... offer, as the loss curve is
 * thinned), never holds more than its bound in snapshots or bytes, and
 * keeps the exact kernels it was given at the moments it says.
 */
#include "test_util.h"

#include "learnfilter/export.h"

/* The kernel offered at offer k: each tap a value no other offer has. */
static void kernel_at(float *w, int taps, long k)
{
    for (int t = 0; t < taps; t++)
        w[t] = (float)k + (float)t / 16.0f;
}

static void test_history_thinned_evenly(void **state)
{
    (void)state;
    lf_weight_history h;
    lf_weight_history_init(&h, 3, 3);
    assert_int_equal(h.max_count, LF_WEIGHT_HISTORY_MAX_SNAPSHOTS);
    float w[9];
    const long offers = 25000;
    for (long k = 0; k < offers; k++) {
        kernel_at(w, 9, k);
        assert_int_equal(lf_weight_history_record(&h, w, k + 1, (int)(k + 1), 0.5, NULL), LF_OK);
        assert_true(h.count < h.max_count); /* room stays for the last moment */
    }
    /* 25,000 offers at spacing 4 (10,000 > 9,999 > 5,000): offers 0, 4, ...,
     * 24996, which is 6,250 snapshots. */
    assert_int_equal(h.spacing, 4);
    assert_int_equal(h.count, 6250);
    for (int i = 0; i < h.count; i++) {
        long k = 4L * i;
        assert_int_equal(h.steps[i], k + 1);
        assert_int_equal(h.epochs[i], (int)(k + 1));
        kernel_at(w, 9, k);
        for (int t = 0; t < 9; t++)
            assert_true(h.weights[9 * i + t] == w[t]);
    }
    /* The moment the run ended still fits. */
    kernel_at(w, 9, offers);
    assert_int_equal(lf_weight_history_append(&h, w, offers, (int)offers, 0.1, NULL), LF_OK);
    assert_int_equal(h.steps[h.count - 1], offers);
    lf_weight_history_deinit(&h);
}

/* A 64x64 kernel is 16 KiB a snapshot: the 16 MiB bound keeps 1,024, and
 * the allocation never grows past them. */
static void test_history_byte_bound(void **state)
{
    (void)state;
    lf_weight_history h;
    lf_weight_history_init(&h, 64, 64);
    assert_int_equal(h.max_count, 1024);
    float *w = calloc(64 * 64, sizeof(float));
    assert_non_null(w);
    for (long k = 0; k < 5000; k++) {
        w[0] = (float)k;
        assert_int_equal(lf_weight_history_record(&h, w, k, (int)k, 0, NULL), LF_OK);
    }
    assert_true(h.capacity <= 1024);
    assert_true((long)h.capacity * 64 * 64 * (long)sizeof(float) <= LF_WEIGHT_HISTORY_MAX_BYTES);
    /* Evenly spaced from the first offer on. */
    for (int i = 1; i < h.count; i++)
        assert_int_equal(h.steps[i] - h.steps[i - 1], h.spacing);
    assert_true(h.weights[0] == 0.0f);
    free(w);
    /* Full: one more append is refused rather than written past the end. */
    lf_weight_history_deinit(&h);
    lf_weight_history_init(&h, 64, 64);
    float *zero = calloc(64 * 64, sizeof(float));
    assert_non_null(zero);
    for (int i = 0; i < 1024; i++)
        assert_int_equal(lf_weight_history_append(&h, zero, i, i, 0, NULL), LF_OK);
    lf_error err;
    assert_int_equal(lf_weight_history_append(&h, zero, 1024, 1024, 0, &err), LF_ERR_ARGUMENT);
    assert_int_equal(h.count, 1024);
    free(zero);
    lf_weight_history_deinit(&h);
}

/* What a SIGINT handler calls before _exit: every open temporary goes, a
 * finished file stays. */
static void test_temporaries_removed(void **state)
{
    (void)state;
    char dir[512], a[600], b[600], done[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a.gif", dir);
    snprintf(b, sizeof b, "%s/b.npy", dir);
    snprintf(done, sizeof done, "%s/done.txt", dir);
    lf_atomic_file fa, fb, fd;
    assert_int_equal(lf_atomic_open(&fd, done, NULL), LF_OK);
    fputs("kept", fd.stream);
    assert_int_equal(lf_atomic_commit(&fd, NULL), LF_OK);
    assert_int_equal(lf_atomic_open(&fa, a, NULL), LF_OK);
    assert_int_equal(lf_atomic_open(&fb, b, NULL), LF_OK);
    assert_int_equal(tu_count_entries(dir), 3);
    lf_atomic_remove_temporaries();
    assert_int_equal(tu_count_entries(dir), 1);
    assert_true(tu_file_exists(done));
    lf_atomic_abandon(&fa);
    lf_atomic_abandon(&fb);
    /* A zeroed file never opened holds no slot: abandoning it leaves an
     * open one listed. */
    assert_int_equal(lf_atomic_open(&fa, a, NULL), LF_OK);
    lf_atomic_file never;
    memset(&never, 0, sizeof never);
    lf_atomic_abandon(&never);
    lf_atomic_remove_temporaries();
    assert_int_equal(tu_count_entries(dir), 1);
    lf_atomic_abandon(&fa);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_thinned_evenly),
        cmocka_unit_test(test_history_byte_bound),
        cmocka_unit_test(test_temporaries_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
