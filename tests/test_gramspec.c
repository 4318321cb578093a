/*
 * test_gramspec.c: eigen-directions of the mean Gram matrix, the split of
 * the error among them and the step estimate.
 *
 * The eigen-solver is checked against numpy.linalg.eigh
 * (tests/reference/eigen_reference.txt, made by make_spectrum_reference.py)
 * on a plain matrix and on one whose eigenvalues span nine decades, and by
 * reconstructing A = V diag(l) V^T on Gram matrices; the tridiagonal QR
 * solver is held to its Jacobi twin on 145 parameters. The step estimate
 * for plain gradient descent is held against gradient descent itself, run on
 * the same quadratic step by step; with momentum it is held to the stated
 * looser agreement of a model.
 */
#include "test_util.h"

#include "learnfilter/gram.h"
#include "learnfilter/gramspec.h"
#include "test_reference.h"

#define REF "eigen_reference.txt"

/* Flips each row so its largest entry is positive, as the reference does. */
static void normalise_signs(double *vectors, int n)
{
    for (int k = 0; k < n; k++) {
        double *v = vectors + (size_t)k * n;
        int big = 0;
        for (int i = 1; i < n; i++)
            big = fabs(v[i]) > fabs(v[big]) ? i : big;
        if (v[big] < 0)
            for (int i = 0; i < n; i++)
                v[i] = -v[i];
    }
}

/* max |A - V diag(l) V^T| and max |V V^T - I|. */
static void check_reconstruction(const double *a, const double *values, const double *vectors,
                                 int n, double tol)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            double sum = 0, dot = 0;
            for (int k = 0; k < n; k++) {
                sum += values[k] * vectors[(size_t)k * n + r] * vectors[(size_t)k * n + c];
                dot += vectors[(size_t)r * n + k] * vectors[(size_t)c * n + k];
            }
            if (!(fabs(sum - a[(size_t)r * n + c]) <= tol))
                fail_msg("reconstruction (%d,%d) = %.17g, matrix holds %.17g", r, c, sum,
                         a[(size_t)r * n + c]);
            if (!(fabs(dot - (r == c)) <= 1e-12))
                fail_msg("eigenvectors %d and %d have dot product %.17g", r, c, dot);
        }
}

typedef lf_status (*eigen_solver)(double *, size_t, double *, size_t, const double *, int,
                                  lf_error *);

static void check_against_numpy(eigen_solver solve, const char *name, int n, double vector_tol)
{
    char key[64];
    snprintf(key, sizeof key, "%s_matrix", name);
    double *a = tr_section(REF, key, n, n);
    snprintf(key, sizeof key, "%s_values", name);
    double *want_values = tr_section(REF, key, 1, n);
    snprintf(key, sizeof key, "%s_vectors", name);
    double *want_vectors = tr_section(REF, key, n, n);
    double values[16], vectors[256];
    assert_int_equal(solve(values, 16, vectors, 256, a, n, NULL), LF_OK);
    for (int k = 0; k < n; k++)
        if (!(fabs(values[k] - want_values[k]) <= 1e-13))
            fail_msg("%s: eigenvalue %d is %.17g, NumPy gives %.17g", name, k, values[k],
                     want_values[k]);
    check_reconstruction(a, values, vectors, n, 1e-13);
    normalise_signs(vectors, n);
    for (int i = 0; i < n * n; i++)
        if (!(fabs(vectors[i] - want_vectors[i]) <= vector_tol))
            fail_msg("%s: eigenvector %d entry %d is %.17g, NumPy gives %.17g", name, i / n, i % n,
                     vectors[i], want_vectors[i]);
    free(a);
    free(want_values);
    free(want_vectors);
}

static void test_eigen_against_numpy(void **state)
{
    (void)state;
    for (int twin = 0; twin <= 1; twin++) {
        eigen_solver solve = twin ? lf_eigen_symmetric_reference : lf_eigen_symmetric;
        check_against_numpy(solve, "plain", 6, 1e-10);
        /* Neighbouring eigenvalues 1e-8 and 1e-9 apart pin their vectors
         * only to about 1e-16 / 1e-8 of the largest eigenvalue. */
        check_against_numpy(solve, "graded", 9, 1e-6);
    }
}

