/*
 * test_dataset.c: cutting images into patches, the seeded shuffle, the
 * validation split, input noise, and loading folders with bad files in them.
 */
#include "test_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/rng.h"

extern int stbi_write_png(char const *filename, int w, int h, int comp, const void *data,
                          int stride_in_bytes);

/* An image whose every pixel is distinct: (y * w + x + 1) / (w * h + 1). */
static void make_ramp(lf_image *img, int w, int h)
{
    assert_int_equal(lf_image_init(img, w, h, NULL), LF_OK);
    for (int i = 0; i < w * h; i++)
        img->pixels[i] = (float)(i + 1) / (float)(w * h + 1);
}

static int count_patches(int w, int h, int patch)
{
    lf_image img;
    make_ramp(&img, w, h);
    lf_dataset ds;
    lf_dataset_options o = {.patch_size = patch};
    lf_error err;
    if (lf_dataset_from_images(&ds, &img, 1, &o, &err) != LF_OK)
        fail_msg("%dx%d: %s", w, h, err.message);
    int n = ds.patch_count;
    assert_int_equal(ds.patch_size, patch);
    assert_int_equal(ds.train_count + ds.validation_count, n);
    lf_dataset_deinit(&ds);
    lf_image_deinit(&img);
    return n;
}

static void test_patch_counts(void **state)
{
    (void)state;
    assert_int_equal(count_patches(256, 256, 256), 1);
    assert_int_equal(count_patches(600, 300, 256), 2); /* 2 x 1, the rest dropped */
    assert_int_equal(count_patches(512, 512, 64), 64);
    assert_int_equal(count_patches(40, 17, 8), 10);    /* 5 x 2 */
    /* Smaller than the patch: the shorter side is scaled up to the patch,
     * the other by the same factor: 100x50 -> 128x64 -> 2 patches of 64. */
    assert_int_equal(count_patches(100, 50, 64), 2);
    assert_int_equal(count_patches(10, 10, 32), 1);
    assert_int_equal(count_patches(50, 200, 64), 4);   /* 64x256 -> 1 x 4 */
}

/* Patches are cut on a grid from the top-left corner and copied exactly. */
static void test_patches_from_top_left(void **state)
{
    (void)state;
    const int w = 20, h = 17, p = 8;
    lf_image img;
    make_ramp(&img, w, h);
    lf_dataset ds;
    lf_dataset_options o = {.patch_size = p, .validation_fraction = -1, .seed = 5};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, NULL), LF_OK);
    assert_int_equal(ds.patch_count, 4);
    assert_int_equal(ds.validation_count, 0);
    int seen[4] = {0};
    for (int k = 0; k < 4; k++) {
        const float *patch = lf_dataset_input(&ds, k);
        /* Recover the corner from the first pixel's value. */
        int index = (int)lroundf(patch[0] * (float)(w * h + 1)) - 1;
        int y0 = index / w, x0 = index % w;
        assert_true((y0 == 0 || y0 == 8) && (x0 == 0 || x0 == 8));
        seen[(y0 / 8) * 2 + x0 / 8]++;
        for (int y = 0; y < p; y++)
            for (int x = 0; x < p; x++)
                assert_true(patch[y * p + x] == img.pixels[(y0 + y) * w + x0 + x]);
        assert_ptr_equal(lf_dataset_clean(&ds, k), patch); /* no noise: the same memory */
        assert_int_equal(ds.patch_file[k], 0);
    }
    for (int k = 0; k < 4; k++)
        assert_int_equal(seen[k], 1);
    lf_dataset_deinit(&ds);
    lf_image_deinit(&img);
}

/* The first pixel of each patch identifies it. */
static void patch_order(const lf_dataset *ds, float *firsts)
{
    for (int k = 0; k < ds->patch_count; k++)
        firsts[k] = lf_dataset_input(ds, k)[0];
}

