/*
 * test_conv.c: the convolution layer against its plain reference twin, and
 * both against numbers computed independently with SciPy/NumPy
 * (tests/reference/make_reference.py).
 *
 * Tolerances. The fast routines sum in float, the references in double, so
 * they differ by rounding only. A float sum of n terms is off by at most
 * about n * FLT_EPSILON times the sum of the terms' magnitudes; in practice
 * the error grows like sqrt(n), so we allow 1e-5 of that magnitude sum for
 * each output (32x32 taps: 1024 * 6e-8 = 6e-5 worst case, ~2e-6 typical).
 * A wrong tap, offset or padding changes an output by the size of a whole
 * term, far beyond this. Against the SciPy files (computed in double from
 * float32 inputs) the same relative bound applies, plus 1e-6 absolute for
 * the rounding of the written values.
 */
#include "test_util.h"

#include "learnfilter/conv.h"

#ifndef LF_TEST_REFERENCE_DIR
#define LF_TEST_REFERENCE_DIR LF_TEST_DATA_DIR "/../reference"
#endif

#define REL_TOL 1e-5
#define ABS_TOL 1e-6

/* sum_{i,j} |w[i][j] * in[...]| + |bias| for each output: the scale of the
 * rounding error in that output. */
static void forward_magnitude(double *mag, const float *in, const float *w, float bias,
                              const lf_conv_shape *s)
{
    for (int y = 0; y < s->out_height; y++)
        for (int x = 0; x < s->out_width; x++) {
            double acc = fabs(bias);
            for (int i = 0; i < s->k_height; i++)
                for (int j = 0; j < s->k_width; j++) {
                    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                    if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                        acc += fabs((double)w[i * s->k_width + j] * in[iy * s->in_width + ix]);
                }
            mag[y * s->out_width + x] = acc;
        }
}

static void backward_magnitude(double *mag, double *bias_mag, const float *dout, const float *in,
                               const lf_conv_shape *s)
{
    for (int i = 0; i < s->k_height; i++)
        for (int j = 0; j < s->k_width; j++) {
            double acc = 0;
            for (int y = 0; y < s->out_height; y++)
                for (int x = 0; x < s->out_width; x++) {
                    int iy = y + i - s->pad_top, ix = x + j - s->pad_left;
                    if (iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width)
                        acc += fabs((double)dout[y * s->out_width + x] * in[iy * s->in_width + ix]);
                }
            mag[i * s->k_width + j] = acc;
        }
    double acc = 0;
    for (int p = 0; p < s->out_height * s->out_width; p++)
        acc += fabs(dout[p]);
    *bias_mag = acc;
}

/* ============================================================ shapes */

static void test_shape_same_and_valid(void **state)
{
    (void)state;
    lf_conv_shape s = lf_conv_shape_make(9, 11, 3, 3, LF_PADDING_SAME);
    assert_int_equal(s.out_height, 9);
    assert_int_equal(s.out_width, 11);
    assert_int_equal(s.pad_top, 1);
    assert_int_equal(s.pad_left, 1);
    /* Even sides pad (K-1)/2 before: 4 -> 1 before (and 2 after). */
    s = lf_conv_shape_make(9, 11, 4, 2, LF_PADDING_SAME);
    assert_int_equal(s.pad_top, 1);
    assert_int_equal(s.pad_left, 0);
    s = lf_conv_shape_make(64, 64, 32, 32, LF_PADDING_SAME);
    assert_int_equal(s.pad_top, 15);
    assert_int_equal(s.pad_left, 15);
    s = lf_conv_shape_make(9, 11, 4, 5, LF_PADDING_VALID);
    assert_int_equal(s.out_height, 6);
    assert_int_equal(s.out_width, 7);
    assert_int_equal(s.pad_top, 0);
    assert_int_equal(s.pad_left, 0);
    s = lf_conv_shape_make(3, 20, 5, 5, LF_PADDING_VALID);
    assert_int_equal(s.out_height, 0);
}

