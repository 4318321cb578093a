/*
 * test_state_layer.c: saving and restoring the training state of a layer
 * (several filters, channels, a stride, pooling, an activation).
 *
 * - A run of 2N steps and a run of N steps written to a file, read back
 *   into a fresh trainer of the same layer (other seed, bank, settings and
 *   thread count) and trained N more end in byte-identical states, on the
 *   layer's direct engine and on the statistics (Gram) engine of a layer,
 *   for SGD, Nesterov momentum and Adam, with N ending mid-epoch.
 * - Back to a saved moment in memory, twice: each replay ends where the
 *   first pass did (what the window's rewind ring does).
 * - A layer's state is version 2; one gray filter's stays version 1, and
 *   a version 1 file written before version 2 existed (the fuzz corpus's
 *   seeds) is read, restored and saved back to the same bytes.
 * - A state of another layer is refused with a sentence that names what
 *   differs, and only that, and the trainer is left as it was; a corrupt
 *   layer section under a correct checksum is refused as corrupt.
 */
#include "test_data_util.h"
#include "test_state_util.h"

#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

#define SIDE 16
#define PATCHES 12
#define TRAIN 10

/* PATCHES patches of `channels` planes, TRAIN of them for training; the
 * caller frees inputs. */
static void make_layer_data(lf_dataset *ds, int channels, uint64_t seed)
{
    tt_layer_dataset(ds, SIDE, PATCHES, TRAIN, channels, seed);
}

typedef struct layer_case {
    const char *what;
    lf_layer_options layer;
    lf_engine engine;        /* the engine the trainer must be on */
    lf_optimizer_kind optimizer;
    float momentum;
    bool nesterov;
} layer_case;

/* Colour, 2 filters, ReLU and 2x2 pooling: only the layer's direct engine
 * serves it. Colour, 2 filters at stride 2, linear: the statistics from
 * the layer's windows. Gray, 3 filters, linear: the statistics of one
 * channel at stride 1, shared by the filters. */
#define DIRECT_LAYER {.channels = 3, .filters = 2, .pool = 2, .activation = LF_ACTIVATION_RELU}
#define GRAM_COLOUR {.channels = 3, .filters = 2, .stride = 2}
#define GRAM_GRAY {.channels = 1, .filters = 3}

static const layer_case layer_cases[] = {
    {"sgd direct", DIRECT_LAYER, LF_ENGINE_DIRECT, LF_OPTIMIZER_SGD, 0.0f, false},
    {"momentum direct", DIRECT_LAYER, LF_ENGINE_DIRECT, LF_OPTIMIZER_SGD, 0.9f, true},
    {"adam direct", DIRECT_LAYER, LF_ENGINE_DIRECT, LF_OPTIMIZER_ADAM, 0.0f, false},
    {"sgd gram colour", GRAM_COLOUR, LF_ENGINE_GRAM, LF_OPTIMIZER_SGD, 0.0f, false},
    {"momentum gram colour", GRAM_COLOUR, LF_ENGINE_GRAM, LF_OPTIMIZER_SGD, 0.9f, true},
    {"adam gram colour", GRAM_COLOUR, LF_ENGINE_GRAM, LF_OPTIMIZER_ADAM, 0.0f, false},
    {"sgd gram gray bank", GRAM_GRAY, LF_ENGINE_GRAM, LF_OPTIMIZER_SGD, 0.0f, false},
    {"adam gram gray bank", GRAM_GRAY, LF_ENGINE_GRAM, LF_OPTIMIZER_ADAM, 0.0f, false},
};

/* Batch 3 of 10 training patches: 4 steps an epoch (the last of one
 * patch), so N = 11 stops mid-epoch and 2N crosses several epoch ends
 * (validation losses, shuffles). */
enum { N = 11 };

static lf_trainer_options case_options(const layer_case *lc, const lf_kernel *bank)
{
    lf_train_settings s = lf_settings_for_optimizer(lc->optimizer);
    s.learning_rate = lc->optimizer == LF_OPTIMIZER_ADAM ? 1e-2f : 5e-3f;
    s.momentum = lc->momentum;
    s.nesterov = lc->nesterov;
    s.batch_size = 3;
    return (lf_trainer_options){.target = *bank, .layer = lc->layer, .settings = s, .seed = 5,
                                .engine = lc->engine, .fft = -1, .threads = 1};
}

