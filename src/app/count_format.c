/*
 * count_format.c: thousands separators for the counts the window prints
 * (see count_format.h).
 */
#include "count_format.h"

#include <stdio.h>
#include <string.h>

void count_format(char *out, size_t size, long long n)
{
    if (size == 0)
        return;
    char digits[32];
    /* The magnitude as unsigned, so the most negative value prints too. */
    unsigned long long magnitude = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
    snprintf(digits, sizeof digits, "%llu", magnitude);
    size_t len = strlen(digits), at = 0;
    if (n < 0 && at + 1 < size)
        out[at++] = '-';
    for (size_t i = 0; i < len && at + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            if (at + 2 >= size)
                break;
            out[at++] = ',';
        }
        out[at++] = digits[i];
    }
    out[at] = 0;
}
