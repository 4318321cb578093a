/*
 * test_image.c: grayscale conversion, resizing, and loading PNG and JPEG.
 *
 * PNGs are written with stb_image_write (compiled into the core) into a
 * temporary folder, so the expected pixel values are known exactly; the
 * JPEGs are small fixtures in tests/data, known to within JPEG's rounding.
 */
#include "test_data_util.h"

#include "learnfilter/image.h"

extern int stbi_write_png(char const *filename, int w, int h, int comp, const void *data,
                          int stride_in_bytes);

/* ========================================================== grayscale */

static void test_gray_weights(void **state)
{
    (void)state;
    const unsigned char rgb[5 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 255, 255, 255};
    float gray[5];
    lf_gray_from_rgb8(gray, rgb, 5, 1, 3);
    tu_assert_near(gray[0], 0.299, 1e-6);
    tu_assert_near(gray[1], 0.587, 1e-6);
    tu_assert_near(gray[2], 0.114, 1e-6);
    tu_assert_near(gray[3], (0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255.0, 1e-6);
    tu_assert_near(gray[4], 1.0, 1e-6);

    /* Alpha is ignored, with and without colour. */
    const unsigned char rgba[2 * 4] = {0, 255, 0, 0, 255, 0, 0, 128};
    lf_gray_from_rgb8(gray, rgba, 2, 1, 4);
    tu_assert_near(gray[0], 0.587, 1e-6);
    tu_assert_near(gray[1], 0.299, 1e-6);
    const unsigned char ga[2 * 2] = {51, 0, 255, 17};
    lf_gray_from_rgb8(gray, ga, 2, 1, 2);
    tu_assert_near(gray[0], 0.2, 1e-6);
    tu_assert_near(gray[1], 1.0, 1e-6);
    const unsigned char g[2] = {0, 102};
    lf_gray_from_rgb8(gray, g, 1, 2, 1);
    tu_assert_near(gray[0], 0.0, 0);
    tu_assert_near(gray[1], 0.4, 1e-6);
}

/* ============================================================= resize */

static void make_image(lf_image *img, int w, int h, const float *values)
{
    assert_int_equal(lf_image_init(img, w, h, NULL), LF_OK);
    if (values)
        memcpy(img->pixels, values, sizeof(float) * (size_t)w * h);
}

static void test_resize_shrink_averages(void **state)
{
    (void)state;
    const float v[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    lf_image in, out;
    make_image(&in, 4, 4, v);
    assert_int_equal(lf_image_resize(&out, &in, 2, 2, NULL), LF_OK);
    assert_int_equal(out.width, 2);
    assert_int_equal(out.height, 2);
    tu_assert_near(out.pixels[0], (1 + 2 + 5 + 6) / 4.0, 1e-6);
    tu_assert_near(out.pixels[1], (3 + 4 + 7 + 8) / 4.0, 1e-6);
    tu_assert_near(out.pixels[2], (9 + 10 + 13 + 14) / 4.0, 1e-6);
    tu_assert_near(out.pixels[3], (11 + 12 + 15 + 16) / 4.0, 1e-6);
    lf_image_deinit(&out);
    lf_image_deinit(&in);

    /* A factor of 1.5: each output covers one whole pixel and half the
     * next: [0, 3, 6] -> [(0 + 3/2) / 1.5, (3/2 + 6) / 1.5] = [1, 5]. */
    const float row[3] = {0, 3, 6};
    make_image(&in, 3, 1, row);
    assert_int_equal(lf_image_resize(&out, &in, 2, 1, NULL), LF_OK);
    tu_assert_near(out.pixels[0], 1.0, 1e-6);
    tu_assert_near(out.pixels[1], 5.0, 1e-6);
    lf_image_deinit(&out);
    lf_image_deinit(&in);
}

static void test_resize_constant_stays_constant(void **state)
{
    (void)state;
    static const int sizes[][4] = {{7, 5, 3, 2}, {3, 3, 8, 5}, {100, 37, 13, 29}, {1, 1, 9, 4},
                                   {16, 16, 16, 16}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        lf_image in, out;
        make_image(&in, sizes[s][0], sizes[s][1], NULL);
        for (int i = 0; i < in.width * in.height; i++)
            in.pixels[i] = 0.625f;
        assert_int_equal(lf_image_resize(&out, &in, sizes[s][2], sizes[s][3], NULL), LF_OK);
        for (int i = 0; i < out.width * out.height; i++)
            tu_assert_near(out.pixels[i], 0.625, 1e-6);
        lf_image_deinit(&out);
        lf_image_deinit(&in);
    }
}

static void test_resize_enlarge_interpolates(void **state)
{
    (void)state;
    /* Pixel centres: output x samples input at (x + 0.5) / 2 - 0.5, clamped:
     * -0.25 -> 0, 0.25, 0.75, 1.25 -> 1. */
    const float row[2] = {0, 1};
    lf_image in, out;
    make_image(&in, 2, 1, row);
    assert_int_equal(lf_image_resize(&out, &in, 4, 3, NULL), LF_OK);
    const float expected[4] = {0, 0.25f, 0.75f, 1};
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            tu_assert_near(out.pixels[y * 4 + x], expected[x], 1e-6);
    lf_image_deinit(&out);
    lf_image_deinit(&in);
}

static void test_image_init_limits(void **state)
{
    (void)state;
    lf_image img;
    lf_error err;
    assert_int_equal(lf_image_init(&img, 0, 5, &err), LF_ERR_ARGUMENT);
    assert_null(img.pixels);
    assert_int_equal(lf_image_init(&img, 5, -1, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_image_init(&img, LF_IMAGE_MAX_SIDE + 1, 1, &err), LF_ERR_ARGUMENT);
    assert_int_equal(lf_image_init(&img, 3, 2, &err), LF_OK);
    for (int i = 0; i < 6; i++)
        assert_true(img.pixels[i] == 0.0f);
    lf_image_deinit(&img);
    lf_image_deinit(&img); /* twice is fine */
    lf_image_deinit(NULL);
}

/* ============================================================ loading */

static void test_load_png_and_jpeg(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    lf_image img;
    lf_error err;

    /* RGB PNG: exact values. */
    unsigned char rgb[4 * 3 * 3];
    for (int i = 0; i < 12; i++) {
        rgb[3 * i] = (unsigned char)(20 * i);
        rgb[3 * i + 1] = (unsigned char)(255 - 20 * i);
        rgb[3 * i + 2] = (unsigned char)(7 * i);
    }
    snprintf(path, sizeof path, "%s/colour.png", dir);
    assert_true(stbi_write_png(path, 4, 3, 3, rgb, 4 * 3) != 0);
    if (lf_image_load(&img, path, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(img.width, 4);
    assert_int_equal(img.height, 3);
    for (int i = 0; i < 12; i++)
        tu_assert_near(img.pixels[i],
                       (0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]) /
                           255.0,
                       1e-6);
    lf_image_deinit(&img);

    /* Gray + alpha PNG. */
    const unsigned char ga[2 * 2] = {255, 0, 51, 255};
    snprintf(path, sizeof path, "%s/alpha.PNG", dir);
    assert_true(stbi_write_png(path, 2, 1, 2, ga, 4) != 0);
    assert_int_equal(lf_image_load(&img, path, &err), LF_OK);
    tu_assert_near(img.pixels[0], 1.0, 1e-6);
    tu_assert_near(img.pixels[1], 0.2, 1e-6);
    lf_image_deinit(&img);

    /* JPEG (tests/data/make_fixtures.py): flat 16x16 blocks of two grays
     * survive within 2/255 away from the edge between them, where JPEG
     * rings a little. */
    if (lf_image_load(&img, LF_TEST_DATA_DIR "/two_grays.jpg", &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(img.width, 32);
    assert_int_equal(img.height, 16);
    for (int y = 0; y < 16; y++) {
        tu_assert_near(img.pixels[y * 32 + 2], 64 / 255.0, 2 / 255.0);
        tu_assert_near(img.pixels[y * 32 + 29], 192 / 255.0, 2 / 255.0);
    }
    lf_image_deinit(&img);
    /* A colour JPEG goes through the luma weights: (200, 100, 50) gives
     * (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255 = 0.4876. */
    if (lf_image_load(&img, LF_TEST_DATA_DIR "/orange.jpg", &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(img.width, 16);
    for (int i = 0; i < 256; i++)
        tu_assert_near(img.pixels[i], (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255, 3 / 255.0);
    lf_image_deinit(&img);
    tu_remove_tree(dir);
}

static void expect_load_error(const char *dir, const char *name, const void *bytes, size_t size,
                              lf_status status, const char *needle)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (bytes)
        tu_write_file(path, bytes, size);
    lf_image img;
    lf_error err;
    lf_error_clear(&err);
    td_check_error(lf_image_load(&img, path, &err), status, &err, name, needle);
    assert_null(img.pixels);
    assert_int_equal(img.width, 0);
}

static void test_load_errors(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    expect_load_error(dir, "missing.png", NULL, 0, LF_ERR_INPUT, "no such file");
    expect_load_error(dir, "empty.png", "", 0, LF_ERR_INPUT, "empty");
    expect_load_error(dir, "anim.png", "GIF89a\x01\x00\x01\x00", 10, LF_ERR_INPUT, "GIF");
    expect_load_error(dir, "old.jpg", "BM\x00\x00\x00\x00", 6, LF_ERR_INPUT, "BMP");
    expect_load_error(dir, "text.png", "hello world", 11, LF_ERR_INPUT, "not a PNG or JPEG");

    /* A real PNG cut short, and one whose header claims 16000x16000. */
    unsigned char pixels[64 * 64];
    for (int i = 0; i < 64 * 64; i++)
        pixels[i] = (unsigned char)(i * 37);
    snprintf(path, sizeof path, "%s/full.png", dir);
    assert_true(stbi_write_png(path, 64, 64, 1, pixels, 64) != 0);
    size_t size = 0;
    char *png = tu_read_file(path, &size);
    assert_non_null(png);
    assert_true(size > 100);
    expect_load_error(dir, "cut.png", png, size / 2, LF_ERR_INPUT, "PNG");
    /* IHDR width and height are big-endian at bytes 16..23. */
    unsigned char *u = (unsigned char *)png;
    u[16] = 0, u[17] = 0, u[18] = 0x3e, u[19] = 0x80; /* 16000 */
    u[20] = 0, u[21] = 0, u[22] = 0x3e, u[23] = 0x80;
    expect_load_error(dir, "huge.png", png, size, LF_ERR_INPUT, "16000x16000");
    free(png);
    tu_remove_tree(dir);

    /* A folder is not an image. */
    lf_image img;
    lf_error err;
    tu_make_temp_dir(dir, sizeof dir);
    assert_int_equal(lf_image_load(&img, dir, &err), LF_ERR_INPUT);
    tu_remove_tree(dir);
}

static void test_supported_paths(void **state)
{
    (void)state;
    assert_true(lf_image_path_is_supported("a.png"));
    assert_true(lf_image_path_is_supported("dir.x/a.JPG"));
    assert_true(lf_image_path_is_supported("a.jpeg"));
    assert_true(lf_image_path_is_supported("a.Jpeg"));
    assert_false(lf_image_path_is_supported("a.gif"));
    assert_false(lf_image_path_is_supported("png"));
    assert_false(lf_image_path_is_supported("a.pngx"));
    assert_false(lf_image_path_is_supported("a.jpegjpeg"));
    assert_false(lf_image_path_is_supported(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gray_weights),
        cmocka_unit_test(test_resize_shrink_averages),
        cmocka_unit_test(test_resize_constant_stays_constant),
        cmocka_unit_test(test_resize_enlarge_interpolates),
        cmocka_unit_test(test_image_init_limits),
        cmocka_unit_test(test_load_png_and_jpeg),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_supported_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
