/*
 * test_kernel_catalog.c: every built-in kernel against its matrix, written
 * out here independently of kernel.c.
 *
 * The 3x3 kernels are spelled literally, row by row, as their descriptions
 * and the literature give them; the larger ones are read from
 * tests/reference/kernel_*.txt, which make_reference.py writes with SciPy's
 * windows, NumPy, the smiley's run table and its own xoshiro256**. A kernel
 * added to the catalog without an entry here fails the test, so no built-in
 * goes unchecked.
 */
#include "test_util.h"

#include <stdbool.h>

#include "learnfilter/kernel.h"

/* A literal kernel: NULL values mean "read tests/reference/kernel_<file>.txt". */
typedef struct expected_kernel {
    const char *name;
    int height, width;
    float values[9];
    const char *reference; /* for the large ones */
    uint64_t seed;         /* for random */
} expected_kernel;

#define NINTH (1.0f / 9.0f)

static const expected_kernel expected[] = {
    {"sobel-x", 3, 3, {-1, 0, 1, -2, 0, 2, -1, 0, 1}, NULL, 0},
    {"sobel-y", 3, 3, {-1, -2, -1, 0, 0, 0, 1, 2, 1}, NULL, 0},
    {"laplacian", 3, 3, {-1, -1, -1, -1, 8, -1, -1, -1, -1}, NULL, 0},
    {"edge-x", 3, 3, {-1, 0, 1, -1, 0, 1, -1, 0, 1}, NULL, 0},
    {"edge-y", 3, 3, {1, 1, 1, 0, 0, 0, -1, -1, -1}, NULL, 0},
    {"compass-ne", 3, 3, {-3, 5, 5, -3, 0, 5, -3, -3, -3}, NULL, 0},
    {"line", 3, 3, {-1, 2, -1, -1, 2, -1, -1, 2, -1}, NULL, 0},
    {"compass-se", 3, 3, {-3, -3, -3, -3, 0, 5, -3, 5, 5}, NULL, 0},
    {"box3", 3, 3, {NINTH, NINTH, NINTH, NINTH, NINTH, NINTH, NINTH, NINTH, NINTH}, NULL, 0},
    {"identity", 3, 3, {0, 0, 0, 0, 1, 0, 0, 0, 0}, NULL, 0},
    {"smiley", 32, 32, {0}, "smiley", 0},
    {"gaussian", 13, 13, {0}, "gaussian", 0},
    {"box7", 7, 7, {0}, "box7", 0},
    {"gaussian-50", 50, 50, {0}, "gaussian-50", 0},
    {"hann", 1, 50, {0}, "hann", 0},
    {"random", 5, 5, {0}, "random-seed0", 0},
    {"random", 5, 5, {0}, "random-seed42", 42},
};

#define EXPECTED_COUNT (sizeof expected / sizeof expected[0])

static void check_kernel(const expected_kernel *e)
{
    lf_kernel got, want;
    lf_error err;
    if (lf_kernel_from_name(&got, e->name, e->seed, &err) != LF_OK)
        fail_msg("%s: %s", e->name, err.message);
    assert_string_equal(got.name, e->name);
    if (got.height != e->height || got.width != e->width)
        fail_msg("%s is %dx%d, expected %dx%d", e->name, got.height, got.width, e->height,
                 e->width);
    if (!e->reference) {
        /* Small integers and 1/9 are exact in float: equal, not near. */
        for (int i = 0; i < 9; i++)
            if (got.weights[i] != e->values[i])
                fail_msg("%s row %d column %d: %g, expected %g", e->name, i / 3 + 1, i % 3 + 1,
                         (double)got.weights[i], (double)e->values[i]);
        return;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/kernel_%s.txt", LF_TEST_REFERENCE_DIR, e->reference);
    if (lf_kernel_load(&want, path, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(want.height, e->height);
    assert_int_equal(want.width, e->width);
    /* float32 weights against float64 references: 1e-6 of the largest. */
    double scale = lf_kernel_max_abs(&want);
    for (int i = 0; i < want.height * want.width; i++)
        if (!(fabs((double)got.weights[i] - want.weights[i]) <= 1e-6 * scale))
            fail_msg("%s row %d column %d: %.9g, reference %.9g", e->name, i / want.width + 1,
                     i % want.width + 1, (double)got.weights[i], (double)want.weights[i]);
}

static void test_every_kernel_matches_its_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < EXPECTED_COUNT; i++)
        check_kernel(&expected[i]);
}

/* Every catalog entry has its matrix above, and nothing above is missing
 * from the catalog. */
static void test_catalog_fully_covered(void **state)
{
    (void)state;
    int n = lf_kernel_catalog_count();
    for (int c = 0; c < n; c++) {
        const char *name = lf_kernel_catalog_get(c)->name;
        bool found = false;
        for (size_t i = 0; i < EXPECTED_COUNT; i++)
            found = found || !strcmp(expected[i].name, name);
        if (!found)
            fail_msg("built-in kernel '%s' has no expected matrix in this test", name);
    }
    for (size_t i = 0; i < EXPECTED_COUNT; i++)
        if (lf_kernel_catalog_find(expected[i].name) < 0)
            fail_msg("'%s' is not in the catalog", expected[i].name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kernel_matches_its_matrix),
        cmocka_unit_test(test_catalog_fully_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