static void test_layer_resume_is_bit_identical(void **state)
{
    (void)state;
    lf_dataset colour, gray;
    make_layer_data(&colour, 3, 31);
    make_layer_data(&gray, 1, 32);
    char dir[256], path[512];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layer.lfstate", dir);
    for (size_t c = 0; c < sizeof layer_cases / sizeof layer_cases[0]; c++) {
        const layer_case *lc = &layer_cases[c];
        const lf_dataset *ds = lc->layer.channels == 3 ? &colour : &gray;
        lf_kernel bank = tt_layer_bank(lc->layer.filters, lc->layer.channels, 3, 7);
        lf_trainer_options o = case_options(lc, &bank);

        lf_trainer *whole = tt_trainer_create(&o, ds);
        assert_int_equal(lf_trainer_engine(whole), lc->engine);
        tt_trainer_steps(whole, 2 * N);
        lf_state *expected = ts_save(whole);
        assert_int_equal(ts_version(expected), 2);

        lf_trainer *first = tt_trainer_create(&o, ds);
        tt_trainer_steps(first, N);
        lf_state *half = ts_save(first);
        lf_error err;
        assert_int_equal(lf_state_write(half, path, &err), LF_OK);
        float halfway[64 * 27 + 64]; /* the largest bank of the cases, and biases */
        assert_true(lf_trainer_weight_count(first) + lf_trainer_filters(first) <= 64 * 27 + 64);
        memcpy(halfway, lf_trainer_weights(first),
               sizeof(float) * (size_t)(lf_trainer_weight_count(first) + lf_trainer_filters(first)));
        lf_trainer_destroy(first);

        /* The same layer with another bank, seed, optimizer and thread
         * count: the state brings its own. */
        lf_kernel other = tt_layer_bank(lc->layer.filters, lc->layer.channels, 3, 8);
        lf_trainer_options fresh = {.target = other, .layer = lc->layer, .seed = 99,
                                    .settings = lf_settings_for_optimizer(
                                        lc->optimizer == LF_OPTIMIZER_ADAM ? LF_OPTIMIZER_SGD
                                                                           : LF_OPTIMIZER_ADAM),
                                    .engine = lc->engine, .fft = -1, .threads = 2};
        lf_trainer *second = tt_trainer_create(&fresh, ds);
        lf_state *read = ts_read_restore(second, path, N, N / 4, lc->what);
        assert_string_equal(lf_trainer_get_options(second)->target.name, bank.name);
        assert_memory_equal(lf_trainer_get_options(second)->target.weights, bank.weights,
                            sizeof(float) * (size_t)lf_trainer_weight_count(second));
        assert_int_equal(lf_trainer_get_options(second)->settings.optimizer, lc->optimizer);
        assert_int_equal(lf_trainer_engine(second), lc->engine);
        tt_trainer_steps(second, N);
        lf_state *resumed = ts_save(second);
        ts_assert_same(resumed, expected);
        assert_int_equal(lf_trainer_figures(second)->step, 2 * N);
        /* Weights and biases, read through the trainer rather than the bytes. */
        int params = lf_trainer_weight_count(whole) + lf_trainer_filters(whole);
        assert_int_equal(params, lf_trainer_weight_count(second) + lf_trainer_filters(second));
        assert_memory_equal(lf_trainer_weights(second), lf_trainer_weights(whole),
                            sizeof(float) * (size_t)params);
        /* And the run moved between N and 2N: equal states of a run that
         * did not train would prove nothing. */
        assert_memory_not_equal(halfway, lf_trainer_weights(whole), sizeof(float) * (size_t)params);

        lf_state_destroy(expected);
        lf_state_destroy(half);
        lf_state_destroy(read);
        lf_state_destroy(resumed);
        lf_trainer_destroy(whole);
        lf_trainer_destroy(second);
    }
    tu_remove_tree(dir);
    free(colour.inputs);
    free(gray.inputs);
}

/* The rewind ring's use: back to a moment of the same trainer, twice. */
static void test_layer_rewind_in_memory(void **state)
{
    (void)state;
    lf_dataset ds;
    make_layer_data(&ds, 3, 33);
    const layer_case *cases[] = {&layer_cases[2], &layer_cases[5]}; /* direct, gram; Adam */
    for (int c = 0; c < 2; c++) {
        lf_kernel bank = tt_layer_bank(cases[c]->layer.filters, 3, 3, 9);
        lf_trainer_options o = case_options(cases[c], &bank);
        lf_trainer *t = tt_trainer_create(&o, &ds);
        ts_assert_replays(t, 6, 13);
        lf_trainer_destroy(t);
    }
    free(ds.inputs);
}

/* A restore refused with a message holding every word of want and none of
 * unwanted; the trainer is left as it was. */
static void expect_mismatch(lf_trainer *t, const lf_state *s, const char *const *want,
                            const char *const *unwanted)
{
    lf_state *before = ts_save(t);
    lf_error err = {0};
    assert_int_equal(lf_trainer_restore_state(t, s, &err), LF_ERR_INPUT);
    assert_null(strchr(err.message, '\n'));
    for (; *want; want++)
        if (!strstr(err.message, *want))
            fail_msg("message '%s' lacks '%s'", err.message, *want);
    /* The differences follow "this run's has"; the state's own layer is
     * described before it. */
    const char *differs = strstr(err.message, "this run's has");
    assert_non_null(differs);
    for (; *unwanted; unwanted++)
        if (strstr(differs, *unwanted) && strstr(differs, *unwanted) < strstr(differs, ":"))
            fail_msg("message '%s' names '%s' as a difference", err.message, *unwanted);
    lf_state *after = ts_save(t);
    ts_assert_same(after, before);
    lf_state_destroy(before);
    lf_state_destroy(after);
}

