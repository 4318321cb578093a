/*
 * test_walk.c: how images are found and files are read. Folders reached
 * through links are walked once (`a -> .` and `b -> .` together, `self -> .`,
 * a photo linked under a second name), the depth limit says so when it is
 * what hid the images, a FIFO or device given as an image or a kernel is
 * refused at once instead of blocking the open, and a set of images too big
 * for memory is refused from the headers, before anything is decoded.
 */
#include "test_util.h"

#include <sys/types.h>

#include "file_util.h"
#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"

extern int stbi_write_png(char const *filename, int w, int h, int comp, const void *data,
                          int stride_in_bytes);

static void write_gray_png(const char *path, int w, int h, unsigned char value)
{
    unsigned char *px = malloc((size_t)w * (size_t)h);
    assert_non_null(px);
    memset(px, value, (size_t)w * (size_t)h);
    assert_true(stbi_write_png(path, w, h, 1, px, w) != 0);
    free(px);
}

typedef struct warnings {
    int count;
    char last[LF_ERROR_MESSAGE_MAX + 256];
} warnings;

static void on_warning(void *user, const char *message)
{
    warnings *w = user;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", message);
}

/* Loads path with 16-pixel patches; returns the status, fills *ds on success. */
static lf_status load(const char *path, lf_dataset *ds, warnings *w, lf_error *err)
{
    const char *paths[1] = {path};
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 16,
                            .validation_fraction = -1, .warn = on_warning, .user = w};
    return lf_dataset_load(ds, &o, err);
}

static void link_or_fail(const char *target, const char *dir, const char *name)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (symlink(target, path) != 0)
        fail_msg("symlink %s -> %s failed", path, target);
}

/* Two links to the folder itself made the old walk branch in two at every
 * level: 2^17 walks. Each real folder is walked once now, so one image is
 * one image, however the links are laid out. */
