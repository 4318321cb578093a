/*
 * fuzz_state.c: libFuzzer target for the training-state loader.
 *
 * Each input is tried twice: as it is, and with its header's checksum
 * recomputed, so mutations reach the field checks behind the checksum
 * instead of stopping at it. A refused input must leave one printable line
 * of reason and an empty state. An accepted one is restored into two
 * trainers on the target's own small dataset, one gray filter and a layer
 * (two filters, stride 2, ReLU, 2x2 pooling), each of which must either
 * refuse it with one printable line (other data, another layer) or take
 * it, save back exactly the same bytes, and train a few steps.
 *
 * The seeds in corpus/fuzz_state are states saved on that dataset (format
 * version 1 for one gray filter, 2 for the layer); built
 * with -DFUZZ_STATE_WRITE_SEEDS this file is instead a program that writes
 * them: cc -DFUZZ_STATE_WRITE_SEEDS -Iinclude tests/fuzz/fuzz_state.c
 * build/liblearnfilter_core.a $(pkg-config --libs fftw3f fftw3) -lgif -lm
 * -lpthread && ./a.out tests/fuzz/corpus/fuzz_state
 */
#include <stdlib.h>
#include <string.h>

#include "learnfilter/dataset.h"
#include "learnfilter/image.h"
#include "learnfilter/kernel.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

#ifndef FUZZ_STATE_WRITE_SEEDS
#include "fuzz_common.h"
#endif

enum { HEADER = 32 };

/* Five 8x8 patches of a fixed ramp with grain: four to train, one held out. */
static const lf_dataset *fuzz_dataset(void)
{
    static lf_dataset ds;
    static int made;
    if (!made) {
        lf_image img;
        if (lf_image_init(&img, 40, 8, NULL) != LF_OK)
            abort();
        for (int i = 0; i < 40 * 8; i++)
            img.pixels[i] = (float)((i * 37) % 101) / 100.0f;
        lf_dataset_options o = {.patch_size = 8, .seed = 1};
        if (lf_dataset_from_images(&ds, &img, 1, &o, NULL) != LF_OK)
            abort();
        lf_image_deinit(&img);
        made = 1;
    }
    return &ds;
}

/* A trainer on that dataset: direct engine without the FFT, so a state
 * with a large kernel costs little. */
static lf_trainer *fuzz_trainer(const char *kernel_name, lf_optimizer_kind kind)
{
    lf_kernel k;
    if (lf_kernel_from_name(&k, kernel_name, 0, NULL) != LF_OK)
        abort();
    lf_trainer_options o = {.target = k, .settings = lf_settings_for_optimizer(kind),
                            .seed = 2, .engine = LF_ENGINE_DIRECT, .fft = -1};
    o.settings.batch_size = 3;
    lf_trainer *t = lf_trainer_create(&o, fuzz_dataset(), NULL);
    if (!t)
        abort();
    return t;
}

/* A layer on that dataset: Sobel x and the Laplacian at stride 2, ReLU,
 * 2x2 pooling (8x8 patches become 4x4 maps, then 2x2). */
static lf_trainer *fuzz_layer_trainer(lf_optimizer_kind kind)
{
    lf_kernel bank, second;
    if (lf_kernel_from_name(&bank, "sobel-x", 0, NULL) != LF_OK ||
        lf_kernel_from_name(&second, "laplacian", 0, NULL) != LF_OK)
        abort();
    memcpy(bank.weights + 9, second.weights, sizeof(float) * 9);
    lf_trainer_options o = {.target = bank, .settings = lf_settings_for_optimizer(kind),
                            .layer = {.filters = 2, .stride = 2, .pool = 2,
                                      .activation = LF_ACTIVATION_RELU},
                            .seed = 2, .engine = LF_ENGINE_DIRECT, .fft = -1};
    o.settings.batch_size = 3;
    lf_trainer *t = lf_trainer_create(&o, fuzz_dataset(), NULL);
    if (!t)
        abort();
    return t;
}

#ifndef FUZZ_STATE_WRITE_SEEDS

/* The header's checksum: FNV-1a 64 of the body. */
static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Restores accepted bytes into t: refused with one line, or taken and
 * saved back to the same bytes. */
static void check_restore(lf_trainer *t, const lf_state *s, const uint8_t *data, size_t size)
{
    lf_state *again = lf_state_create();
    if (!again)
        abort();
    lf_error err = {0};
    if (lf_trainer_restore_state(t, s, &err) == LF_OK) {
        size_t n;
        if (lf_trainer_save_state(t, again, &err) != LF_OK)
            __builtin_trap();
        const void *bytes = lf_state_bytes(again, &n);
        if (n != size || memcmp(bytes, data, size) != 0)
            __builtin_trap();
        for (int i = 0; i < 3; i++)
            lf_trainer_step(t, NULL); /* may diverge; must not crash */
    } else if (!one_printable_line(err.message)) {
        __builtin_trap();
    }
    lf_state_destroy(again);
}

static void check(const uint8_t *data, size_t size)
{
    lf_state *s = lf_state_create();
    if (!s)
        abort();
    lf_error err = {0};
    if (lf_state_set_bytes(s, data, size, "fuzz.lfstate", &err) != LF_OK) {
        size_t held;
        lf_state_bytes(s, &held);
        if (!one_printable_line(err.message) || held != 0)
            __builtin_trap();
    } else {
        lf_trainer *t = fuzz_trainer("sobel-x", LF_OPTIMIZER_SGD);
        check_restore(t, s, data, size);
        lf_trainer_destroy(t);
        t = fuzz_layer_trainer(LF_OPTIMIZER_SGD);
        check_restore(t, s, data, size);
        lf_trainer_destroy(t);
    }
    lf_state_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    if (size >= HEADER) {
        uint8_t *copy = malloc(size);
        if (!copy)
            return 0;
        memcpy(copy, data, size);
        uint64_t h = fnv(copy + HEADER, size - HEADER);
        for (int i = 0; i < 8; i++)
            copy[24 + i] = (uint8_t)(h >> (8 * i));
        check(copy, size);
        free(copy);
    }
    return 0;
}

#else

#include <stdio.h>

static void write_seed(const char *dir, const char *name, lf_trainer *t, int steps)
{
    for (int i = 0; i < steps; i++)
        lf_trainer_step(t, NULL);
    lf_state *s = lf_state_create();
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    lf_error err;
    if (!s || lf_trainer_save_state(t, s, &err) != LF_OK || lf_state_write(s, path, &err) != LF_OK)
        abort();
    lf_state_destroy(s);
    lf_trainer_destroy(t);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    write_seed(argv[1], "sobel-x-sgd-5.lfstate", fuzz_trainer("sobel-x", LF_OPTIMIZER_SGD), 5);
    write_seed(argv[1], "laplacian-adam-0.lfstate", fuzz_trainer("laplacian", LF_OPTIMIZER_ADAM), 0);
    write_seed(argv[1], "line-adam-300.lfstate", fuzz_trainer("line", LF_OPTIMIZER_ADAM), 300);
    write_seed(argv[1], "layer-adam-7.lfstate", fuzz_layer_trainer(LF_OPTIMIZER_ADAM), 7);
    return 0;
}

#endif