static void test_shuffle_seeded(void **state)
{
    (void)state;
    lf_image img;
    make_ramp(&img, 80, 80); /* 100 patches of 8 */
    lf_dataset a, b, c;
    lf_dataset_options o = {.patch_size = 8, .seed = 99};
    assert_int_equal(lf_dataset_from_images(&a, &img, 1, &o, NULL), LF_OK);
    assert_int_equal(lf_dataset_from_images(&b, &img, 1, &o, NULL), LF_OK);
    o.seed = 100;
    assert_int_equal(lf_dataset_from_images(&c, &img, 1, &o, NULL), LF_OK);
    assert_int_equal(a.patch_count, 100);
    assert_memory_equal(a.inputs, b.inputs, sizeof(float) * 100 * 64);
    float fa[100], fc[100];
    patch_order(&a, fa);
    patch_order(&c, fc);
    int moved = 0, in_place = 0;
    for (int k = 0; k < 100; k++) {
        moved += fa[k] != fc[k];
        /* Grid order would put patch k's corner at row 8 (k / 10), column 8 (k % 10). */
        float grid = (float)((k / 10) * 8 * 80 + (k % 10) * 8 + 1) / (float)(80 * 80 + 1);
        in_place += fa[k] == grid;
    }
    assert_true(moved > 80);
    assert_true(in_place < 20); /* it was shuffled at all */
    /* Every patch is still there exactly once. */
    for (int k = 0; k < 100; k++) {
        int found = 0;
        for (int j = 0; j < 100; j++)
            found += fa[j] == fc[k];
        assert_int_equal(found, 1);
    }
    lf_dataset_deinit(&a);
    lf_dataset_deinit(&b);
    lf_dataset_deinit(&c);
    lf_image_deinit(&img);
}

/* Keras: the first int(n * (1 - validation_split)) samples train, the rest
 * validate. */
static void check_split(int n, float fraction, int expected_train)
{
    lf_image img;
    make_ramp(&img, 8 * n, 8);
    lf_dataset ds;
    lf_dataset_options o = {.patch_size = 8, .validation_fraction = fraction};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, NULL), LF_OK);
    assert_int_equal(ds.patch_count, n);
    if (ds.train_count != expected_train)
        fail_msg("%d patches, validation %g: %d train, expected %d", n, (double)fraction,
                 ds.train_count, expected_train);
    assert_int_equal(ds.validation_count, n - expected_train);
    lf_dataset_deinit(&ds);
    lf_image_deinit(&img);
}

static void test_validation_split(void **state)
{
    (void)state;
    check_split(10, 0, 8);       /* default 0.2: int(10 * 0.8) = 8 */
    check_split(10, 0.2f, 8);
    check_split(5, 0.2f, 4);     /* int(5 * 0.8) = int(4.0) = 4 */
    check_split(7, 0.2f, 5);     /* int(5.6) = 5 */
    check_split(100, 0.2f, 80);
    check_split(13, 0.3f, 9);    /* int(13 * 0.7) = int(9.1) = 9 */
    check_split(10, 0.1f, 9);    /* int(9.0) = 9 */
    check_split(10, -1, 10);     /* negative: no validation */
    check_split(1, 0.2f, 1);     /* one patch still trains */
    check_split(3, 0.5f, 1);     /* int(1.5) = 1 */
}

static void test_noise(void **state)
{
    (void)state;
    lf_image img;
    make_ramp(&img, 256, 128);
    lf_dataset clean_ds, noisy, again;
    lf_dataset_options o = {.patch_size = 64, .seed = 4};
    assert_int_equal(lf_dataset_from_images(&clean_ds, &img, 1, &o, NULL), LF_OK);
    o.noise_sigma = 0.1f;
    assert_int_equal(lf_dataset_from_images(&noisy, &img, 1, &o, NULL), LF_OK);
    assert_int_equal(lf_dataset_from_images(&again, &img, 1, &o, NULL), LF_OK);
    const size_t n = (size_t)noisy.patch_count * 64 * 64;
    assert_true(noisy.inputs != noisy.clean);
    tu_assert_near(noisy.noise_sigma, 0.1, 1e-7);
    /* The clean copy is exactly the noiseless dataset (same shuffle). */
    assert_memory_equal(noisy.clean, clean_ds.inputs, sizeof(float) * n);
    /* Same seed, same noise. */
    assert_memory_equal(noisy.inputs, again.inputs, sizeof(float) * n);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)noisy.inputs[i] - noisy.clean[i];
        sum += d;
        sum2 += d * d;
    }
    double mean = sum / (double)n, sd = sqrt(sum2 / (double)n - mean * mean);
    /* 32768 samples: the standard error of the std is 0.1 / sqrt(2n) < 0.0004. */
    tu_assert_near(mean, 0.0, 0.003);
    tu_assert_near(sd, 0.1, 0.003);
    lf_dataset_deinit(&clean_ds);
    lf_dataset_deinit(&noisy);
    lf_dataset_deinit(&again);
    lf_image_deinit(&img);
}