static void test_links_walked_once(void **state)
{
    (void)state;
    char dir[512], path[700];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/photo.png", dir);
    write_gray_png(path, 16, 16, 51);
    link_or_fail(".", dir, "a");
    link_or_fail(".", dir, "b");
    link_or_fail(".", dir, "self");
    link_or_fail("photo.png", dir, "same photo.png"); /* one photo under two names */
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    link_or_fail("..", path, "up");                     /* a loop through the parent */

    lf_path_list files = {0};
    lf_image_walk walk;
    lf_image_walk_init(&walk);
    lf_error err;
    assert_int_equal(lf_image_walk_collect(&walk, &files, dir, &err), LF_OK);
    assert_int_equal(files.count, 1);
    assert_non_null(strstr(files.paths[0], "/photo.png"));
    /* a, b, self, "same photo.png" and sub/up each lead back to something taken. */
    assert_int_equal(walk.repeats, 5);
    assert_int_equal(walk.deep_folders, 0);
    /* The same folder given again adds nothing either. */
    assert_int_equal(lf_image_walk_collect(&walk, &files, dir, &err), LF_OK);
    assert_int_equal(files.count, 1);
    lf_image_walk_deinit(&walk);
    lf_path_list_deinit(&files);

    lf_dataset ds;
    warnings w = {0};
    if (load(dir, &ds, &w, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(ds.file_count, 1);
    assert_int_equal(ds.patch_count, 1);
    lf_dataset_deinit(&ds);
    tu_remove_tree(dir);
}

/* Makes dir/d1/d2/.../d<levels> and returns the innermost in out. */
static void make_nested(const char *dir, int levels, char *out, size_t size)
{
    snprintf(out, size, "%s", dir);
    for (int i = 1; i <= levels; i++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "/d%d", i);
        assert_int_equal(mkdir(out, 0700), 0);
    }
}

static void test_depth_limit_is_said(void **state)
{
    (void)state;
    char dir[512], deep[2048], path[2100];
    lf_dataset ds;
    lf_error err;
    warnings w = {0};

    /* At LF_MAX_FOLDER_DEPTH levels below the folder given: still found. */
    tu_make_temp_dir(dir, sizeof dir);
    make_nested(dir, LF_MAX_FOLDER_DEPTH, deep, sizeof deep);
    snprintf(path, sizeof path, "%s/in.png", deep);
    write_gray_png(path, 16, 16, 10);
    if (load(dir, &ds, &w, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(ds.file_count, 1);
    assert_int_equal(w.count, 0);
    lf_dataset_deinit(&ds);
    tu_remove_tree(dir);

    /* One level deeper and nothing else: the message says why, not merely
     * "no images found". */
    tu_make_temp_dir(dir, sizeof dir);
    make_nested(dir, LF_MAX_FOLDER_DEPTH + 1, deep, sizeof deep);
    snprintf(path, sizeof path, "%s/out.png", deep);
    write_gray_png(path, 16, 16, 10);
    assert_int_equal(load(dir, &ds, &w, &err), LF_ERR_INPUT);
    char expected[256];
    snprintf(expected, sizeof expected,
             "no .png, .jpg or .jpeg images within %d levels of folders; 1 deeper folder was "
             "not searched (the first: ",
             LF_MAX_FOLDER_DEPTH);
    if (!strstr(err.message, expected))
        fail_msg("message: %s", err.message);
    assert_non_null(strstr(err.message, "/d17)"));

    /* With an image higher up, training goes on and a warning names the
     * folder left out. */
    snprintf(path, sizeof path, "%s/top.png", dir);
    write_gray_png(path, 16, 16, 20);
    w.count = 0;
    if (load(dir, &ds, &w, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(ds.file_count, 1);
    assert_int_equal(w.count, 1);
    snprintf(expected, sizeof expected, "1 folder deeper than %d levels was not searched",
             LF_MAX_FOLDER_DEPTH);
    if (!strstr(w.last, expected) || !strstr(w.last, "/d17)"))
        fail_msg("warning: %s", w.last);
    lf_dataset_deinit(&ds);
    tu_remove_tree(dir);
}

/* Opening a FIFO for reading waits for a writer forever: it must be refused
 * without opening it (a hang here is the ctest timeout). */
static void test_fifo_and_devices_refused(void **state)
{
    (void)state;
    char dir[512], fifo[700], expected[800];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(fifo, sizeof fifo, "%s/x.png", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    lf_dataset ds;
    lf_error err;
    warnings w = {0};
    assert_int_equal(load(fifo, &ds, &w, &err), LF_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s: is a FIFO (named pipe), not a regular file", fifo);
    assert_string_equal(err.message, expected);

    lf_kernel k;
    assert_int_equal(lf_kernel_load(&k, fifo, &err), LF_ERR_INPUT);
    assert_string_equal(err.message, expected);
    assert_int_equal(lf_kernel_resolve(&k, fifo, 1, &err), LF_ERR_INPUT);
    assert_string_equal(err.message, expected);

    /* Inside a folder a FIFO is not an image file at all: the folder's
     * other images load and the FIFO is never opened. */
    char path[700];
    snprintf(path, sizeof path, "%s/real.png", dir);
    write_gray_png(path, 16, 16, 30);
    if (load(dir, &ds, &w, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(ds.file_count, 1);
    assert_int_equal(ds.skipped_count, 0);
    lf_dataset_deinit(&ds);

    /* A character device never ends; a folder is not a file. */
    assert_int_equal(lf_kernel_load(&k, "/dev/zero", &err), LF_ERR_INPUT);
    assert_string_equal(err.message, "/dev/zero: is a character device, not a regular file");
    assert_int_equal(lf_kernel_load(&k, dir, &err), LF_ERR_INPUT);
    snprintf(expected, sizeof expected, "%s: is a folder, not a file", dir);
    assert_string_equal(err.message, expected);
    tu_remove_tree(dir);
}

/* A 1x64 image with 4096-pixel patches is enlarged to 4096x262144: 64
 * patches of 64 MiB each, 4 GiB. Refused from the header, before the
 * enlargement is ever attempted. */
static void test_memory_estimated_first(void **state)
{
    (void)state;
    char dir[512], path[700];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/tall.png", dir);
    write_gray_png(path, 1, 64, 200);
    const char *paths[1] = {path};
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 4096};
    lf_dataset ds;
    lf_error err;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: the images make 64 patches of 4096x4096, which need 4.0 GiB of memory; the "
             "limit is %.1f GiB",
             path, (double)LF_DATASET_MAX_BYTES / (1 << 30));
    if (!strstr(err.message, expected))
        fail_msg("message: %s\nexpected: %s", err.message, expected);
    /* With noise the noisy copy doubles it, and the message says so. */
    o.noise_sigma = 0.1f;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "64 patches of 4096x4096, which need 8.0 GiB of memory "
                                        "with their noisy copy"));
    /* Overlapping patches and mirrored copies count: every 2,048 rows of
     * 262,144 is 127 patches, twice with the mirror image, 254 of 64 MiB. */
    o.noise_sigma = 0;
    o.patch_stride = 2048;
    o.variants = 2;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "254 patches of 4096x4096, which need 15.9 GiB of "
                                        "memory; the limit is"));
    tu_remove_tree(dir);
}

/* The limit counts everything kept per patch: 8,192 patches of 256x256 are
 * exactly 2 GiB of pixels, and the index of their files puts them over.
 * (A 1x8192 image becomes 256x2097152: one column of 8,192 patches.) */
static void test_memory_counts_all_kept(void **state)
{
    (void)state;
    char dir[512], path[700];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/column.png", dir);
    write_gray_png(path, 1, 8192, 100);
    const char *paths[1] = {path};
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 256};
    lf_dataset ds;
    lf_error err;
    assert_int_equal(lf_dataset_load(&ds, &o, &err), LF_ERR_INPUT);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: the images make 8192 patches of 256x256, which need 2.0 GiB of memory; the "
             "limit is 2.0 GiB",
             path);
    if ((long long)LF_DATASET_MAX_BYTES == 2048LL * 1024 * 1024 && !strstr(err.message, expected))
        fail_msg("message: %s\nexpected: %s", err.message, expected);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_walked_once),
        cmocka_unit_test(test_depth_limit_is_said),
        cmocka_unit_test(test_fifo_and_devices_refused),
        cmocka_unit_test(test_memory_estimated_first),
        cmocka_unit_test(test_memory_counts_all_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
