/*
 * test_png.c: the PNG writer, read back with stb_image.
 *
 * A written PNG must decode to exactly the pixels given (PNG is lossless),
 * rows read with the stride given; a folder that cannot be written must
 * fail with LF_ERR_IO and leave nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* stb_image is compiled into the core (stb_impl.c) without its stdio
 * functions; the tests read the file and decode from memory. */
#include <stb/stb_image.h>

#include "learnfilter/png.h"
#include "test_util.h"

static void test_round_trip(void **state)
{
    (void)state;
    enum { W = 37, H = 23 };
    int stride = 4 * W + 20;
    uint8_t *pixels = malloc((size_t)stride * H);
    for (int i = 0; i < stride * H; i++)
        pixels[i] = (uint8_t)(i * 7 + (i >> 5));
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/shot.png", dir);
    lf_error err;
    assert_int_equal(lf_png_write_rgba(path, pixels, W, H, stride, &err), LF_OK);
    assert_int_equal(tu_count_entries(dir), 1);

    size_t size = 0;
    unsigned char *bytes = (unsigned char *)tu_read_file(path, &size);
    assert_non_null(bytes);
    int w = 0, h = 0, channels = 0;
    unsigned char *decoded = stbi_load_from_memory(bytes, (int)size, &w, &h, &channels, 4);
    assert_non_null(decoded);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    assert_int_equal(channels, 4);
    for (int y = 0; y < H; y++)
        assert_memory_equal(decoded + 4 * W * y, pixels + stride * y, 4 * W);
    stbi_image_free(decoded);
    free(bytes);
    free(pixels);
    tu_remove_tree(dir);
}

static void test_unwritable_paths(void **state)
{
    (void)state;
    uint8_t pixels[4 * 4 * 4] = {0};
    const char *paths[] = {"/nonexistent-learnfilter-folder/shot.png", "/proc/shot.png"};
    for (int i = 0; i < 2; i++) {
        lf_error err;
        assert_int_equal(lf_png_write_rgba(paths[i], pixels, 4, 4, 16, &err), LF_ERR_IO);
        assert_non_null(strstr(err.message, paths[i]));
        assert_false(tu_file_exists(paths[i]));
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t pixels[4 * 4 * 4] = {0};
    assert_int_equal(lf_png_write_rgba("/tmp/never.png", pixels, 4, 4, 12, NULL),
                     LF_ERR_ARGUMENT);
    assert_int_equal(lf_png_write_rgba("/tmp/never.png", pixels, 0, 4, 16, NULL),
                     LF_ERR_ARGUMENT);
    assert_false(tu_file_exists("/tmp/never.png"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_unwritable_paths),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
