/*
 * test_png.c: RGBA PNG files written whole or not at all.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "learnfilter/png.h"

/* From stb_image, compiled into the core. */
unsigned char *stbi_load_from_memory(const unsigned char *buffer, int len, int *x, int *y,
                                     int *channels_in_file, int desired_channels);
void stbi_image_free(void *retval_from_stbi_load);

static unsigned char *read_all(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)*size);
    if (fread(data, 1, (size_t)*size, f) != (size_t)*size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static void test_round_trip_with_stride(void **state)
{
    (void)state;
    /* 3x2 pixels in rows of 16 bytes (4 bytes of padding each). */
    unsigned char pixels[2][16];
    memset(pixels, 0xAB, sizeof pixels);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++) {
            pixels[y][4 * x + 0] = (unsigned char)(10 * x + 100 * y);
            pixels[y][4 * x + 1] = (unsigned char)(200 - 30 * x);
            pixels[y][4 * x + 2] = (unsigned char)(7 * y);
            pixels[y][4 * x + 3] = (unsigned char)(255 - x);
        }
    char path[] = "/tmp/lf_test_png_XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    lf_error err;
    assert_int_equal(lf_png_write_rgba(path, pixels, 3, 2, 16, &err), LF_OK);
    long size = 0;
    unsigned char *file = read_all(path, &size);
    assert_non_null(file);
    int w, h, c;
    unsigned char *back = stbi_load_from_memory(file, (int)size, &w, &h, &c, 4);
    assert_non_null(back);
    assert_int_equal(w, 3);
    assert_int_equal(h, 2);
    for (int y = 0; y < 2; y++)
        assert_memory_equal(back + y * 12, pixels[y], 12);
    stbi_image_free(back);
    free(file);
    unlink(path);
}

static void test_refuses_bad_arguments_and_paths(void **state)
{
    (void)state;
    unsigned char pixel[4] = {1, 2, 3, 4};
    lf_error err;
    assert_int_equal(lf_png_write_rgba("/tmp/x.png", pixel, 0, 1, 4, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_png_write_rgba("/tmp/x.png", pixel, 1, 1, 3, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_png_write_rgba("/nonexistent-folder/x.png", pixel, 1, 1, 4, &err),
                     LF_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent-folder/x.png"));
    assert_int_equal(access("/nonexistent-folder/x.png", F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_with_stride),
        cmocka_unit_test(test_refuses_bad_arguments_and_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
