/*
 * test_kernel.c: the kernel catalog and the kernel file parsers.
 *
 * Catalog values are checked against their definitions (the smiley against
 * the run table in tests/data/smiley_32.txt, a copy of the experiment's
 * reference); parsers are fed good files and every kind of bad one, built
 * byte by byte in the test so each failure names exactly one defect.
 */
#include "test_data_util.h"

#include "learnfilter/kernel.h"

/* stb_image_write is compiled into the core (stb_impl.c). */
extern int stbi_write_png(char const *filename, int w, int h, int comp, const void *data,
                          int stride_in_bytes);

static void load_named(lf_kernel *k, const char *name)
{
    lf_error err;
    if (lf_kernel_from_name(k, name, 0, &err) != LF_OK)
        fail_msg("%s: %s", name, err.message);
}

/* ============================================================ catalog */

static void test_sobel_exact(void **state)
{
    (void)state;
    lf_kernel k;
    load_named(&k, "sobel-x");
    const float x[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    assert_int_equal(k.height, 3);
    assert_int_equal(k.width, 3);
    assert_string_equal(k.name, "sobel-x");
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == x[i]);
    load_named(&k, "sobel-y");
    const float y[9] = {-1, -2, -1, 0, 0, 0, 1, 2, 1};
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == y[i]);
    /* Unused weights are zero, so a struct copy carries no stale values. */
    for (int i = 9; i < LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE; i++)
        assert_true(k.weights[i] == 0.0f);
}

/* Reads "row:first-last,col,..." lines into a 32x32 0/1 mask. */
static int read_smiley_table(unsigned char mask[32][32])
{
    size_t size;
    char *text = tu_read_file(LF_TEST_DATA_DIR "/smiley_32.txt", &size);
    assert_non_null(text);
    memset(mask, 0, 32 * 32);
    int count = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || !line[0])
            continue;
        char *colon = strchr(line, ':');
        assert_non_null(colon);
        int row = atoi(line);
        assert_true(row >= 0 && row < 32);
        char *p = colon + 1;
        while (*p) {
            char *end;
            long first = strtol(p, &end, 10), last = first;
            assert_true(end != p);
            p = end;
            if (*p == '-') {
                last = strtol(p + 1, &end, 10);
                p = end;
            }
            assert_true(first >= 0 && last < 32 && first <= last);
            for (long c = first; c <= last; c++) {
                assert_int_equal(mask[row][c], 0);
                mask[row][c] = 1;
                count++;
            }
            if (*p == ',')
                p++;
        }
    }
    free(text);
    return count;
}

static void test_smiley_matches_reference(void **state)
{
    (void)state;
    unsigned char mask[32][32];
    assert_int_equal(read_smiley_table(mask), 288);
    lf_kernel k;
    load_named(&k, "smiley");
    assert_int_equal(k.height, 32);
    assert_int_equal(k.width, 32);
    const float line = (float)(1.0 / sqrt(288.0));
    int nonzero = 0;
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            float v = k.weights[y * 32 + x];
            if (mask[y][x])
                tu_assert_near(v, line, 1e-7);
            else
                assert_true(v == 0.0f);
            nonzero += v != 0.0f;
        }
    assert_int_equal(nonzero, 288);
    tu_assert_near(lf_kernel_norm(&k), 1.0, 1e-6);
    /* Rows 0 and 31 are empty, the drawing is symmetric left to right. */
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
            assert_true(k.weights[y * 32 + x] == k.weights[y * 32 + 31 - x]);
}

static void test_laplacian_and_small_kernels(void **state)
{
    (void)state;
    lf_kernel k;
    load_named(&k, "laplacian");
    const float lap[9] = {-1, -1, -1, -1, 8, -1, -1, -1, -1};
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == lap[i]);
    load_named(&k, "identity");
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == (i == 4 ? 1.0f : 0.0f));
    load_named(&k, "box7");
    assert_int_equal(k.height, 7);
    for (int i = 0; i < 49; i++)
        tu_assert_near(k.weights[i], 1.0 / 49, 1e-8);
    /* Kirsch's compass kernels point where their 5s are. */
    load_named(&k, "compass-ne");
    const float ne[9] = {-3, 5, 5, -3, 0, 5, -3, -3, -3};
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == ne[i]);
    load_named(&k, "compass-se");
    const float se[9] = {-3, -3, -3, -3, 0, 5, -3, 5, 5};
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == se[i]);
    assert_int_equal(lf_kernel_catalog_find("compass-nw"), -1); /* the old, wrong name */
}

