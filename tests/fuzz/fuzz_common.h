/*
 * fuzz_common.h: what every fuzz target checks besides "no crash".
 */
#ifndef LEARNFILTER_FUZZ_COMMON_H
#define LEARNFILTER_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure's message must be one printable line: not empty, no control
 * characters, so it shows as it is on stderr and on screen. */
static inline int one_printable_line(const char *message)
{
    if (!message[0])
        return 0;
    for (const char *p = message; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

#endif