static void test_other_layer_refused(void **state)
{
    (void)state;
    lf_dataset colour, gray;
    make_layer_data(&colour, 3, 34);
    make_layer_data(&gray, 1, 34);
    lf_kernel bank = tt_layer_bank(2, 3, 3, 10);
    lf_trainer_options o = case_options(&layer_cases[0], &bank);
    lf_trainer *t = tt_trainer_create(&o, &colour);
    tt_trainer_steps(t, 3);
    lf_state *layer_state = ts_save(t);

    /* 3 filters and no pooling, same channels, kernel size and activation. */
    lf_kernel bank3 = tt_layer_bank(3, 3, 3, 11);
    lf_trainer_options o3 = o;
    o3.target = bank3;
    o3.layer = (lf_layer_options){.channels = 3, .filters = 3, .activation = LF_ACTIVATION_RELU};
    lf_trainer *t3 = tt_trainer_create(&o3, &colour);
    tt_trainer_steps(t3, 2);
    expect_mismatch(t3, layer_state,
                    (const char *const[]){"2 filters x 3 channels of 3x3", "pool 2",
                                          "activation relu", "3 filters", "no pooling",
                                          "--pool", "--kernel", NULL},
                    (const char *const[]){"channel", "activation", "stride", "padding",
                                          "kernels", NULL});

    /* Another kernel size and padding, and the state of one gray filter
     * into a layer. */
    lf_kernel bank5 = tt_layer_bank(2, 3, 5, 12);
    lf_trainer_options o5 = o;
    o5.target = bank5;
    o5.padding = LF_PADDING_VALID;
    lf_trainer *t5 = tt_trainer_create(&o5, &colour);
    expect_mismatch(t5, layer_state,
                    (const char *const[]){"kernels of 5x5", "padding valid", NULL},
                    (const char *const[]){"filter", "channel", "pool", "activation", NULL});

    lf_trainer_options plain = {.target = tt_kernel_named("sobel-x"), .seed = 3};
    lf_trainer *tp = tt_trainer_create(&plain, &gray);
    tt_trainer_steps(tp, 2);
    lf_state *plain_state = ts_save(tp);
    assert_int_equal(ts_version(plain_state), 1);
    lf_kernel gray_bank = tt_layer_bank(2, 1, 3, 13);
    lf_trainer_options og = {.target = gray_bank, .layer = {.channels = 1, .filters = 2},
                             .seed = 3};
    lf_trainer *tg = tt_trainer_create(&og, &gray);
    expect_mismatch(tg, plain_state,
                    (const char *const[]){"a layer of 1 filter x 1 channel of 3x3",
                                          "this run's has 2 filters", NULL},
                    (const char *const[]){"channel", "kernels", NULL});
    /* And a layer's state into one gray filter. */
    lf_state *gray_layer_state = ts_save(tg);
    expect_mismatch(tp, gray_layer_state,
                    (const char *const[]){"a layer of 2 filters x 1 channel",
                                          "this run's has 1 filter", NULL},
                    (const char *const[]){"channel", "kernels", NULL});

    lf_state_destroy(layer_state);
    lf_state_destroy(plain_state);
    lf_state_destroy(gray_layer_state);
    lf_trainer_destroy(t);
    lf_trainer_destroy(t3);
    lf_trainer_destroy(t5);
    lf_trainer_destroy(tp);
    lf_trainer_destroy(tg);
    free(colour.inputs);
    free(gray.inputs);
}

static void put_u32_at(unsigned char *b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[at + i] = (unsigned char)(v >> (8 * i));
}

static void expect_corrupt(const unsigned char *bytes, size_t size, const char *words)
{
    lf_state *s = lf_state_create();
    lf_error err = {0};
    td_check_error(lf_state_set_bytes(s, bytes, size, "x.lfstate", &err), LF_ERR_INPUT, &err,
                   "x.lfstate: corrupt training state", words);
    lf_state_destroy(s);
}

