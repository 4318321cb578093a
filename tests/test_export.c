/*
 * test_export.c: .npy and .csv weight histories and the atomic writes under
 * them: the bytes of the .npy header, reading files back, and failures that
 * must leave no file behind.
 */
#include "test_util.h"

#include "learnfilter/export.h"
#include "learnfilter/kernel.h"

static char *read_back(const char *path, size_t *size)
{
    char *bytes = tu_read_file(path, size);
    if (!bytes)
        fail_msg("%s was not written", path);
    return bytes;
}

/* Checks the .npy v1.0 framing and returns the header text (a pointer into
 * bytes) and the data offset. */
static const char *check_npy_header(const char *bytes, size_t size, size_t *data_start)
{
    assert_true(size >= 64);
    assert_memory_equal(bytes, "\x93NUMPY\x01\x00", 8);
    size_t header_len = (unsigned char)bytes[8] | (size_t)(unsigned char)bytes[9] << 8;
    *data_start = 10 + header_len;
    assert_int_equal(*data_start % 64, 0); /* the data is 64-byte aligned */
    assert_true(*data_start <= size);
    assert_int_equal(bytes[*data_start - 1], '\n');
    /* Only spaces pad the dictionary. */
    const char *close = memchr(bytes + 10, '}', header_len);
    assert_non_null(close);
    for (const char *p = close + 1; p < bytes + *data_start - 1; p++)
        assert_int_equal(*p, ' ');
    assert_int_equal(bytes[10], '{');
    return bytes + 10;
}

static void expect_header_has(const char *header, size_t data_start, const char *needle)
{
    char copy[256];
    size_t n = data_start - 10 < sizeof copy - 1 ? data_start - 10 : sizeof copy - 1;
    memcpy(copy, header, n);
    copy[n] = 0;
    if (!strstr(copy, needle))
        fail_msg("header '%s' lacks %s", copy, needle);
}

static void test_npy_2d_roundtrip(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/k.npy", dir);
    float data[12];
    for (int i = 0; i < 12; i++)
        data[i] = (float)i * 0.25f - 1.1f;
    const size_t shape[2] = {3, 4};
    lf_error err;
    assert_int_equal(lf_npy_write_f32(path, data, shape, 2, &err), LF_OK);
    size_t size = 0, start = 0;
    char *bytes = read_back(path, &size);
    const char *header = check_npy_header(bytes, size, &start);
    expect_header_has(header, start, "'descr': '<f4'");
    expect_header_has(header, start, "'fortran_order': False");
    expect_header_has(header, start, "'shape': (3, 4)");
    assert_int_equal(size, start + sizeof data);
    /* Little-endian float32, in C order. */
    for (int i = 0; i < 12; i++) {
        uint32_t u;
        memcpy(&u, &data[i], 4);
        for (int b = 0; b < 4; b++)
            assert_int_equal((unsigned char)bytes[start + 4 * i + b], (u >> (8 * b)) & 0xff);
    }
    lf_kernel k;
    assert_int_equal(lf_kernel_parse_npy(&k, (unsigned char *)bytes, size, path, &err), LF_OK);
    assert_int_equal(k.height, 3);
    assert_int_equal(k.width, 4);
    assert_memory_equal(k.weights, data, sizeof data);
    free(bytes);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_OK);
    assert_memory_equal(k.weights, data, sizeof data);
    assert_int_equal(tu_count_entries(dir), 1); /* no temporary file left */
    tu_remove_tree(dir);
}