/* The mean Gram matrix of photo-like patches (smoothed noise, so its
 * eigenvalues spread as a photo's do), from the packed matrices and from
 * the patches, agree; it decomposes and rebuilds to 1e-10 of its largest
 * entry. */
static void test_gram_mean_and_reconstruction(void **state)
{
    (void)state;
    enum { S = 24, COUNT = 3 };
    lf_conv_shape shape = lf_conv_shape_make(S, S, 5, 5, LF_PADDING_SAME);
    const int p = lf_gram_size(&shape);
    static float patches[COUNT][S * S];
    float *packed[COUNT];
    const float *list[COUNT], *grams[COUNT];
    lf_rng rng;
    lf_rng_seed(&rng, 5);
    size_t work_bytes = lf_gram_work_bytes(S, S, 5);
    void *work = malloc(work_bytes);
    for (int i = 0; i < COUNT; i++) {
        float noise[S * S];
        tu_fill_uniform(noise, S * S, &rng, 0, 1);
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++) {
                float sum = 0;
                for (int d = 0; d < 4; d++)
                    sum += noise[((y + d / 2) % S) * S + (x + d % 2) % S];
                patches[i][y * S + x] = sum / 4;
            }
        list[i] = patches[i];
        packed[i] = malloc(sizeof(float) * lf_gram_packed_count(p));
        assert_int_equal(lf_gram_compute(packed[i], lf_gram_packed_count(p), work, work_bytes,
                                         patches[i], &shape),
                         LF_OK);
        grams[i] = packed[i];
    }
    static double a[26 * 26], b[26 * 26], values[26], vectors[26 * 26];
    assert_int_equal(lf_gram_mean(a, 26 * 26, grams, COUNT, p, S * S, NULL), LF_OK);
    assert_int_equal(lf_gram_mean_of_patches(b, 26 * 26, list, COUNT, &shape, NULL), LF_OK);
    double top = 0;
    for (int i = 0; i < p * p; i++) {
        tu_assert_near(a[i], b[i], 1e-12);
        top = fabs(a[i]) > top ? fabs(a[i]) : top;
    }
    /* The bias row: the mean of G's last entry over N is 1 (X's bias column
     * is all ones). */
    tu_assert_near(a[(size_t)(p - 1) * p + p - 1], 1.0, 1e-6);
    assert_int_equal(lf_eigen_symmetric(values, 26, vectors, 26 * 26, a, p, NULL), LF_OK);
    check_reconstruction(a, values, vectors, p, 1e-10 * top);
    for (int k = 1; k < p; k++)
        assert_true(values[k] <= values[k - 1]);
    assert_true(values[p - 1] > -1e-12 * values[0]); /* a Gram matrix has no negative direction */
    for (int i = 0; i < COUNT; i++)
        free(packed[i]);
    free(work);
}

/* The two solvers on the mean Gram matrix of a 12x12 kernel (145
 * parameters, past where Jacobi is pleasant): the same eigenvalues, and each
 * rebuilds the matrix. Eigenvectors are compared through the rebuild, since
 * close eigenvalues leave them free to turn within their plane. */
static void test_twins_agree(void **state)
{
    (void)state;
    enum { S = 40, K = 12, N = K * K + 1 };
    static float patch[S * S];
    lf_rng rng;
    lf_rng_seed(&rng, 17);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            patch[y * S + x] = (float)(sin(0.21 * x) * cos(0.13 * y) + lf_rng_uniform(&rng));
    lf_conv_shape shape = lf_conv_shape_make(S, S, K, K, LF_PADDING_VALID);
    const float *list[1] = {patch};
    static double a[N * N], v1[N * N], v2[N * N], l1[N], l2[N];
    assert_int_equal(lf_gram_mean_of_patches(a, N * N, list, 1, &shape, NULL), LF_OK);
    assert_int_equal(lf_eigen_symmetric(l1, N, v1, N * N, a, N, NULL), LF_OK);
    assert_int_equal(lf_eigen_symmetric_reference(l2, N, v2, N * N, a, N, NULL), LF_OK);
    for (int k = 0; k < N; k++)
        if (!(fabs(l1[k] - l2[k]) <= 1e-12 * l1[0]))
            fail_msg("eigenvalue %d: %.17g by QR, %.17g by Jacobi", k, l1[k], l2[k]);
    check_reconstruction(a, l1, v1, N, 1e-10 * l1[0]);
    check_reconstruction(a, l2, v2, N, 1e-10 * l1[0]);
}

