/*
 * test_cli.c: the command line: every documented option in both spellings,
 * the usage errors (each message must name the option at fault), and the
 * training settings a kernel gets with and without the user's overrides.
 */
#include "test_util.h"
#include "test_trainer_util.h"

#include "cli.h"
#include "layout.h"

#define MAX_ARGS 64

static char message[512];

/* Parses the NULL-terminated args after a program name. */
static bool parse(cli_options *o, const char *const *args)
{
    char *argv[MAX_ARGS];
    int argc = 0;
    argv[argc++] = (char *)"learnfilter";
    for (int i = 0; args[i]; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    lf_error err;
    bool ok = cli_parse(argc, argv, o, &err);
    snprintf(message, sizeof message, "%s", err.message);
    assert_int_equal(err.status, ok ? LF_OK : LF_ERR_ARGUMENT);
    return ok;
}

#define PARSE(o, ...) parse((o), (const char *const[]){__VA_ARGS__, NULL})

static void expect_usage_error(const char *const *args, const char *needle)
{
    cli_options o;
    if (parse(&o, args))
        fail_msg("'%s %s' was accepted", args[0], args[1] ? args[1] : "");
    if (!strstr(message, needle))
        fail_msg("message '%s' should mention '%s'", message, needle);
}

#define REJECT(needle, ...) expect_usage_error((const char *const[]){__VA_ARGS__, NULL}, needle)

static void test_defaults(void **state)
{
    (void)state;
    cli_options o;
    char *argv[1] = {(char *)"learnfilter"};
    assert_true(cli_parse(1, argv, &o, NULL));
    assert_false(o.headless);
    assert_null(o.kernel);
    assert_int_equal(o.image_count, 0);
    assert_int_equal(o.size, 0);
    assert_int_equal(o.optimizer, -1);
    assert_true(o.lr == 0.0f);
    assert_true(o.momentum < 0);
    assert_int_equal(o.nesterov, -1);
    assert_int_equal(o.batch, 0);
    assert_int_equal(o.padding, LF_PADDING_SAME);
    assert_true(o.seed == 1);
    assert_null(o.weights_out);
}

static void test_every_option(void **state)
{
    (void)state;
    cli_options o;
    bool ok = PARSE(&o, "--headless", "--kernel", "smiley", "--images", "a/", "--images", "b.png",
                    "--size", "64", "--optimizer", "adam", "--lr", "0.05", "--momentum", "0.5",
                    "--nesterov", "--batch", "8", "--epochs", "3", "--steps", "500", "--tol",
                    "0.02", "--max-seconds", "1.5", "--seed", "18446744073709551615", "--noise",
                    "0.1", "--padding", "valid", "--weights-out", "w.npy", "--downscale", "2",
                    "--validation", "0.25", "--threads", "2", "--patch-stride", "76",
                    "--variants", "8");
    if (!ok)
        fail_msg("%s", message);
    assert_true(o.headless);
    assert_string_equal(o.kernel, "smiley");
    assert_int_equal(o.image_count, 2);
    assert_string_equal(o.images[0], "a/");
    assert_string_equal(o.images[1], "b.png");
    assert_int_equal(o.size, 64);
    assert_int_equal(o.optimizer, LF_OPTIMIZER_ADAM);
    tu_assert_near(o.lr, 0.05, 1e-9);
    tu_assert_near(o.momentum, 0.5, 0);
    assert_int_equal(o.nesterov, 1);
    assert_int_equal(o.batch, 8);
    assert_int_equal(o.epochs, 3);
    assert_int_equal(o.steps, 500);
    tu_assert_near(o.tol, 0.02, 0);
    tu_assert_near(o.max_seconds, 1.5, 0);
    assert_true(o.seed == UINT64_MAX);
    tu_assert_near(o.noise, 0.1, 1e-8);
    assert_int_equal(o.padding, LF_PADDING_VALID);
    assert_string_equal(o.weights_out, "w.npy");
    assert_int_equal(o.downscale, 2);
    assert_int_equal(o.patch_stride, 76);
    assert_int_equal(o.variants, 8);
    tu_assert_near(o.validation, 0.25, 0);
    assert_int_equal(o.threads, 2);

    /* --name=value, and the last of repeated options wins. */
    ok = PARSE(&o, "--kernel=sobel-y", "--lr=1e-3", "--batch=2", "--padding=same",
               "--no-nesterov", "--size=32", "--size=48", "--optimizer=sgd", "--seed=0",
               "--validation=0", "--weights-out=h.csv", "--momentum=0", "--dump-patches=d.npy");
    if (!ok)
        fail_msg("%s", message);
    assert_string_equal(o.kernel, "sobel-y");
    tu_assert_near(o.lr, 1e-3, 1e-10);
    assert_int_equal(o.batch, 2);
    assert_int_equal(o.padding, LF_PADDING_SAME);
    assert_int_equal(o.nesterov, 0);
    assert_int_equal(o.size, 48);
    assert_int_equal(o.optimizer, LF_OPTIMIZER_SGD);
    assert_true(o.seed == 0);
    assert_true(o.validation < 0); /* 0 means none */
    assert_string_equal(o.weights_out, "h.csv");
    assert_true(o.momentum == 0.0f);
    assert_string_equal(o.dump_patches, "d.npy");

    assert_true(PARSE(&o, "--help"));
    assert_true(o.help);
    assert_true(PARSE(&o, "-h"));
    assert_true(o.help);
    assert_true(PARSE(&o, "--version"));
    assert_true(o.version);
    assert_true(PARSE(&o, "--list-kernels"));
    assert_true(o.list_kernels);
}

static void test_usage_errors(void **state)
{
    (void)state;
    REJECT("--bogus", "--bogus");
    REJECT("--bogus", "--bogus=3");
    REJECT("unexpected", "stray");
    REJECT("--lr: missing value", "--lr");
    REJECT("--kernel: missing value", "--headless", "--kernel");
    REJECT("--images: empty value", "--images=");
    REJECT("--lr", "--lr", "abc");
    REJECT("--lr", "--lr", "0.1x");
    REJECT("--lr", "--lr", "0");
    REJECT("--lr", "--lr", "-0.01");
    REJECT("--lr", "--lr", "nan");
    REJECT("--lr", "--lr", "inf");
    REJECT("--lr", "--lr=1e400");
    REJECT("--momentum", "--momentum", "1");
    REJECT("--momentum", "--momentum", "-0.5");
    REJECT("--size", "--size", "0");
    REJECT("--size", "--size", "-64");
    REJECT("--size", "--size", "4");
    REJECT("--size", "--size", "5000");
    REJECT("--size", "--size", "64px");
    REJECT("--batch", "--batch", "0");
    REJECT("--batch", "--batch", "-1");
    REJECT("--batch", "--batch", "2.5");
    REJECT("--epochs", "--epochs", "0");
    REJECT("--steps", "--steps", "-10");
    REJECT("--steps", "--steps", "99999999999999999999999");
    REJECT("--tol", "--tol", "0");
    REJECT("--tol", "--tol", "-1");
    REJECT("--max-seconds", "--max-seconds", "0");
    REJECT("--max-seconds", "--max-seconds", "soon");
    REJECT("--seed", "--seed", "-1");
    REJECT("--seed", "--seed", "x");
    REJECT("--noise", "--noise", "-0.1");
    REJECT("--noise", "--noise", "inf");
    REJECT("--validation", "--validation", "1");
    REJECT("--padding", "--padding", "full");
    REJECT("--optimizer", "--optimizer", "rmsprop");
    REJECT("--nesterov", "--nesterov=yes");
    REJECT("--headless", "--headless=1");
    REJECT("--downscale", "--downscale", "100");
    REJECT("--reel: 'r.png' does not end in .gif or .mp4", "--headless", "--reel", "r.png");
    REJECT("--reel: only with --headless", "--reel", "r.gif");
    REJECT("--present: only for the window", "--headless", "--present");
    REJECT("--present: takes no value", "--present=1");
}

static void test_present_and_reel(void **state)
{
    (void)state;
    cli_options o;
    lf_error err;
    char *window[] = {"learnfilter", "--present"};
    assert_true(cli_parse(2, window, &o, &err));
    assert_true(o.present);
    assert_null(o.reel);
    char *headless[] = {"learnfilter", "--headless", "--reel", "run.MP4"};
    assert_true(cli_parse(4, headless, &o, &err));
    assert_false(o.present);
    assert_string_equal(o.reel, "run.MP4");
}

static void test_training_settings(void **state)
{
    (void)state;
    cli_options o;
    char *argv[1] = {(char *)"learnfilter"};
    assert_true(cli_parse(1, argv, &o, NULL));
    lf_kernel sx = tt_kernel_named("sobel-x"), sy = tt_kernel_named("sobel-y"), smiley = tt_kernel_named("smiley");

    lf_train_settings s = cli_training_settings(&o, &sx);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    tu_assert_near(s.learning_rate, 1e-2, 1e-9);
    tu_assert_near(s.momentum, 0.9, 1e-7);
    assert_true(s.nesterov);
    assert_int_equal(s.batch_size, 4);
    s = cli_training_settings(&o, &sy);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    assert_true(s.nesterov);
    assert_int_equal(s.batch_size, 1);
    s = cli_training_settings(&o, &smiley);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_ADAM);
    tu_assert_near(s.learning_rate, 1e-3, 1e-10);
    assert_int_equal(s.batch_size, 1);

    /* The user's values win. */
    assert_true(PARSE(&o, "--lr", "0.003", "--momentum", "0.5", "--no-nesterov", "--batch", "16"));
    s = cli_training_settings(&o, &sx);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    tu_assert_near(s.learning_rate, 0.003, 1e-9);
    tu_assert_near(s.momentum, 0.5, 0);
    assert_false(s.nesterov);
    assert_int_equal(s.batch_size, 16);

    /* Another optimizer brings its own usual settings, keeping the kernel's batch. */
    assert_true(PARSE(&o, "--optimizer", "adam"));
    s = cli_training_settings(&o, &sx);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_ADAM);
    tu_assert_near(s.learning_rate, 1e-3, 1e-10);
    assert_int_equal(s.batch_size, 4);
    assert_true(PARSE(&o, "--optimizer", "sgd", "--lr", "0.02"));
    s = cli_training_settings(&o, &smiley);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_SGD);
    tu_assert_near(s.learning_rate, 0.02, 1e-9);
    tu_assert_near(s.momentum, 0.9, 1e-7);
    assert_true(s.nesterov);
    assert_int_equal(s.batch_size, 1);
    /* Naming the kernel's own optimizer changes nothing. */
    assert_true(PARSE(&o, "--optimizer", "adam"));
    s = cli_training_settings(&o, &smiley);
    assert_int_equal(s.optimizer, LF_OPTIMIZER_ADAM);
    tu_assert_near(s.learning_rate, 1e-3, 1e-10);
}

