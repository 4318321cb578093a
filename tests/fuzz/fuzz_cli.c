/*
 * fuzz_cli.c: libFuzzer target for cli_parse.
 *
 * The input is split into arguments at every NUL or newline, after a
 * program name, so the fuzzer writes command lines such as
 * "--lr\n1e-3\n--size=64". A refusal must come with a one-line message;
 * an accepted line must give training settings the trainer would accept
 * from a front end that checks nothing more.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "learnfilter/kernel.h"
#include "fuzz_common.h"

#define FUZZ_MAX_ARGS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char *argv[FUZZ_MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = (char *)"learnfilter";
    char *start = text;
    for (size_t i = 0; i <= size && argc < FUZZ_MAX_ARGS; i++)
        if (text[i] == '\n' || text[i] == '\0' || i == size) {
            text[i] = 0;
            argv[argc++] = start;
            start = text + i + 1;
        }
    argv[argc] = NULL;

    cli_options o;
    lf_error err;
    if (!cli_parse(argc, argv, &o, &err)) {
        if (!one_printable_line(err.message))
            __builtin_trap();
    } else {
        lf_kernel k;
        lf_kernel_from_name(&k, "sobel-x", 0, NULL);
        lf_train_settings s = cli_training_settings(&o, &k);
        if (!(s.learning_rate > 0) || !isfinite(s.learning_rate) || s.batch_size < 1 ||
            !(s.momentum >= 0 && s.momentum < 1))
            __builtin_trap();
        if (o.image_count < 0 || o.image_count > CLI_MAX_IMAGE_PATHS)
            __builtin_trap();
    }
    free(text);
    return 0;
}
