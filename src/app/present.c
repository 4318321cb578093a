/*
 * present.c: the presentation layout's words. See present.h.
 */
#include "present.h"

#include <math.h>
#include <stdio.h>

#include "render_internal.h"

void present_fixed(char *out, int size, double v, int decimals)
{
    if (!isfinite(v)) {
        snprintf(out, (size_t)size, "\xe2\x80\x94");
        return;
    }
    if (fabs(v) < 0.5 * pow(10.0, -decimals))
        v = 0; /* no "-0.00" */
    snprintf(out, (size_t)size, "%.*f", decimals, v);
    render_typographic_minus(out, size);
}

int present_rate_decimals(double rate)
{
    if (!(rate > 0) || !isfinite(rate))
        return 2;
    int d = 1 - (int)floor(log10(rate));
    return d < 2 ? 2 : d > 12 ? 12 : d;
}

void present_caption(char *out, int size, long step, double rel_err)
{
    char count[32], err[48];
    count_format(count, sizeof count, step);
    present_fixed(err, sizeof err, 100.0 * rel_err, PRESENT_ERROR_DECIMALS);
    snprintf(out, (size_t)size, "Step %s \xc2\xb7 error %s%s", count, err,
             isfinite(rel_err) ? "%" : "");
}