/* Variant v of img, built whole: transposed when bit 2 is set, then
 * mirrored left to right (bit 0) and top to bottom (bit 1). */
static void variant_image(lf_image *out, const lf_image *img, int v)
{
    lf_image t;
    int w = v & 4 ? img->height : img->width, h = v & 4 ? img->width : img->height;
    assert_int_equal(lf_image_init(&t, w, h, NULL), LF_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            t.pixels[y * w + x] = v & 4 ? img->pixels[x * img->width + y] : img->pixels[y * w + x];
    assert_int_equal(lf_image_init(out, w, h, NULL), LF_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            out->pixels[y * w + x] =
                t.pixels[(v & 2 ? h - 1 - y : y) * w + (v & 1 ? w - 1 - x : x)];
    lf_image_deinit(&t);
}

/* Overlapping patches every `stride` pixels, each also mirrored and turned:
 * 13x11 with 8-pixel patches every 2 is 3 x 2 places, 6 patches per
 * variant, so 48 in all, each exactly once (the ramp's pixels are all
 * different, so no two patches are equal). Variant v of a place is the
 * place's patch turned whole (variant_image), not a patch cut on the turned
 * image's own grid: 13 - 8 is odd, so that grid would take other regions.
 * patch_origin names the place and variant of each, and the index map
 * lf_dataset_variant_index says where each pixel of a variant comes from. */
static void test_stride_and_variants(void **state)
{
    (void)state;
    const int w = 13, h = 11, p = 8, stride = 2;
    lf_image img;
    make_ramp(&img, w, h);
    for (int variants = 1; variants <= 8; variants *= 2) {
        lf_dataset ds;
        lf_dataset_options o = {.patch_size = p, .patch_stride = stride, .variants = variants,
                                .validation_fraction = -1, .seed = 4};
        assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, NULL), LF_OK);
        assert_int_equal(ds.patch_count, 6 * variants);
        assert_int_equal(ds.place_count, 6);
        assert_int_equal(ds.variant_count, variants);
        assert_non_null(ds.patch_origin);
        int *found = calloc((size_t)ds.patch_count, sizeof(int));
        assert_non_null(found);
        float expected[64];
        int expected_count = 0;
        for (int y0 = 0; y0 + p <= h; y0 += stride)
            for (int x0 = 0; x0 + p <= w; x0 += stride) {
                lf_image cut;
                assert_int_equal(lf_image_init(&cut, p, p, NULL), LF_OK);
                for (int y = 0; y < p; y++)
                    for (int x = 0; x < p; x++)
                        cut.pixels[y * p + x] = img.pixels[(y0 + y) * w + x0 + x];
                int place = -1;
                for (int v = 0; v < variants; v++) {
                    lf_image turned;
                    variant_image(&turned, &cut, v);
                    memcpy(expected, turned.pixels, sizeof expected);
                    lf_image_deinit(&turned);
                    expected_count++;
                    int matches = 0;
                    for (int k = 0; k < ds.patch_count; k++)
                        if (!memcmp(lf_dataset_input(&ds, k), expected, sizeof expected)) {
                            matches++;
                            found[k]++;
                            /* Every variant of one cut names the same place. */
                            if (v == 0)
                                place = ds.patch_origin[k].place;
                            assert_int_equal(ds.patch_origin[k].place, place);
                            assert_int_equal(ds.patch_origin[k].variant, v);
                            for (int y = 0; y < p; y++)
                                for (int x = 0; x < p; x++)
                                    assert_float_equal(
                                        expected[y * p + x],
                                        cut.pixels[lf_dataset_variant_index(v, x, y, p)], 0);
                        }
                    assert_int_equal(matches, 1);
                }
                lf_image_deinit(&cut);
            }
        assert_int_equal(expected_count, ds.patch_count);
        for (int k = 0; k < ds.patch_count; k++)
            assert_int_equal(found[k], 1);
        free(found);
        lf_dataset_deinit(&ds);
    }
    lf_image_deinit(&img);
    lf_dataset ds;
    lf_error err;
    lf_dataset_options o = {.patch_size = 8, .patch_stride = 9};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    assert_string_equal(err.message, "patch stride 9 is outside 1..8 (the patch size)");
    o = (lf_dataset_options){.patch_size = 8, .variants = 3};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "3 variants"));
}