static void check_gaussian(const char *name, int size, double sigma)
{
    lf_kernel k;
    load_named(&k, name);
    assert_int_equal(k.height, size);
    assert_int_equal(k.width, size);
    double sum = 0;
    for (int i = 0; i < size * size; i++)
        sum += k.weights[i];
    tu_assert_near(sum, 1.0, 1e-5);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            float v = k.weights[y * size + x];
            tu_assert_near(k.weights[x * size + y], v, 1e-9);                     /* transpose */
            tu_assert_near(k.weights[y * size + size - 1 - x], v, 1e-9);          /* mirror */
            tu_assert_near(k.weights[(size - 1 - y) * size + x], v, 1e-9);        /* flip */
        }
    /* The shape: a corner relative to the centre is exp(-d^2 / (2 sigma^2)). */
    double c = (size - 1) / 2.0;
    double centre = k.weights[(size / 2) * size + size / 2];
    double d2 = 2 * (c - (size / 2)) * (c - (size / 2));
    double corner = k.weights[0];
    double expected = exp(-(2 * c * c - d2) / (2 * sigma * sigma));
    tu_assert_near(corner / centre, expected, 1e-4 * expected + 1e-12);
}

static void test_gaussians(void **state)
{
    (void)state;
    check_gaussian("gaussian", 13, 2.0);
    check_gaussian("gaussian-50", 50, 10.0);
}

static void test_hann(void **state)
{
    (void)state;
    lf_kernel k;
    load_named(&k, "hann");
    assert_int_equal(k.height, 1);
    assert_int_equal(k.width, 50);
    double sum = 0;
    for (int i = 0; i < 50; i++)
        sum += k.weights[i];
    tu_assert_near(sum, 1.0, 1e-5);
    /* scipy.signal.windows.hann(50): zero at both ends, symmetric; the sum
     * of the unscaled window is (50 - 1) / 2 = 24.5. */
    assert_true(fabsf(k.weights[0]) < 1e-8f);
    assert_true(fabsf(k.weights[49]) < 1e-8f);
    for (int i = 0; i < 50; i++)
        tu_assert_near(k.weights[i], k.weights[49 - i], 1e-8);
    double w10 = 0.5 - 0.5 * cos(2 * 3.141592653589793 * 10 / 49);
    tu_assert_near(k.weights[10], w10 / 24.5, 1e-7);
}

/* The catalog's windows against SciPy's (tests/reference/kernel_*.txt, read
 * with the text parser). Float weights: 1e-6 relative to the largest. */
static void check_against_scipy(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/kernel_%s.txt", LF_TEST_REFERENCE_DIR, name);
    lf_kernel want, got;
    lf_error err;
    if (lf_kernel_load(&want, path, &err) != LF_OK)
        fail_msg("%s", err.message);
    load_named(&got, name);
    assert_int_equal(got.height, want.height);
    assert_int_equal(got.width, want.width);
    double scale = lf_kernel_max_abs(&want);
    for (int i = 0; i < want.height * want.width; i++)
        if (!(fabs(got.weights[i] - want.weights[i]) <= 1e-6 * scale))
            fail_msg("%s weight %d: %.9g, SciPy %.9g", name, i, (double)got.weights[i],
                     (double)want.weights[i]);
}

static void test_windows_match_scipy(void **state)
{
    (void)state;
    check_against_scipy("gaussian");
    check_against_scipy("gaussian-50");
    check_against_scipy("hann");
}

static void test_random_reproducible(void **state)
{
    (void)state;
    lf_kernel a, b, c;
    assert_int_equal(lf_kernel_from_name(&a, "random", 42, NULL), LF_OK);
    assert_int_equal(lf_kernel_from_name(&b, "random", 42, NULL), LF_OK);
    assert_int_equal(lf_kernel_from_name(&c, "random", 43, NULL), LF_OK);
    assert_int_equal(a.height, 5);
    assert_int_equal(a.width, 5);
    assert_memory_equal(a.weights, b.weights, sizeof(float) * 25);
    int differ = 0;
    for (int i = 0; i < 25; i++) {
        assert_true(a.weights[i] >= -1.0f && a.weights[i] <= 1.0f);
        differ += a.weights[i] != c.weights[i];
    }
    assert_true(differ >= 20);
    assert_true(lf_kernel_norm(&a) > 0.5);
}

