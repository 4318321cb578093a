/*
 * test_gram_layer.c: the Gram matrix of a layer's input windows
 * (lf_gram_layer_compute) against two independent facts:
 *
 *   - for one gray channel at stride 1 it is lf_gram_compute's matrix;
 *   - for any channels, stride and padding, d^T G d is the sum over the
 *     output of the squared outputs of the linear layer whose weights and
 *     bias are d (lf_layer_forward_reference), for several random d.
 *
 * And the refusals when its arrays are too small.
 */
#include "test_util.h"

#include "learnfilter/gram.h"
#include "learnfilter/layer.h"

static void random_fill(float *v, size_t n, uint64_t seed)
{
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(lf_rng_uniform(&rng) - 0.5);
}

static lf_layer_shape shape_of(int side, int k, int channels, int stride, lf_padding padding)
{
    lf_layer_desc d = {.in_height = side, .in_width = side + 3, .k_height = k, .k_width = k + 1,
                       .channels = channels, .stride = stride, .padding = padding};
    lf_layer_shape s;
    assert_int_equal(lf_layer_shape_make(&s, &d, NULL), LF_OK);
    return s;
}

static void test_gray_stride1_is_lf_gram_compute(void **state)
{
    (void)state;
    const int side = 20;
    lf_layer_shape s = shape_of(side, 3, 1, 1, LF_PADDING_SAME);
    lf_conv_shape c = lf_conv_shape_make(side, side + 3, 3, 4, LF_PADDING_SAME);
    const int p = lf_gram_layer_size(&s);
    assert_int_equal(p, lf_gram_size(&c));
    float *in = malloc(sizeof(float) * s.in_count);
    random_fill(in, s.in_count, 1);
    size_t n = lf_gram_packed_count(p);
    float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
    size_t wd = lf_gram_layer_work_doubles(&s);
    double *work = malloc(sizeof(double) * wd);
    assert_int_equal(lf_gram_layer_compute(a, n, work, wd, in, &s), LF_OK);
    size_t wb = lf_gram_work_bytes(side, side + 3, 4);
    void *work2 = malloc(wb);
    assert_int_equal(lf_gram_compute(b, n, work2, wb, in, &c), LF_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(fabsf(a[i] - b[i]) <= 1e-4f * (1.0f + fabsf(b[i])));
    free(in);
    free(a);
    free(b);
    free(work);
    free(work2);
}

/* d^T G d from the packed triangle. */
static double quadratic(const float *packed, const float *d, int p)
{
    double sum = 0;
    for (int r = 0; r < p; r++)
        for (int c = r; c < p; c++)
            sum += (r == c ? 1.0 : 2.0) * packed[lf_gram_packed_index(p, r, c)] * d[r] * d[c];
    return sum;
}

static void check_against_layer(int channels, int stride, lf_padding padding, int k)
{
    const int side = 17;
    lf_layer_shape s = shape_of(side, k, channels, stride, padding);
    const int p = lf_gram_layer_size(&s);
    assert_int_equal(p, channels * k * (k + 1) + 1);
    assert_int_equal((size_t)p, s.param_count); /* one filter: weights, then its bias */
    float *in = malloc(sizeof(float) * s.in_count);
    random_fill(in, s.in_count, 3 + (uint64_t)channels * 10 + (uint64_t)stride);
    size_t n = lf_gram_packed_count(p);
    float *g = malloc(sizeof(float) * n);
    size_t wd = lf_gram_layer_work_doubles(&s);
    double *work = malloc(sizeof(double) * wd);
    assert_int_equal(lf_gram_layer_compute(g, n, work, wd, in, &s), LF_OK);
    float *d = malloc(sizeof(float) * (size_t)p);
    float *out = malloc(sizeof(float) * s.out_count);
    for (int trial = 0; trial < 4; trial++) {
        random_fill(d, (size_t)p, 100 + (uint64_t)trial);
        lf_layer_forward_reference(out, out, in, d, &s);
        double expected = 0;
        for (size_t i = 0; i < s.out_count; i++)
            expected += (double)out[i] * out[i];
        double got = quadratic(g, d, p);
        if (fabs(got - expected) > 1e-4 * expected)
            fail_msg("C %d stride %d: d^T G d %.9g, the layer's squared outputs %.9g", channels,
                     stride, got, expected);
    }
    free(in);
    free(g);
    free(work);
    free(d);
    free(out);
}

static void test_colour_stride_same(void **state)
{
    (void)state;
    check_against_layer(3, 2, LF_PADDING_SAME, 3);
}

static void test_colour_stride_valid(void **state)
{
    (void)state;
    check_against_layer(3, 3, LF_PADDING_VALID, 4);
}

static void test_gray_stride_same(void **state)
{
    (void)state;
    check_against_layer(1, 2, LF_PADDING_SAME, 5);
}

static void test_too_small(void **state)
{
    (void)state;
    lf_layer_shape s = shape_of(10, 3, 3, 1, LF_PADDING_SAME);
    const int p = lf_gram_layer_size(&s);
    size_t n = lf_gram_packed_count(p);
    float *in = calloc(s.in_count, sizeof(float));
    float *g = malloc(sizeof(float) * n);
    size_t wd = lf_gram_layer_work_doubles(&s);
    double *work = malloc(sizeof(double) * wd);
    g[0] = 5;
    assert_int_equal(lf_gram_layer_compute(g, n - 1, work, wd, in, &s), LF_ERR_ARGUMENT);
    assert_true(g[0] == 0); /* zeroed as far as it goes */
    assert_int_equal(lf_gram_layer_compute(g, n, work, wd - 1, in, &s), LF_ERR_ARGUMENT);
    free(in);
    free(g);
    free(work);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gray_stride1_is_lf_gram_compute),
        cmocka_unit_test(test_colour_stride_same),
        cmocka_unit_test(test_colour_stride_valid),
        cmocka_unit_test(test_gray_stride_same),
        cmocka_unit_test(test_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