/* Small and degenerate cases the reduction must not trip on: 1x1, a
 * diagonal matrix (already tridiagonal), and a rank-one matrix u u^T (the
 * Gram matrix of a blank photo is as singular). */
static void test_eigen_edge_cases(void **state)
{
    (void)state;
    for (int twin = 0; twin <= 1; twin++) {
        eigen_solver solve = twin ? lf_eigen_symmetric_reference : lf_eigen_symmetric;
        double a[25], values[5], vectors[25];
        a[0] = -2.5;
        assert_int_equal(solve(values, 5, vectors, 25, a, 1, NULL), LF_OK);
        tu_assert_near(values[0], -2.5, 0);
        tu_assert_near(fabs(vectors[0]), 1, 0);
        memset(a, 0, sizeof a);
        const double diag[5] = {0.5, 3, -1, 0, 2};
        for (int i = 0; i < 5; i++)
            a[i * 5 + i] = diag[i];
        assert_int_equal(solve(values, 5, vectors, 25, a, 5, NULL), LF_OK);
        const double sorted[5] = {3, 2, 0.5, 0, -1};
        for (int i = 0; i < 5; i++)
            tu_assert_near(values[i], sorted[i], 1e-15);
        check_reconstruction(a, values, vectors, 5, 1e-15);
        const double u[5] = {1, 2, -1, 0.5, 3};
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 5; c++)
                a[r * 5 + c] = u[r] * u[c];
        assert_int_equal(solve(values, 5, vectors, 25, a, 5, NULL), LF_OK);
        tu_assert_near(values[0], 15.25, 1e-13);
        for (int i = 1; i < 5; i++)
            tu_assert_near(values[i], 0, 1e-13);
        check_reconstruction(a, values, vectors, 5, 1e-13);
    }
}

/* A 4x4 quadratic with known eigenvalues (rotated by a fixed orthonormal
 * matrix, the 4-point Hadamard one over 2). */
static const double EIGENVALUES[4] = {1.0, 0.3, 0.05, 0.01};
static void known_matrix(double *a)
{
    static const double h[4][4] = {{1, 1, 1, 1}, {1, -1, 1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1}};
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            double s = 0;
            for (int k = 0; k < 4; k++)
                s += EIGENVALUES[k] * (h[k][r] / 2) * (h[k][c] / 2);
            a[r * 4 + c] = s;
        }
}

static void test_split(void **state)
{
    (void)state;
    double a[16], values[4], vectors[16], coef[4], d[4];
    known_matrix(a);
    assert_int_equal(lf_eigen_symmetric(values, 4, vectors, 16, a, 4, NULL), LF_OK);
    for (int k = 0; k < 4; k++)
        tu_assert_near(values[k], EIGENVALUES[k], 1e-14);
    /* d = 3 v0 + 4 v3: 9 of the squared error where the photos excite most,
     * 16 where they barely do, and the loss almost all from the first. */
    for (int i = 0; i < 4; i++)
        d[i] = 3 * vectors[i] + 4 * vectors[12 + i];
    lf_direction_split s;
    assert_int_equal(lf_gramspec_split(&s, coef, 4, values, vectors, 4, d, 0.1, NULL), LF_OK);
    assert_int_equal(s.excited, 2);
    assert_int_equal(s.weak, 2);
    tu_assert_near(coef[0], 3, 1e-12);
    tu_assert_near(coef[1], 0, 1e-12);
    tu_assert_near(coef[3], 4, 1e-12);
    tu_assert_near(s.error_sq, 25, 1e-12);
    tu_assert_near(s.error_sq_excited, 9, 1e-12);
    tu_assert_near(s.error_sq_weak, 16, 1e-12);
    tu_assert_near(s.loss_excited, 9 * 1.0, 1e-12);
    tu_assert_near(s.loss_weak, 16 * 0.01, 1e-12);
    /* The loss is d^T A d computed straight from the matrix. */
    double direct = 0;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            direct += d[r] * a[r * 4 + c] * d[c];
    tu_assert_near(s.loss, direct, 1e-12);
}