static void test_npy_shapes(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a.npy", dir);
    float data[24] = {0};
    size_t size = 0, start = 0;
    const char *header;
    const size_t one[1] = {5};
    assert_int_equal(lf_npy_write_f32(path, data, one, 1, NULL), LF_OK);
    char *bytes = read_back(path, &size);
    header = check_npy_header(bytes, size, &start);
    expect_header_has(header, start, "'shape': (5,)");
    assert_int_equal(size, start + 5 * 4);
    free(bytes);
    const size_t four[4] = {2, 3, 2, 2};
    assert_int_equal(lf_npy_write_f32(path, data, four, 4, NULL), LF_OK);
    bytes = read_back(path, &size);
    header = check_npy_header(bytes, size, &start);
    expect_header_has(header, start, "'shape': (2, 3, 2, 2)");
    assert_int_equal(size, start + 24 * 4);
    free(bytes);
    lf_error err;
    assert_int_equal(lf_npy_write_f32(path, data, four, 0, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_npy_write_f32(path, data, four, 6, &err), LF_ERR_ARGUMENT);
    tu_remove_tree(dir);
}

/* Weight i of snapshot s in fill_history: every value of every snapshot
 * differs, so a file that repeats or shifts a snapshot cannot match. */
static float history_weight(int s, int i) { return (float)(s * 6 + i) / 7.0f - 100.0f; }

/* Reads little-endian float32 number k of a .npy body. */
static float npy_float(const char *body, size_t k)
{
    const unsigned char *b = (const unsigned char *)body + 4 * k;
    uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void fill_history(lf_weight_history *h)
{
    lf_weight_history_init(h, 2, 3);
    float w[6];
    for (int s = 0; s < 300; s++) { /* past the first capacity of 128 */
        for (int i = 0; i < 6; i++)
            w[i] = history_weight(s, i);
        assert_int_equal(lf_weight_history_append(h, w, 10L * s + 10, s + 1, 1.0 / (s + 3), NULL),
                         LF_OK);
    }
    assert_int_equal(h->count, 300);
}

static void test_history_npy(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/history.NPY", dir);
    lf_weight_history h;
    fill_history(&h);
    lf_error err;
    assert_int_equal(lf_weight_history_write(&h, path, &err), LF_OK);
    size_t size = 0, start = 0;
    const char *header;
    char *bytes = read_back(path, &size);
    header = check_npy_header(bytes, size, &start);
    expect_header_has(header, start, "'shape': (300, 2, 3)");
    assert_int_equal(size, start + 300 * 6 * 4);
    /* Against the values that went in, not the history's own buffer. */
    for (int s = 0; s < 300; s++)
        for (int i = 0; i < 6; i++)
            if (npy_float(bytes + start, (size_t)s * 6 + i) != history_weight(s, i))
                fail_msg("snapshot %d weight %d: %g in the file, %g appended", s, i,
                         (double)npy_float(bytes + start, (size_t)s * 6 + i),
                         (double)history_weight(s, i));
    free(bytes);
    lf_weight_history_deinit(&h);

    /* An empty history is a valid (0, 2, 3) array. */
    lf_weight_history_init(&h, 2, 3);
    assert_int_equal(lf_weight_history_write(&h, path, &err), LF_OK);
    bytes = read_back(path, &size);
    header = check_npy_header(bytes, size, &start);
    expect_header_has(header, start, "'shape': (0, 2, 3)");
    assert_int_equal(size, start);
    free(bytes);
    lf_weight_history_deinit(&h);
    lf_weight_history_deinit(NULL);
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_tree(dir);
}

static void test_history_csv(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/history.csv", dir);
    lf_weight_history h;
    fill_history(&h);
    lf_error err;
    assert_int_equal(lf_weight_history_write(&h, path, &err), LF_OK);
    char *text = read_back(path, NULL);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    assert_string_equal(line, "step,epoch,rel_err,w_0_0,w_0_1,w_0_2,w_1_0,w_1_1,w_1_2");
    int rows = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char *p = line, *end;
        long step = strtol(p, &end, 10);
        assert_int_equal(*end, ',');
        long epoch = strtol(end + 1, &end, 10);
        assert_int_equal(*end, ',');
        double rel = strtod(end + 1, &end);
        assert_int_equal(step, 10L * rows + 10);
        assert_int_equal(epoch, rows + 1);
        tu_assert_near(rel, 1.0 / (rows + 3), 1e-8 / (rows + 3)); /* 9 digits */
        for (int i = 0; i < 6; i++) {
            assert_int_equal(*end, ',');
            float v = strtof(end + 1, &end);
            /* %.9g reads back the very same float. */
            assert_true(v == history_weight(rows, i));
        }
        assert_int_equal(*end, 0);
        rows++;
    }
    assert_int_equal(rows, 300);
    free(text);
    lf_weight_history_deinit(&h);

    lf_weight_history_init(&h, 1, 1);
    snprintf(path, sizeof path, "%s/history.txt", dir);
    assert_int_equal(lf_weight_history_write(&h, path, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, ".npy or .csv"));
    snprintf(path, sizeof path, "%s/history", dir);
    assert_int_equal(lf_weight_history_write(&h, path, &err), LF_ERR_ARGUMENT);
    lf_weight_history_deinit(&h);
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_tree(dir);
}

static void test_unwritable_paths(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    const float data[4] = {1, 2, 3, 4};
    const size_t shape[2] = {2, 2};
    lf_error err;
    snprintf(path, sizeof path, "%s/no/such/folder/w.npy", dir);
    assert_int_equal(lf_npy_write_f32(path, data, shape, 2, &err), LF_ERR_IO);
    assert_int_equal(err.status, LF_ERR_IO);
    assert_non_null(strstr(err.message, "w.npy"));
    assert_false(tu_file_exists(path));
    assert_int_equal(tu_count_entries(dir), 0);

    assert_int_equal(lf_npy_write_f32("/proc/learnfilter-test.npy", data, shape, 2, &err),
                     LF_ERR_IO);
    assert_false(tu_file_exists("/proc/learnfilter-test.npy"));

    lf_weight_history h;
    lf_weight_history_init(&h, 2, 2);
    assert_int_equal(lf_weight_history_append(&h, data, 1, 0, 0.5, NULL), LF_OK);
    snprintf(path, sizeof path, "%s/missing/h.csv", dir);
    assert_int_equal(lf_weight_history_write(&h, path, &err), LF_ERR_IO);
    assert_false(tu_file_exists(path));
    lf_weight_history_deinit(&h);
    /* The folder itself as the file name. */
    assert_int_equal(lf_npy_write_f32("/", data, shape, 2, &err), LF_ERR_IO);
    tu_remove_tree(dir);
}

static void test_atomic_file(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    tu_write_file(path, "old", 3);
    lf_atomic_file f;
    lf_error err;
    /* Abandoned: the old file stays as it was and nothing else is left. */
    assert_int_equal(lf_atomic_open(&f, path, &err), LF_OK);
    assert_non_null(f.stream);
    fputs("new contents", f.stream);
    assert_int_equal(tu_count_entries(dir), 2); /* the temporary beside it */
    lf_atomic_abandon(&f);
    assert_int_equal(tu_count_entries(dir), 1);
    char *text = read_back(path, NULL);
    assert_string_equal(text, "old");
    free(text);
    /* Committed: replaced whole. */
    assert_int_equal(lf_atomic_open(&f, path, &err), LF_OK);
    fputs("new contents", f.stream);
    assert_int_equal(lf_atomic_commit(&f, &err), LF_OK);
    assert_null(f.stream);
    text = read_back(path, NULL);
    assert_string_equal(text, "new contents");
    free(text);
    assert_int_equal(tu_count_entries(dir), 1);
    /* Committing twice, or a file never opened, fails cleanly. */
    assert_int_equal(lf_atomic_commit(&f, &err), LF_ERR_IO);
    lf_atomic_file never;
    memset(&never, 0, sizeof never);
    lf_atomic_abandon(&never);
    lf_atomic_abandon(NULL);
    tu_remove_tree(dir);
}

/* A written file gets the permissions the umask allows, like any other
 * file the user's programs write, not the 0600 of a private temporary. */
static void test_written_file_follows_umask(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/w.npy", dir);
    const float data[1] = {1};
    const size_t shape[1] = {1};
    mode_t saved = umask(022);
    assert_int_equal(lf_npy_write_f32(path, data, shape, 1, NULL), LF_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    umask(027);
    assert_int_equal(lf_npy_write_f32(path, data, shape, 1, NULL), LF_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    umask(saved);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_2d_roundtrip),
        cmocka_unit_test(test_npy_shapes),
        cmocka_unit_test(test_history_npy),
        cmocka_unit_test(test_history_csv),
        cmocka_unit_test(test_unwritable_paths),
        cmocka_unit_test(test_atomic_file),
        cmocka_unit_test(test_written_file_follows_umask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