/* ===================================================== fast vs reference */

static void compare_one(int h, int w, int kh, int kw, lf_padding padding, lf_rng *rng)
{
    lf_conv_shape s = lf_conv_shape_make(h, w, kh, kw, padding);
    size_t in_n = (size_t)h * w, k_n = (size_t)kh * kw;
    size_t out_n = (size_t)s.out_height * s.out_width;
    float *in = malloc(sizeof(float) * in_n);
    float *k = malloc(sizeof(float) * k_n);
    float *dout = malloc(sizeof(float) * (out_n + 1));
    float *out_fast = malloc(sizeof(float) * (out_n + 1));
    float *out_ref = malloc(sizeof(float) * (out_n + 1));
    float *dw_fast = malloc(sizeof(float) * k_n);
    float *dw_ref = malloc(sizeof(float) * k_n);
    double *mag = malloc(sizeof(double) * (out_n > k_n ? out_n : k_n) + 8);
    tu_fill_uniform(in, in_n, rng, -1, 1);
    tu_fill_uniform(k, k_n, rng, -1, 1);
    tu_fill_uniform(dout, out_n, rng, -1, 1);
    float bias = (float)lf_rng_uniform(rng) - 0.5f;

    conv2d_forward(out_fast, in, k, bias, &s);
    conv2d_forward_reference(out_ref, in, k, bias, &s);
    forward_magnitude(mag, in, k, bias, &s);
    for (size_t p = 0; p < out_n; p++)
        if (!(fabs((double)out_fast[p] - out_ref[p]) <= REL_TOL * mag[p] + ABS_TOL))
            fail_msg("forward %dx%d image, %dx%d kernel, %s: output %zu fast %.9g reference %.9g",
                     h, w, kh, kw, padding == LF_PADDING_SAME ? "same" : "valid", p,
                     (double)out_fast[p], (double)out_ref[p]);

    /* Backward accumulates: start both from the same nonzero values. */
    float db_fast = 0.25f, db_ref = 0.25f;
    for (size_t t = 0; t < k_n; t++)
        dw_fast[t] = dw_ref[t] = (float)t * 0.001f;
    conv2d_backward_weights(dw_fast, &db_fast, dout, in, &s);
    conv2d_backward_weights_reference(dw_ref, &db_ref, dout, in, &s);
    double bias_mag;
    backward_magnitude(mag, &bias_mag, dout, in, &s);
    for (size_t t = 0; t < k_n; t++)
        if (!(fabs((double)dw_fast[t] - dw_ref[t]) <= REL_TOL * (mag[t] + 0.001 * t) + ABS_TOL))
            fail_msg("dw %dx%d image, %dx%d kernel, %s: tap %zu fast %.9g reference %.9g", h, w,
                     kh, kw, padding == LF_PADDING_SAME ? "same" : "valid", t,
                     (double)dw_fast[t], (double)dw_ref[t]);
    tu_assert_near(db_fast, db_ref, REL_TOL * (bias_mag + 0.25) + ABS_TOL);
    if (out_n == 0) {
        /* Nothing to sum: the gradients keep exactly what they held. */
        for (size_t t = 0; t < k_n; t++)
            assert_true(dw_fast[t] == (float)t * 0.001f);
        assert_true(db_fast == 0.25f);
    }

    free(in);
    free(k);
    free(dout);
    free(out_fast);
    free(out_ref);
    free(dw_fast);
    free(dw_ref);
    free(mag);
}

static void test_fast_matches_reference(void **state)
{
    (void)state;
    static const int kernels[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 5}, {7, 7}, {32, 32}, {1, 50}};
    /* Includes images smaller than most kernels, odd and even sides, and a
     * size whose rows are not a multiple of the vector width. */
    static const int images[][2] = {{1, 1}, {2, 3}, {5, 4}, {13, 17}, {31, 29}, {64, 64}};
    lf_rng rng;
    lf_rng_seed(&rng, 12345);
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
            compare_one(images[i][0], images[i][1], kernels[k][0], kernels[k][1],
                        LF_PADDING_SAME, &rng);
            compare_one(images[i][0], images[i][1], kernels[k][0], kernels[k][1],
                        LF_PADDING_VALID, &rng);
        }
}