/* Runs SGD (PyTorch's rule) on loss = d^T A d from d, counting steps until
 * ||d|| <= tol * ref; -1 beyond limit. */
static long simulate(const double *a, const double *d0, const lf_descent_model *m, long limit)
{
    double d[4], v[4] = {0};
    memcpy(d, d0, sizeof d);
    for (long t = 0; t <= limit; t++) {
        double norm = 0;
        for (int i = 0; i < 4; i++)
            norm += d[i] * d[i];
        if (sqrt(norm) <= m->tolerance * m->reference_norm)
            return t;
        double g[4];
        for (int r = 0; r < 4; r++) {
            g[r] = 0;
            for (int c = 0; c < 4; c++)
                g[r] += 2 * a[r * 4 + c] * d[c];
        }
        for (int i = 0; i < 4; i++) {
            v[i] = m->momentum * v[i] + g[i];
            d[i] -= m->learning_rate * (m->nesterov ? g[i] + m->momentum * v[i] : v[i]);
        }
    }
    return -1;
}

static long estimate(const double *a, const double *d, const lf_descent_model *m,
                     lf_descent_estimate *e)
{
    double values[4], vectors[16], coef[4];
    lf_direction_split s;
    assert_int_equal(lf_eigen_symmetric(values, 4, vectors, 16, a, 4, NULL), LF_OK);
    assert_int_equal(lf_gramspec_split(&s, coef, 4, values, vectors, 4, d, 0.1, NULL), LF_OK);
    assert_int_equal(lf_descent_estimate_steps(e, values, coef, 4, m, NULL), LF_OK);
    return e->steps;
}

static void test_estimate_plain_descent(void **state)
{
    (void)state;
    double a[16], d[4] = {0.3, -0.2, 0.5, 0.1};
    known_matrix(a);
    for (int trial = 0; trial < 3; trial++) {
        lf_descent_model m = {.learning_rate = 0.3 + 0.3 * trial, /* up to 0.9: rate 0.8 on top */
                              .tolerance = trial == 2 ? 1e-6 : 1e-3,
                              .reference_norm = 0.7};
        lf_descent_estimate e;
        long est = estimate(a, d, &m, &e);
        long sim = simulate(a, d, &m, 10000000);
        if (!(labs(est - sim) <= 1))
            fail_msg("lr %g, tol %g: estimate %ld steps, gradient descent took %ld",
                     m.learning_rate, m.tolerance, est, sim);
        /* The slowest direction is the one of eigenvalue 0.01. */
        tu_assert_near(e.slowest_rate, 1 - m.learning_rate * 2 * 0.01, 1e-12);
    }
    /* Too high a rate: the top direction's factor |1 - 2 lr| exceeds 1. */
    lf_descent_model fast = {.learning_rate = 1.2, .tolerance = 1e-3, .reference_norm = 0.7};
    lf_descent_estimate e;
    assert_int_equal(estimate(a, d, &fast, &e), -1);
    assert_true(e.diverges);
    assert_int_equal(simulate(a, d, &fast, 100000), -1);
    /* A direction the photos do not excite at all, with rounding's sign:
     * it neither grows nor decays, so the error it holds stays. */
    double values[2] = {1.0, -1e-13}, coef[2] = {0.1, 0.0};
    lf_descent_model plain = {.learning_rate = 0.3, .tolerance = 1e-3, .reference_norm = 1};
    assert_int_equal(lf_descent_estimate_steps(&e, values, coef, 2, &plain, NULL), LF_OK);
    assert_false(e.diverges);
    assert_false(e.stalls);
    /* 0.1 * 0.4^t <= 1e-3 first at t = 6 (0.4^5 = 0.01024, 0.4^6 = 0.004096). */
    assert_int_equal(e.steps, 6);
    coef[1] = 0.5;
    assert_int_equal(lf_descent_estimate_steps(&e, values, coef, 2, &plain, NULL), LF_OK);
    assert_false(e.diverges);
    assert_true(e.stalls);
    assert_int_equal(e.steps, -1);
    tu_assert_near(e.slowest_rate, 1.0, 0);
    assert_int_equal(e.slowest, 1);
    /* Already there. */
    lf_descent_model loose = {.learning_rate = 0.5, .tolerance = 10, .reference_norm = 0.7};
    assert_int_equal(estimate(a, d, &loose, &e), 0);
}