static void test_every_catalog_entry_builds(void **state)
{
    (void)state;
    int n = lf_kernel_catalog_count();
    assert_true(n >= 16);
    for (int i = 0; i < n; i++) {
        const lf_kernel_info *info = lf_kernel_catalog_get(i);
        assert_non_null(info);
        assert_true(strlen(info->description) > 0);
        assert_int_equal(lf_kernel_catalog_find(info->name), i);
        lf_kernel k;
        load_named(&k, info->name);
        assert_string_equal(k.name, info->name);
        assert_true(k.height >= 1 && k.height <= LF_KERNEL_MAX_SIDE);
        assert_true(k.width >= 1 && k.width <= LF_KERNEL_MAX_SIDE);
        assert_true(lf_kernel_norm(&k) > 0);
        for (int t = 0; t < k.height * k.width; t++)
            assert_true(isfinite(k.weights[t]));
        lf_kernel r;
        assert_int_equal(lf_kernel_resolve(&r, info->name, 0, NULL), LF_OK);
        assert_memory_equal(&r, &k, sizeof k);
    }
    assert_null(lf_kernel_catalog_get(n));
    assert_null(lf_kernel_catalog_get(-1));
    assert_int_equal(lf_kernel_catalog_find("no-such-kernel"), -1);
    lf_kernel k;
    lf_error err;
    assert_int_equal(lf_kernel_from_name(&k, "no-such-kernel", 0, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "no-such-kernel"));
}

static void test_norm_and_relative_error(void **state)
{
    (void)state;
    lf_kernel a, b;
    load_named(&a, "sobel-x");
    b = a;
    tu_assert_near(lf_kernel_norm(&a), sqrt(12.0), 1e-6);
    assert_true(lf_kernel_max_abs(&a) == 2.0f);
    tu_assert_near(lf_kernel_relative_error(&a, &b), 0.0, 0);
    b.weights[0] += 1.0f; /* diff 1, |b| = sqrt((-1+1)^2 + 11) */
    tu_assert_near(lf_kernel_relative_error(&a, &b), 1.0 / sqrt(11.0), 1e-6);
    memset(b.weights, 0, sizeof b.weights);
    tu_assert_near(lf_kernel_relative_error(&a, &b), sqrt(12.0), 1e-6);
}

/* =============================================================== text */

static lf_status parse_text(lf_kernel *k, const char *text, lf_error *err)
{
    return lf_kernel_parse_text(k, text, strlen(text), "k.txt", err);
}

static void test_text_good(void **state)
{
    (void)state;
    lf_kernel k;
    lf_error err;
    const char *text = "# a comment line\n"
                       "\n"
                       "[[1, 2.5,\t-3],   # trailing comment\n"
                       " [4e-1 5 6],\r\n"
                       " [ 7 ; 8 , 9 ]]\n";
    assert_int_equal(parse_text(&k, text, &err), LF_OK);
    assert_int_equal(k.height, 3);
    assert_int_equal(k.width, 3);
    const float expected[9] = {1, 2.5f, -3, 0.4f, 5, 6, 7, 8, 9};
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == expected[i]);
    assert_string_equal(k.name, "k.txt");
    /* Packed row-major with zeros after the last weight. */
    assert_true(k.weights[9] == 0.0f);

    assert_int_equal(parse_text(&k, "1 2 3 4 5", &err), LF_OK);
    assert_int_equal(k.height, 1);
    assert_int_equal(k.width, 5);
    assert_int_equal(parse_text(&k, "1\n2\n3\n", &err), LF_OK);
    assert_int_equal(k.height, 3);
    assert_int_equal(k.width, 1);
    assert_true(k.weights[2] == 3.0f);

    /* 64x64 is the largest accepted. */
    size_t cap = 64 * 64 * 3 + 64;
    char *big = malloc(cap);
    size_t n = 0;
    for (int r = 0; r < 64; r++) {
        for (int c = 0; c < 64; c++)
            big[n++] = '1', big[n++] = c < 63 ? ' ' : '\n';
    }
    big[n] = 0;
    assert_int_equal(lf_kernel_parse_text(&k, big, n, "big.txt", &err), LF_OK);
    assert_int_equal(k.height, 64);
    assert_int_equal(k.width, 64);
    free(big);
}