static void test_corrupt_layer_section_refused(void **state)
{
    (void)state;
    lf_dataset ds;
    make_layer_data(&ds, 3, 35);
    lf_kernel bank = tt_layer_bank(2, 3, 3, 14);
    lf_trainer_options o = case_options(&layer_cases[0], &bank);
    lf_trainer *t = tt_trainer_create(&o, &ds);
    tt_trainer_steps(t, 2);
    lf_state *good = ts_save(t);
    size_t size;
    const unsigned char *orig = lf_state_bytes(good, &size);
    unsigned char *b = malloc(size);
    assert_non_null(b);
    /* The layer section follows the data (24 bytes) and the kernel size
     * (8): channels, filters, stride, pool, activation. */
    const size_t layer = 32 + 24 + 8;
    memcpy(b, orig, size);
    ts_reseal(b, size);
    lf_state *ok = lf_state_create();
    lf_error err;
    assert_int_equal(lf_state_set_bytes(ok, b, size, "x", &err), LF_OK);
    ts_assert_same(ok, good);
    lf_state_destroy(ok);
    const struct {
        size_t field;
        uint32_t value;
        const char *words;
    } edits[] = {
        {0, 0, "(layer)"},   /* no channels */
        {4, 65, "(layer)"},  /* filters above the limit */
        {8, 9, "(layer)"},   /* stride above the limit */
        {12, 0, "(layer)"},  /* pool 0 */
        {16, 4, "(layer)"},  /* no such activation */
        /* pooling wider than the 16x16 convolution's output */
        {12, 8, NULL},
    };
    for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
        memcpy(b, orig, size);
        put_u32_at(b, layer + edits[e].field, edits[e].value);
        ts_reseal(b, size);
        if (edits[e].words) {
            expect_corrupt(b, size, edits[e].words);
        } else {
            /* Pool 8 on 16x16 patches fits (2x2 out); a stride of 8 with it
             * does not (the 2x2 convolution output holds no 8x8 window). */
            put_u32_at(b, layer + 8, 8);
            ts_reseal(b, size);
            expect_corrupt(b, size, "does not fit its patches");
        }
    }
    /* A layer section that says one gray filter: that state is version 1,
     * and one state has one encoding. */
    memcpy(b, orig, size);
    for (size_t field = 0; field < 16; field += 4)
        put_u32_at(b, layer + field, 1);
    put_u32_at(b, layer + 16, 0);
    ts_reseal(b, size);
    expect_corrupt(b, size, "(layer)");
    /* 64 filters x 16 channels of 3x3 is more weights than a bank holds
     * (the state is then also too short, but the layer is refused first). */
    memcpy(b, orig, size);
    put_u32_at(b, layer, 16);
    put_u32_at(b, layer + 4, 64);
    ts_reseal(b, size);
    expect_corrupt(b, size, "weights");
    free(b);
    lf_state_destroy(good);
    lf_trainer_destroy(t);
    free(ds.inputs);
}

/* The fuzz corpus's seeds were written, as version 1, before version 2
 * existed, on the fuzz target's own dataset (five 8x8 patches of a ramp):
 * each is read, restored, and saved back to the same bytes. */
static void test_version_1_files_still_load(void **state)
{
    (void)state;
    lf_image img;
    assert_int_equal(lf_image_init(&img, 40, 8, NULL), LF_OK);
    for (int i = 0; i < 40 * 8; i++)
        img.pixels[i] = (float)((i * 37) % 101) / 100.0f;
    lf_dataset ds;
    td_dataset(&ds, &img, 1, &(lf_dataset_options){.patch_size = 8, .seed = 1});
    const char *seeds[] = {"sobel-x-sgd-5", "laplacian-adam-0", "line-adam-300"};
    const long steps[] = {5, 0, 300};
    for (int i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/../fuzz/corpus/fuzz_state/%s.lfstate", LF_TEST_DATA_DIR,
                 seeds[i]);
        lf_state *s = lf_state_create();
        lf_error err;
        if (lf_state_read(s, path, &err) != LF_OK)
            fail_msg("%s", err.message);
        assert_int_equal(ts_version(s), 1);
        assert_int_equal(lf_state_step(s), steps[i]);
        lf_trainer_options o = {.target = tt_kernel_named("sobel-x"), .seed = 2,
                                .engine = LF_ENGINE_DIRECT, .fft = -1};
        lf_trainer *t = tt_trainer_create(&o, &ds);
        if (lf_trainer_restore_state(t, s, &err) != LF_OK)
            fail_msg("%s: %s", seeds[i], err.message);
        lf_state *again = ts_save(t);
        ts_assert_same(again, s);
        tt_trainer_steps(t, 2);
        assert_int_equal(lf_trainer_figures(t)->step, steps[i] + 2);
        lf_state_destroy(again);
        lf_state_destroy(s);
        lf_trainer_destroy(t);
    }
    lf_dataset_deinit(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_resume_is_bit_identical),
        cmocka_unit_test(test_layer_rewind_in_memory),
        cmocka_unit_test(test_other_layer_refused),
        cmocka_unit_test(test_corrupt_layer_section_refused),
        cmocka_unit_test(test_version_1_files_still_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