/* With momentum the model keeps only each direction's asymptotic rate: it
 * must land within a quarter of the simulated count. */
static void test_estimate_momentum(void **state)
{
    (void)state;
    double a[16], d[4] = {0.3, -0.2, 0.5, 0.1};
    known_matrix(a);
    for (int nesterov = 0; nesterov <= 1; nesterov++) {
        lf_descent_model m = {.learning_rate = 0.05, .momentum = 0.9, .nesterov = nesterov,
                              .tolerance = 1e-4, .reference_norm = 0.7};
        lf_descent_estimate e;
        long est = estimate(a, d, &m, &e);
        long sim = simulate(a, d, &m, 10000000);
        if (!(sim > 0 && fabs((double)est - sim) <= 0.25 * sim))
            fail_msg("momentum 0.9%s: estimate %ld steps, SGD took %ld",
                     nesterov ? " (Nesterov)" : "", est, sim);
    }
}

static void test_rate(void **state)
{
    (void)state;
    lf_descent_model m = {.learning_rate = 0.1};
    tu_assert_near(lf_descent_rate(2.0, &m), 0.8, 1e-15);
    tu_assert_near(lf_descent_rate(30.0, &m), 2.0, 1e-15);
    /* Heavy ball at lr h = (1 - sqrt(mu))^2: a double root at sqrt(mu). */
    m.momentum = 0.81;
    tu_assert_near(lf_descent_rate((1 - 0.9) * (1 - 0.9) / 0.1, &m), 0.9, 1e-7);
    /* Under-damped: a complex pair of modulus sqrt(mu). */
    tu_assert_near(lf_descent_rate(5.0, &m), 0.9, 1e-12);
}

static void test_refusals(void **state)
{
    (void)state;
    double a[9] = {0}, vectors[9], values[3];
    lf_error err;
    /* The size is refused before any array is read or written. */
    assert_int_equal(lf_eigen_symmetric(values, 3, vectors, 9, a, LF_EIGEN_MAX_SIZE + 1, &err),
                     LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "1026x1026"));
    assert_int_equal(lf_eigen_symmetric_reference(values, 3, vectors, 9, a,
                                                  LF_EIGEN_REFERENCE_MAX_SIZE + 1, &err),
                     LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "401x401"));
    assert_int_equal(lf_eigen_symmetric(values, 3, vectors, 8, a, 3, &err), LF_ERR_ARGUMENT);
    a[1] = NAN;
    assert_int_equal(lf_eigen_symmetric(values, 3, vectors, 9, a, 3, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_eigen_symmetric_reference(values, 3, vectors, 9, a, 3, &err),
                     LF_ERR_ARGUMENT);
    double d[3] = {0};
    float params[3] = {0}, truth[2] = {0};
    lf_direction_split s;
    assert_int_equal(lf_gramspec_split(&s, values, 2, values, vectors, 3, d, 0.1, &err),
                     LF_ERR_ARGUMENT);
    assert_int_equal(lf_gramspec_split(&s, NULL, 0, values, vectors, 3, d, 1.5, &err),
                     LF_ERR_ARGUMENT);
    assert_int_equal(lf_gramspec_delta(d, 2, params, truth, 2, &err), LF_ERR_ARGUMENT);
    lf_descent_estimate e;
    lf_descent_model m = {.learning_rate = 0.1, .momentum = 1, .tolerance = 1e-3,
                          .reference_norm = 1};
    assert_int_equal(lf_descent_estimate_steps(&e, values, d, 3, &m, &err), LF_ERR_ARGUMENT);
    m.momentum = 0;
    m.tolerance = 0;
    assert_int_equal(lf_descent_estimate_steps(&e, values, d, 3, &m, &err), LF_ERR_ARGUMENT);
    const float *none[1] = {NULL};
    assert_int_equal(lf_gram_mean(a, 9, none, 1, 3, 1, &err), LF_ERR_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eigen_against_numpy),
        cmocka_unit_test(test_gram_mean_and_reconstruction),
        cmocka_unit_test(test_twins_agree),
        cmocka_unit_test(test_eigen_edge_cases),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_estimate_plain_descent),
        cmocka_unit_test(test_estimate_momentum),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