static void expect_text_error(const char *text, const char *needle)
{
    lf_kernel k;
    lf_error err;
    lf_error_clear(&err);
    td_check_error(lf_kernel_parse_text(&k, text, strlen(text), "bad.txt", &err), LF_ERR_INPUT,
                   &err, "bad.txt", needle);
}

static void test_text_bad(void **state)
{
    (void)state;
    expect_text_error("1 2 3\n4 5\n", "line 2");           /* ragged */
    expect_text_error("1 2 x\n", "'x' is not a number");   /* not a number */
    expect_text_error("1 2abc 3\n", "not a number");
    expect_text_error("1 nan 3\n", "not a finite number"); /* NaN */
    expect_text_error("1 inf 3\n", "not a finite number"); /* Inf */
    expect_text_error("1 1e39 3\n", "not a finite number"); /* beyond float */
    expect_text_error("", "no numbers");                   /* empty */
    expect_text_error("# only a comment\n\n", "no numbers");

    /* 65 columns, then 65 rows. */
    char line[65 * 2 + 2];
    for (int c = 0; c < 65; c++)
        line[2 * c] = '1', line[2 * c + 1] = ' ';
    line[130] = '\n';
    line[131] = 0;
    expect_text_error(line, "larger than 64x64");
    char *rows = malloc(65 * 2 + 1);
    for (int r = 0; r < 65; r++)
        rows[2 * r] = '1', rows[2 * r + 1] = '\n';
    rows[130] = 0;
    expect_text_error(rows, "larger than 64x64");
    free(rows);
}

/* ================================================================ npy */

typedef struct bytes {
    unsigned char data[70000];
    size_t size;
} bytes;

/* A version 1.0 .npy file with the given header dictionary (padded to a
 * 64-byte boundary as numpy does) and raw body. */
static void npy_build(bytes *b, const char *dict, const void *body, size_t body_size, int major)
{
    size_t dict_len = strlen(dict);
    size_t prefix = major == 1 ? 10 : 12;
    size_t total = prefix + dict_len + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t header_len = dict_len + pad + 1;
    memcpy(b->data, "\x93NUMPY", 6);
    b->data[6] = (unsigned char)major;
    b->data[7] = 0;
    b->data[8] = header_len & 0xff;
    b->data[9] = (header_len >> 8) & 0xff;
    if (major != 1) {
        b->data[10] = (header_len >> 16) & 0xff;
        b->data[11] = (header_len >> 24) & 0xff;
    }
    memcpy(b->data + prefix, dict, dict_len);
    memset(b->data + prefix + dict_len, ' ', pad);
    b->data[prefix + dict_len + pad] = '\n';
    b->size = prefix + header_len;
    assert_int_equal(b->size % 64, 0);
    memcpy(b->data + b->size, body, body_size);
    b->size += body_size;
}

/* The six values 1..6 as float32 or float64, either byte order. */
static size_t npy_body(unsigned char *out, const double *values, int n, int item, int big)
{
    for (int i = 0; i < n; i++) {
        unsigned char le[8];
        if (item == 4) {
            float f = (float)values[i];
            uint32_t u;
            memcpy(&u, &f, 4);
            for (int j = 0; j < 4; j++)
                le[j] = (u >> (8 * j)) & 0xff;
        } else {
            uint64_t u;
            memcpy(&u, &values[i], 8);
            for (int j = 0; j < 8; j++)
                le[j] = (u >> (8 * j)) & 0xff;
        }
        for (int j = 0; j < item; j++)
            out[i * item + j] = le[big ? item - 1 - j : j];
    }
    return (size_t)(n * item);
}