static void expect_message(const char *const *args, const char *expected)
{
    cli_options o;
    if (parse(&o, args))
        fail_msg("'%s %s' was accepted", args[0], args[1] ? args[1] : "");
    assert_string_equal(message, expected);
}

#define REJECT_EXACTLY(expected, ...)                                                          \
    expect_message((const char *const[]){__VA_ARGS__, NULL}, expected)

/* Every integer option: a value past a long says "too large" with the limit,
 * as a value just past the limit does; the limit itself is accepted. */
static void test_integer_limits(void **state)
{
    (void)state;
    static const struct { const char *name; const char *largest, *next; } limits[] = {
        {"--size", "4096", "4097"},
        {"--downscale", "64", "65"},
        {"--patch-stride", "4096", "4097"},
        {"--variants", "8", "9"},
        {"--batch", "100000", "100001"},
        {"--epochs", "1000000000000", "1000000000001"},
        {"--steps", "1000000000000000", "1000000000000001"},
        {"--frames", "1000000000", "1000000001"},
        {"--threads", "64", "65"},
        {"--width", "16384", "16385"},
        {"--height", "16384", "16385"},
        {"--gif-every", "1000000000000000", "1000000000000001"},
        {"--gif-fps", "50", "51"},
        {"--gif-loop", "65536", "65537"},
    };
    char want[256];
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        const char *name = limits[i].name;
        const char *huge[] = {"99999999999999999999", limits[i].next};
        for (int h = 0; h < 2; h++) {
            snprintf(want, sizeof want, "%s: '%s' is too large; the largest accepted is %s", name,
                     huge[h], limits[i].largest);
            REJECT_EXACTLY(want, name, huge[h]);
        }
        snprintf(want, sizeof want, "%s: '-99999999999999999999' is not a %s integer", name,
                 strcmp(name, "--gif-loop") ? "positive" : "non-negative");
        REJECT_EXACTLY(want, name, "-99999999999999999999");
        cli_options o;
        if (!PARSE(&o, name, limits[i].largest))
            fail_msg("%s %s: %s", name, limits[i].largest, message);
    }
    cli_options o;
    assert_true(PARSE(&o, "--frames", "1000000000", "--steps", "1000000000000000", "--threads",
                      "64", "--gif-loop", "65536"));
    assert_int_equal(o.frames, 1000000000);
    assert_true(o.steps == 1000000000000000L);
    assert_int_equal(o.threads, 64);
    assert_int_equal(o.gif_loop, 65535);
    REJECT_EXACTLY("--seed: '18446744073709551616' is too large; the largest accepted is "
                   "18446744073709551615",
                   "--seed", "18446744073709551616");
    REJECT_EXACTLY("--size: '4' is outside 8..4096", "--size", "4");
    REJECT_EXACTLY("--frames: '0' is not a positive integer", "--frames", "0");
}

/* The window's smallest size is the layout's, named in the message. */
static void test_window_size_minimum(void **state)
{
    (void)state;
    REJECT_EXACTLY("--width: '320' is below the smallest window, 640x360", "--width", "320");
    REJECT_EXACTLY("--width: '639' is below the smallest window, 640x360", "--width", "639");
    REJECT_EXACTLY("--height: '359' is below the smallest window, 640x360", "--height", "359");
    cli_options o;
    assert_true(PARSE(&o, "--width", "640", "--height", "360"));
    assert_int_equal(o.width, LAYOUT_MIN_WIDTH);
    assert_int_equal(o.height, LAYOUT_MIN_HEIGHT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_present_and_reel),
        cmocka_unit_test(test_integer_limits),
        cmocka_unit_test(test_window_size_minimum),
        cmocka_unit_test(test_training_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