/* The reference itself on a case small enough to do by hand: a 3x3 image,
 * a 2x2 kernel, 'same' padding puts the extra zero row and column after. */
static void test_reference_by_hand(void **state)
{
    (void)state;
    const float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float w[4] = {1, 10, 100, 1000};
    float out[9];
    lf_conv_shape s = lf_conv_shape_make(3, 3, 2, 2, LF_PADDING_SAME);
    /* out[y][x] = in[y][x] + 10 in[y][x+1] + 100 in[y+1][x] + 1000 in[y+1][x+1],
     * zeros past the right and bottom edges; bias 0.5. */
    const float expected[9] = {
        1 + 20 + 400 + 5000 + 0.5f, 2 + 30 + 500 + 6000 + 0.5f, 3 + 0 + 600 + 0 + 0.5f,
        4 + 50 + 700 + 8000 + 0.5f, 5 + 60 + 800 + 9000 + 0.5f, 6 + 0 + 900 + 0 + 0.5f,
        7 + 80 + 0.5f,              8 + 90 + 0.5f,              9 + 0.5f};
    conv2d_forward_reference(out, in, w, 0.5f, &s);
    for (int i = 0; i < 9; i++)
        assert_true(out[i] == expected[i]);
    conv2d_forward(out, in, w, 0.5f, &s);
    for (int i = 0; i < 9; i++)
        assert_true(out[i] == expected[i]);
}

/* ============================================ against SciPy/NumPy files */

typedef struct section {
    int rows, cols;
    double *values;
} section;

typedef struct reference_case {
    char padding[16];
    section input, kernel, bias, dout, output, dweight, dbias;
} reference_case;

static section *case_section(reference_case *c, const char *name)
{
    if (!strcmp(name, "input")) return &c->input;
    if (!strcmp(name, "kernel")) return &c->kernel;
    if (!strcmp(name, "bias")) return &c->bias;
    if (!strcmp(name, "dout")) return &c->dout;
    if (!strcmp(name, "output")) return &c->output;
    if (!strcmp(name, "dweight")) return &c->dweight;
    if (!strcmp(name, "dbias")) return &c->dbias;
    return NULL;
}

static void read_case(reference_case *c, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", LF_TEST_REFERENCE_DIR, file);
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[256];
    /* The comment line. */
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(line[0], '#');
    assert_int_equal(fscanf(f, " padding %15s", c->padding), 1);
    char name[32];
    int rows, cols;
    while (fscanf(f, " %31s %d %d", name, &rows, &cols) == 3) {
        section *s = case_section(c, name);
        if (!s)
            fail_msg("%s: unknown section %s", path, name);
        assert_true(rows > 0 && cols > 0 && rows * cols < 10000);
        s->rows = rows;
        s->cols = cols;
        s->values = malloc(sizeof(double) * (size_t)rows * cols);
        for (int i = 0; i < rows * cols; i++)
            if (fscanf(f, "%lf", &s->values[i]) != 1)
                fail_msg("%s: section %s is short", path, name);
    }
    fclose(f);
    assert_non_null(c->input.values);
    assert_non_null(c->kernel.values);
    assert_non_null(c->output.values);
    assert_non_null(c->dweight.values);
}

static void free_case(reference_case *c)
{
    free(c->input.values);
    free(c->kernel.values);
    free(c->bias.values);
    free(c->dout.values);
    free(c->output.values);
    free(c->dweight.values);
    free(c->dbias.values);
}

static float *to_float(const section *s)
{
    float *v = malloc(sizeof(float) * (size_t)s->rows * s->cols);
    for (int i = 0; i < s->rows * s->cols; i++)
        v[i] = (float)s->values[i];
    return v;
}