static void test_npy_dtypes_and_orders(void **state)
{
    (void)state;
    const double values[6] = {1.5, -2, 3.25, 4, 5e-3, 6};
    static const struct {
        const char *descr;
        int item, big;
    } kinds[] = {{"<f4", 4, 0}, {">f4", 4, 1}, {"<f8", 8, 0}, {">f8", 8, 1}};
    bytes b;
    unsigned char body[64];
    char dict[128];
    for (size_t k = 0; k < 4; k++) {
        size_t n = npy_body(body, values, 6, kinds[k].item, kinds[k].big);
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (2, 3), }",
                 kinds[k].descr);
        npy_build(&b, dict, body, n, 1);
        lf_kernel kern;
        lf_error err;
        if (lf_kernel_parse_npy(&kern, b.data, b.size, "k.npy", &err) != LF_OK)
            fail_msg("%s: %s", kinds[k].descr, err.message);
        assert_int_equal(kern.height, 2);
        assert_int_equal(kern.width, 3);
        for (int i = 0; i < 6; i++)
            assert_true(kern.weights[i] == (float)values[i]);
        assert_string_equal(kern.name, "k.npy");
    }
    /* Fortran order: the body is column by column. (2, 3) with columns
     * (1.5, 4), (-2, 5e-3), (3.25, 6) is the same matrix as above. */
    const double columns[6] = {1.5, 4, -2, 5e-3, 3.25, 6};
    size_t n = npy_body(body, columns, 6, 4, 0);
    npy_build(&b, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body, n, 1);
    lf_kernel kern;
    assert_int_equal(lf_kernel_parse_npy(&kern, b.data, b.size, "f.npy", NULL), LF_OK);
    for (int i = 0; i < 6; i++)
        assert_true(kern.weights[i] == (float)values[i]);
    /* Version 2.0 header (4-byte length). */
    n = npy_body(body, values, 6, 4, 0);
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", body, n, 2);
    assert_int_equal(lf_kernel_parse_npy(&kern, b.data, b.size, "v2.npy", NULL), LF_OK);
    assert_int_equal(kern.height, 3);
    assert_int_equal(kern.width, 2);
    assert_true(kern.weights[5] == 6.0f);
}

static void expect_npy_error(const bytes *b, const char *needle)
{
    lf_kernel k;
    lf_error err;
    lf_error_clear(&err);
    td_check_error(lf_kernel_parse_npy(&k, b->data, b->size, "bad.npy", &err), LF_ERR_INPUT, &err,
                   "bad.npy", needle);
}

