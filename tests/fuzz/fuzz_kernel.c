/*
 * fuzz_kernel.c: libFuzzer target for the kernel file parsers.
 *
 * Every input goes through all three (text, .npy, PNG): each refuses what
 * is not its format in a few bytes, so one target covers them all and a
 * seed of one kind can mutate into another. A kernel that is accepted
 * must be 1..LF_KERNEL_MAX_SIDE a side with finite weights, and a PNG
 * kernel must have unit L2 norm.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "learnfilter/kernel.h"
#include "fuzz_common.h"

static void check(lf_status st, const lf_kernel *k, const lf_error *err)
{
    if (st != LF_OK) {
        if (!one_printable_line(err->message))
            __builtin_trap();
        return;
    }
    if (k->height < 1 || k->width < 1 || k->height > LF_KERNEL_MAX_SIDE ||
        k->width > LF_KERNEL_MAX_SIDE)
        __builtin_trap();
    for (int i = 0; i < k->height * k->width; i++)
        if (!isfinite(k->weights[i]))
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lf_kernel k;
    lf_error err = {0};
    check(lf_kernel_parse_text(&k, (const char *)data, size, "fuzz.txt", &err), &k, &err);
    check(lf_kernel_parse_npy(&k, data, size, "fuzz.npy", &err), &k, &err);
    lf_status st = lf_kernel_parse_png(&k, data, size, "fuzz.png", &err);
    check(st, &k, &err);
    if (st == LF_OK && fabs(lf_kernel_norm(&k) - 1.0) > 1e-3)
        __builtin_trap();
    return 0;
}