/* The shuffle moves patches in place, and puts the patch the seeded order
 * names at each place, as copying them out in that order did: place i holds
 * grid patch order[i]. */
static void test_shuffle_in_place_order(void **state)
{
    (void)state;
    lf_image img;
    make_ramp(&img, 80, 80); /* 100 patches of 8, grid patch k at row k / 10, column k % 10 */
    lf_dataset ds;
    lf_dataset_options o = {.patch_size = 8, .seed = 99};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, NULL), LF_OK);
    int order[100];
    for (int i = 0; i < 100; i++)
        order[i] = i;
    lf_rng rng;
    lf_rng_seed(&rng, 99);
    lf_rng_shuffle(&rng, order, 100);
    for (int i = 0; i < 100; i++) {
        int k = order[i], x0 = (k % 10) * 8, y0 = (k / 10) * 8;
        const float *patch = lf_dataset_input(&ds, i);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                assert_true(patch[y * 8 + x] == img.pixels[(y0 + y) * 80 + x0 + x]);
    }
    lf_dataset_deinit(&ds);
    lf_image_deinit(&img);
}

static void test_options_checked(void **state)
{
    (void)state;
    lf_image img;
    make_ramp(&img, 64, 64);
    lf_dataset ds;
    lf_error err;
    lf_dataset_options o = {.patch_size = 4};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "patch size 4"));
    o = (lf_dataset_options){.patch_size = 8, .validation_fraction = 1.0f};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    o = (lf_dataset_options){.patch_size = 8, .noise_sigma = -0.1f};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    o = (lf_dataset_options){.patch_size = 8, .noise_sigma = NAN};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    o = (lf_dataset_options){.patch_size = 8, .downscale = 65};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, &err), LF_ERR_ARGUMENT);
    o = (lf_dataset_options){.patch_size = 8};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 0, &o, &err), LF_ERR_INPUT);
    lf_image_deinit(&img);
}

static void test_downscale(void **state)
{
    (void)state;
    /* 32x32 halved to 16x16: one 16-pixel patch whose pixels are 2x2 means. */
    lf_image img;
    make_ramp(&img, 32, 32);
    lf_dataset ds;
    lf_dataset_options o = {.patch_size = 16, .downscale = 2};
    assert_int_equal(lf_dataset_from_images(&ds, &img, 1, &o, NULL), LF_OK);
    assert_int_equal(ds.patch_count, 1);
    const float *p = lf_dataset_input(&ds, 0);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++) {
            const float *s = img.pixels + (2 * y) * 32 + 2 * x;
            tu_assert_near(p[y * 16 + x], (s[0] + s[1] + s[32] + s[33]) / 4.0, 1e-6);
        }
    lf_dataset_deinit(&ds);
    lf_image_deinit(&img);
}

/* ============================================================ folders */

typedef struct callbacks {
    int warnings;
    char last_warning[1024];
    int progress_calls, last_done, last_total;
} callbacks;

static void on_warning(void *user, const char *message)
{
    callbacks *c = user;
    c->warnings++;
    snprintf(c->last_warning, sizeof c->last_warning, "%s", message);
}

static void on_progress(void *user, int done, int total)
{
    callbacks *c = user;
    c->progress_calls++;
    c->last_done = done;
    c->last_total = total;
}

static void write_gray_png(const char *path, int w, int h, unsigned char value)
{
    unsigned char *px = malloc((size_t)w * h);
    memset(px, value, (size_t)w * h);
    assert_true(stbi_write_png(path, w, h, 1, px, w) != 0);
    free(px);
}