static void test_npy_bad(void **state)
{
    (void)state;
    const double values[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    unsigned char body[128];
    size_t n = npy_body(body, values, 6, 4, 0);
    bytes b;

    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", body, n, 1);
    b.data[1] = 'X';
    expect_npy_error(&b, "magic");

    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", body, n, 1);
    b.data[6] = 9;
    expect_npy_error(&b, "version");

    /* A header length pointing past the end of the file. */
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", body, n, 1);
    b.data[8] = 0xff;
    b.data[9] = 0x7f;
    expect_npy_error(&b, "truncated .npy header");

    npy_build(&b, "{'fortran_order': False, 'shape': (2, 3), }", body, n, 1);
    expect_npy_error(&b, "descr");
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, }", body, n, 1);
    expect_npy_error(&b, "shape");
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", body, n, 1);
    expect_npy_error(&b, "bad .npy shape");

    npy_build(&b, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", body, n, 1);
    expect_npy_error(&b, "'<i4' is not supported");

    n = npy_body(body, values, 12, 4, 0);
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 3), }", body, n, 1);
    expect_npy_error(&b, "3 dimensions");
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (12,), }", body, n, 1);
    expect_npy_error(&b, "1 dimensions");
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", body, 0, 1);
    expect_npy_error(&b, "empty");
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (65, 1), }", body, n, 1);
    expect_npy_error(&b, "largest accepted");

    /* Truncated body: 2x3 float32 needs 24 bytes; give 20. */
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", body, 20, 1);
    expect_npy_error(&b, "truncated");

    /* NaN and a float64 beyond float's range. */
    double bad[2] = {1.0, NAN};
    n = npy_body(body, bad, 2, 8, 0);
    npy_build(&b, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", body, n, 1);
    expect_npy_error(&b, "not finite");
    bad[1] = 1e300;
    n = npy_body(body, bad, 2, 8, 0);
    npy_build(&b, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", body, n, 1);
    expect_npy_error(&b, "not finite");

    b.size = 4; /* shorter than any header */
    expect_npy_error(&b, "magic");
}

/* ================================================================ png */

static void test_png_kernel(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    /* A 3x2 gray image: values 0, 51, 102 / 153, 204, 255, i.e. 0..1 in
     * steps of 0.2. Normalised: v / sqrt(0.04 + 0.16 + 0.36 + 0.64 + 1). */
    const unsigned char pixels[6] = {0, 51, 102, 153, 204, 255};
    snprintf(path, sizeof path, "%s/ramp.png", dir);
    assert_true(stbi_write_png(path, 3, 2, 1, pixels, 3) != 0);
    lf_kernel k;
    lf_error err;
    if (lf_kernel_load(&k, path, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(k.height, 2);
    assert_int_equal(k.width, 3);
    assert_string_equal(k.name, "ramp.png");
    double norm = sqrt(0.04 + 0.16 + 0.36 + 0.64 + 1.0);
    for (int i = 0; i < 6; i++)
        tu_assert_near(k.weights[i], 0.2 * i / norm, 1e-6);
    tu_assert_near(lf_kernel_norm(&k), 1.0, 1e-6);

    /* An RGB image goes through the luma weights first. */
    const unsigned char rgb[3] = {255, 0, 0};
    snprintf(path, sizeof path, "%s/red.png", dir);
    assert_true(stbi_write_png(path, 1, 1, 3, rgb, 3) != 0);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_OK);
    tu_assert_near(k.weights[0], 1.0, 1e-6); /* one pixel: normalised to 1 */

    const unsigned char black[4] = {0, 0, 0, 0};
    snprintf(path, sizeof path, "%s/black.png", dir);
    assert_true(stbi_write_png(path, 2, 2, 1, black, 2) != 0);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "all black"));

    unsigned char *wide = calloc(65 * 2, 1);
    wide[0] = 255;
    snprintf(path, sizeof path, "%s/wide.png", dir);
    assert_true(stbi_write_png(path, 65, 2, 1, wide, 65) != 0);
    free(wide);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "largest accepted"));

    /* Not a PNG at all, under a .png name. */
    snprintf(path, sizeof path, "%s/fake.png", dir);
    tu_write_file(path, "GIF89a....", 10);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "GIF"));
    tu_remove_tree(dir);
}

/* ============================================================= files */

static void test_load_by_extension(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    lf_kernel k;
    lf_error err;
    snprintf(path, sizeof path, "%s/line.txt", dir);
    tu_write_file(path, "-1 2 -1\n-1 2 -1\n", 16);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_OK);
    assert_int_equal(k.height, 2);
    assert_string_equal(k.name, "line.txt");
    /* A file path that is not a catalog name resolves to the file. */
    assert_int_equal(lf_kernel_resolve(&k, path, 0, &err), LF_OK);
    assert_true(k.weights[1] == 2.0f);

    bytes b;
    unsigned char body[16];
    const double v[2] = {0.5, -0.5};
    size_t n = npy_body(body, v, 2, 4, 0);
    npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", body, n, 1);
    snprintf(path, sizeof path, "%s/K.NPY", dir); /* extensions in any case */
    tu_write_file(path, b.data, b.size);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_OK);
    assert_int_equal(k.width, 2);
    assert_true(k.weights[1] == -0.5f);

    snprintf(path, sizeof path, "%s/missing.txt", dir);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "missing.txt"));
    assert_int_equal(lf_kernel_resolve(&k, "sobel-z", 0, &err), LF_ERR_INPUT);
    assert_int_equal(lf_kernel_load(&k, dir, &err), LF_ERR_INPUT); /* a folder */
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sobel_exact),
        cmocka_unit_test(test_smiley_matches_reference),
        cmocka_unit_test(test_laplacian_and_small_kernels),
        cmocka_unit_test(test_gaussians),
        cmocka_unit_test(test_hann),
        cmocka_unit_test(test_windows_match_scipy),
        cmocka_unit_test(test_random_reproducible),
        cmocka_unit_test(test_every_catalog_entry_builds),
        cmocka_unit_test(test_norm_and_relative_error),
        cmocka_unit_test(test_text_good),
        cmocka_unit_test(test_text_bad),
        cmocka_unit_test(test_npy_dtypes_and_orders),
        cmocka_unit_test(test_npy_bad),
        cmocka_unit_test(test_png_kernel),
        cmocka_unit_test(test_load_by_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