static void check_reference_file(const char *file)
{
    reference_case c;
    read_case(&c, file);
    lf_padding padding = !strcmp(c.padding, "same") ? LF_PADDING_SAME : LF_PADDING_VALID;
    lf_conv_shape s = lf_conv_shape_make(c.input.rows, c.input.cols, c.kernel.rows, c.kernel.cols,
                                         padding);
    assert_int_equal(s.out_height, c.output.rows);
    assert_int_equal(s.out_width, c.output.cols);
    assert_int_equal(c.dout.rows, c.output.rows);
    assert_int_equal(c.dweight.rows, c.kernel.rows);
    assert_int_equal(c.dweight.cols, c.kernel.cols);
    float *in = to_float(&c.input), *k = to_float(&c.kernel), *dout = to_float(&c.dout);
    float bias = (float)c.bias.values[0];
    size_t out_n = (size_t)s.out_height * s.out_width, k_n = (size_t)s.k_height * s.k_width;
    float *out = malloc(sizeof(float) * out_n);
    double *mag = malloc(sizeof(double) * (out_n > k_n ? out_n : k_n));

    forward_magnitude(mag, in, k, bias, &s);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            conv2d_forward_reference(out, in, k, bias, &s);
        else
            conv2d_forward(out, in, k, bias, &s);
        for (size_t p = 0; p < out_n; p++)
            if (!(fabs(out[p] - c.output.values[p]) <= REL_TOL * mag[p] + ABS_TOL))
                fail_msg("%s: %s output %zu is %.9g, SciPy says %.9g", file,
                         pass ? "fast" : "reference", p, (double)out[p], c.output.values[p]);
    }

    double bias_mag;
    backward_magnitude(mag, &bias_mag, dout, in, &s);
    float *dw = malloc(sizeof(float) * k_n);
    for (int pass = 0; pass < 2; pass++) {
        float db = 0;
        memset(dw, 0, sizeof(float) * k_n);
        if (pass == 0)
            conv2d_backward_weights_reference(dw, &db, dout, in, &s);
        else
            conv2d_backward_weights(dw, &db, dout, in, &s);
        for (size_t t = 0; t < k_n; t++)
            if (!(fabs(dw[t] - c.dweight.values[t]) <= REL_TOL * mag[t] + ABS_TOL))
                fail_msg("%s: %s dweight %zu is %.9g, NumPy says %.9g", file,
                         pass ? "fast" : "reference", t, (double)dw[t], c.dweight.values[t]);
        tu_assert_near(db, c.dbias.values[0], REL_TOL * bias_mag + ABS_TOL);
    }
    free(in);
    free(k);
    free(dout);
    free(out);
    free(dw);
    free(mag);
    free_case(&c);
}

static void test_scipy_3x3_same(void **state) { (void)state; check_reference_file("conv_3x3_same.txt"); }
static void test_scipy_3x3_valid(void **state) { (void)state; check_reference_file("conv_3x3_valid.txt"); }
static void test_scipy_4x4_same(void **state) { (void)state; check_reference_file("conv_4x4_same.txt"); }
static void test_scipy_4x4_valid(void **state) { (void)state; check_reference_file("conv_4x4_valid.txt"); }
static void test_scipy_2x5_same(void **state) { (void)state; check_reference_file("conv_2x5_same.txt"); }
static void test_scipy_image_smaller_than_kernel(void **state)
{
    (void)state;
    check_reference_file("conv_5x6_same_small.txt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_same_and_valid),
        cmocka_unit_test(test_reference_by_hand),
        cmocka_unit_test(test_fast_matches_reference),
        cmocka_unit_test(test_scipy_3x3_same),
        cmocka_unit_test(test_scipy_3x3_valid),
        cmocka_unit_test(test_scipy_4x4_same),
        cmocka_unit_test(test_scipy_4x4_valid),
        cmocka_unit_test(test_scipy_2x5_same),
        cmocka_unit_test(test_scipy_image_smaller_than_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
