/*
 * fuzz_image.c: libFuzzer target for lf_image_decode.
 *
 * Any bytes must give either an image on [0, 1] within the size limits, or
 * a failure with a one-line message and nothing to free. Sanitizers catch
 * the rest (out-of-bounds reads, leaks, overflow).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "learnfilter/image.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lf_image img;
    lf_error err = {0};
    lf_status st = lf_image_decode(&img, data, size, "fuzz.png", &err);
    if (st != LF_OK) {
        if (img.pixels || !one_printable_line(err.message))
            __builtin_trap();
        return 0;
    }
    if (img.width < 1 || img.height < 1 || img.width > LF_IMAGE_MAX_SIDE ||
        img.height > LF_IMAGE_MAX_SIDE || (long)img.width * img.height > LF_IMAGE_MAX_PIXELS)
        __builtin_trap();
    for (long i = 0; i < (long)img.width * img.height; i++)
        if (!(img.pixels[i] >= 0.0f && img.pixels[i] <= 1.0f))
            __builtin_trap();
    lf_image_deinit(&img);
    return 0;
}
