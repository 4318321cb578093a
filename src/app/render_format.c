/*
 * render_format.c: numbers as the window prints them: cell values, tick
 * labels, and the status line's plain figures (a class reads "0.0182"
 * at a glance where "1.82e-02" needs decoding).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render_internal.h"

/* Replaces a leading '-' by the typographic minus sign. */
void render_typographic_minus(char *out, int size)
{
    if (out[0] != '-' || (int)strlen(out) + 3 >= size)
        return;
    memmove(out + 3, out + 1, strlen(out));
    out[0] = (char)0xE2;
    out[1] = (char)0x88;
    out[2] = (char)0x92;
}

void render_format_value(char *out, int size, double v, double limit)
{
    if (!isfinite(v)) {
        snprintf(out, (size_t)size, "%s", isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
        return;
    }
    limit = fabs(limit);
    if (limit > 0 && (limit >= 1e5 || limit < 1e-4)) {
        snprintf(out, (size_t)size, "%.2e", v);
    } else {
        /* Three significant digits of the range, at least two decimals. */
        int decimals = limit > 0 ? 2 - (int)floor(log10(limit)) : 2;
        decimals = decimals < 2 ? 2 : decimals > 6 ? 6 : decimals;
        if (fabs(v) < 0.5 * pow(10.0, -decimals))
            v = 0; /* no "-0.00" */
        snprintf(out, (size_t)size, "%.*f", decimals, v);
    }
    render_typographic_minus(out, size);
}

/* A tick label: as many decimals as the spacing needs, no more. */
void render_format_tick(char *out, int size, double v, double spacing)
{
    if (spacing >= 1e3 && spacing < 1e12) {
        /* Long runs count epochs in the hundred thousands: "200k" reads at
         * a glance where "2.0e+05" does not, and fits under its tick. */
        double a = fabs(v);
        if (a < spacing * 1e-6)
            snprintf(out, (size_t)size, "0");
        else if (a >= 1e9)
            snprintf(out, (size_t)size, "%.3gG", v / 1e9);
        else if (a >= 1e6)
            snprintf(out, (size_t)size, "%.3gM", v / 1e6);
        else
            snprintf(out, (size_t)size, "%.3gk", v / 1e3);
    } else if (spacing >= 1e12 || (spacing > 0 && spacing < 1e-4)) {
        snprintf(out, (size_t)size, "%.1e", v);
    } else {
        int d = 0;
        while (d < 6) {
            double scaled_spacing = spacing * pow(10.0, d);
            if (fabs(scaled_spacing - round(scaled_spacing)) < 1e-6 * scaled_spacing)
                break;
            d++;
        }
        snprintf(out, (size_t)size, "%.*f", d, fabs(v) < spacing * 1e-6 ? 0.0 : v);
    }
    render_typographic_minus(out, size);
}

void render_format_plain(char *out, int size, double v)
{
    if (!isfinite(v)) {
        snprintf(out, (size_t)size, "\xe2\x80\x94"); /* em dash: not known yet */
        return;
    }
    double a = fabs(v);
    if (a == 0) {
        snprintf(out, (size_t)size, "0");
    } else if (a < 1e-4 || a >= 1e6) {
        /* "3.2e−6": a real minus in the exponent too. */
        char mantissa[32];
        int e = (int)floor(log10(a));
        double m = v / pow(10.0, e);
        if (fabs(m) >= 9.95) {
            m /= 10;
            e++;
        }
        snprintf(mantissa, sizeof mantissa, "%.1f", m);
        render_typographic_minus(mantissa, sizeof mantissa);
        snprintf(out, (size_t)size, "%se%s%d", mantissa, e < 0 ? "\xe2\x88\x92" : "", abs(e));
        return;
    } else {
        /* Three significant digits, without trailing zeros after them. */
        int decimals = 2 - (int)floor(log10(a));
        decimals = decimals < 0 ? 0 : decimals;
        snprintf(out, (size_t)size, "%.*f", decimals, v);
        if (decimals > 0) {
            char *end = out + strlen(out) - 1;
            while (*end == '0')
                *end-- = 0;
            if (*end == '.')
                *end = 0;
        }
    }
    render_typographic_minus(out, size);
}
