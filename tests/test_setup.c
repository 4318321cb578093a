/*
 * test_setup.c: the start both front ends share: where the photographs are
 * found, the dataset options the command line gives, the exit codes, and
 * app_setup_create on a folder of generated images.
 */
#include "test_util.h"

#include "setup.h"

extern int stbi_write_png(char const *filename, int w, int h, int comp, const void *data,
                          int stride_in_bytes);

static void parse_or_fail(cli_options *o, int argc, const char **argv)
{
    lf_error err;
    if (!cli_parse(argc, (char **)argv, o, &err))
        fail_msg("%s", err.message);
}

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(app_exit_code(LF_OK), 0);
    assert_int_equal(app_exit_code(LF_ERR_ARGUMENT), 2);
    assert_int_equal(app_exit_code(LF_ERR_INPUT), 3);
    assert_int_equal(app_exit_code(LF_ERR_IO), 3);
    assert_int_equal(app_exit_code(LF_ERR_NOMEM), 3);
    assert_int_equal(app_exit_code(LF_ERR_DIVERGED), 4);
}

static void test_dataset_options(void **state)
{
    (void)state;
    cli_options o;
    const char *none[] = {"learnfilter", NULL};
    parse_or_fail(&o, 1, none);
    unsetenv("LEARNFILTER_DATA");
    lf_dataset_options d = app_dataset_options(&o);
    assert_int_equal(d.path_count, 1);
    assert_string_equal(d.paths[0], LF_SOURCE_DATA_DIR); /* built from this tree */
    assert_int_equal(d.patch_size, 0);                   /* 0: the dataset's default */
    assert_true(d.seed == 1);

    char dir[512];
    tu_make_temp_dir(dir, sizeof dir);
    setenv("LEARNFILTER_DATA", dir, 1);
    d = app_dataset_options(&o);
    assert_string_equal(d.paths[0], dir);
    /* A variable naming no folder is passed over. */
    setenv("LEARNFILTER_DATA", "/no/such/folder", 1);
    assert_string_equal(app_data_dir(), LF_SOURCE_DATA_DIR);
    unsetenv("LEARNFILTER_DATA");
    tu_remove_tree(dir);

    const char *args[] = {"learnfilter", "--images", "x", "--images", "y", "--size", "32",
                          "--noise", "0.5", "--seed", "9", "--downscale", "3", "--validation",
                          "0.5", NULL};
    parse_or_fail(&o, 15, args);
    d = app_dataset_options(&o);
    assert_int_equal(d.path_count, 2);
    assert_string_equal(d.paths[1], "y");
    assert_int_equal(d.patch_size, 32);
    tu_assert_near(d.noise_sigma, 0.5, 0);
    assert_true(d.seed == 9);
    assert_int_equal(d.downscale, 3);
    tu_assert_near(d.validation_fraction, 0.5, 0);
}

typedef struct counts {
    int warnings, progress;
} counts;

static void on_warning(void *user, const char *m)
{
    (void)m;
    ((counts *)user)->warnings++;
}

static void on_progress(void *user, int done, int total)
{
    (void)done;
    (void)total;
    ((counts *)user)->progress++;
}

static void test_setup_create(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    /* One 64x32 image: two 32-pixel patches, one for training. */
    unsigned char px[64 * 32];
    for (int i = 0; i < 64 * 32; i++)
        px[i] = (unsigned char)((i * 7) ^ (i >> 5));
    snprintf(path, sizeof path, "%s/img.png", dir);
    assert_true(stbi_write_png(path, 64, 32, 1, px, 64) != 0);
    snprintf(path, sizeof path, "%s/bad.png", dir);
    tu_write_file(path, "nope", 4);

    cli_options o;
    const char *args[] = {"learnfilter", "--images", dir, "--size", "32", NULL};
    parse_or_fail(&o, 5, args);
    app_setup s;
    lf_error err;
    counts c = {0};
    if (app_setup_create(&s, &o, on_warning, on_progress, &c, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_string_equal(s.kernel.name, "sobel-x");
    assert_int_equal(s.dataset.patch_count, 2);
    assert_int_equal(s.dataset.train_count, 1);
    assert_int_equal(c.warnings, 1);
    assert_int_equal(c.progress, 2);
    /* Sobel x batches 4, but there is one training patch. */
    const lf_trainer_options *t = lf_trainer_get_options(s.trainer);
    assert_int_equal(t->settings.batch_size, 1);
    assert_int_equal(t->settings.optimizer, LF_OPTIMIZER_SGD);
    assert_int_equal(lf_trainer_step(s.trainer, &err), LF_OK);
    app_setup_destroy(&s);
    assert_null(s.trainer);
    app_setup_destroy(NULL);

    /* A batch the user asked for is kept, and refused when it cannot fit. */
    const char *batch[] = {"learnfilter", "--images", dir, "--size", "32", "--batch", "2", NULL};
    parse_or_fail(&o, 7, batch);
    assert_int_equal(app_setup_create(&s, &o, NULL, NULL, NULL, &err), LF_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "--batch: 2 is larger than"));

    /* A kernel typo fails first, before any image is read. */
    const char *typo[] = {"learnfilter", "--images", dir, "--kernel", "sobel-z", NULL};
    parse_or_fail(&o, 5, typo);
    c = (counts){0};
    assert_int_equal(app_setup_create(&s, &o, on_warning, on_progress, &c, &err), LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "sobel-z"));
    assert_int_equal(c.progress, 0);

    /* 'valid' padding with the smiley on 16-pixel patches cannot work. */
    const char *valid[] = {"learnfilter", "--images", dir, "--size", "16", "--kernel", "smiley",
                           "--padding", "valid", NULL};
    parse_or_fail(&o, 9, valid);
    assert_int_equal(app_setup_create(&s, &o, NULL, NULL, NULL, &err), LF_ERR_INPUT);
    assert_int_equal(app_exit_code(err.status), 3);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_dataset_options),
        cmocka_unit_test(test_setup_create),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