static void test_folder_with_bad_file(void **state)
{
    (void)state;
    char dir[512], path[700];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/b.png", dir);
    write_gray_png(path, 32, 16, 51);                     /* 2 patches of 16 */
    snprintf(path, sizeof path, "%s/sub/a.png", dir);
    write_gray_png(path, 16, 16, 102);                    /* 1 patch */
    snprintf(path, sizeof path, "%s/broken.png", dir);
    tu_write_file(path, "\x89PNG\r\n\x1a\nnot really", 18);
    snprintf(path, sizeof path, "%s/.hidden.png", dir);
    tu_write_file(path, "junk", 4);                       /* hidden: not even tried */
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    tu_write_file(path, "junk", 4);                       /* not an image name */

    callbacks cb = {0};
    const char *paths[1] = {dir};
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 16,
                            .validation_fraction = -1, .warn = on_warning,
                            .progress = on_progress, .user = &cb};
    lf_dataset ds;
    lf_error err;
    if (lf_dataset_load(&ds, &o, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(ds.patch_count, 3);
    assert_int_equal(ds.file_count, 2);
    assert_int_equal(ds.skipped_count, 1);
    assert_int_equal(cb.warnings, 1);
    assert_non_null(strstr(cb.last_warning, "skipped"));
    assert_non_null(strstr(cb.last_warning, "broken.png"));
    assert_int_equal(cb.progress_calls, 3);
    assert_int_equal(cb.last_done, 3);
    assert_int_equal(cb.last_total, 3);
    /* Files in name order, subfolders included: b.png, sub/a.png. */
    assert_non_null(strstr(ds.file_names[0], "b.png"));
    assert_non_null(strstr(ds.file_names[1], "sub/a.png"));
    int from_b = 0;
    for (int k = 0; k < 3; k++) {
        float v = lf_dataset_input(&ds, k)[0];
        if (ds.patch_file[k] == 0) {
            tu_assert_near(v, 0.2, 1e-6);
            from_b++;
        } else {
            assert_int_equal(ds.patch_file[k], 1);
            tu_assert_near(v, 0.4, 1e-6);
        }
    }
    assert_int_equal(from_b, 2);
    lf_dataset_deinit(&ds);

    /* A single file works as a path too. */
    snprintf(path, sizeof path, "%s/b.png", dir);
    paths[0] = path;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_OK);
    assert_int_equal(ds.patch_count, 2);
    lf_dataset_deinit(&ds);
    tu_remove_tree(dir);
}

static void test_folder_failures(void **state)
{
    (void)state;
    char dir[512], path[700];
    tu_make_temp_dir(dir, sizeof dir);
    const char *paths[1] = {dir};
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 16};
    lf_dataset ds;
    lf_error err;
    /* Empty folder. */
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "no .png"));
    /* Only bad images. */
    snprintf(path, sizeof path, "%s/bad.jpg", dir);
    tu_write_file(path, "\xff\xd8\xff\xe0 broken", 11);
    callbacks cb = {0};
    o.warn = on_warning;
    o.user = &cb;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    /* A single unusable file fails with its own reason. */
    assert_non_null(strstr(err.message, "bad.jpg"));
    assert_non_null(strstr(err.message, "JPEG"));
    assert_int_equal(cb.warnings, 1);
    /* A path that does not exist. */
    snprintf(path, sizeof path, "%s/nowhere", dir);
    paths[0] = path;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "nowhere"));
    /* No paths at all. */
    o.path_count = 0;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_ARGUMENT);
    tu_remove_tree(dir);
    lf_dataset_deinit(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_counts),
        cmocka_unit_test(test_patches_from_top_left),
        cmocka_unit_test(test_shuffle_seeded),
        cmocka_unit_test(test_validation_split),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_options_checked),
        cmocka_unit_test(test_stride_and_variants),
        cmocka_unit_test(test_shuffle_in_place_order),
        cmocka_unit_test(test_downscale),
        cmocka_unit_test(test_folder_with_bad_file),
        cmocka_unit_test(test_folder_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
