/*
 * colormap.c: the diverging and gray maps and the nice-scale helpers.
 * See include/learnfilter/colormap.h.
 *
 * The diverging map is a piecewise-linear ramp through five stops of our
 * own choosing. Its two halves have the same lightness at the same |t|, so
 * neither sign looks stronger than the other, and the ends are dark enough
 * to read white text on them.
 */
#include "learnfilter/colormap.h"

#include <math.h>

/* ============================================================ colours */

typedef struct stop {
    float t;
    float r, g, b;
} stop;

static const stop diverging_stops[] = {
    {-1.0f, 40, 60, 150},   /* deep blue */
    {-0.5f, 105, 150, 215}, /* light blue */
    {0.0f, 248, 248, 248},  /* white: zero */
    {0.5f, 225, 130, 100},  /* light red */
    {1.0f, 150, 30, 45},    /* deep red */
};

static uint8_t to_byte(float v)
{
    v = v < 0 ? 0 : v > 255 ? 255 : v;
    return (uint8_t)(v + 0.5f);
}

lf_rgb lf_colormap_nan(void) { return (lf_rgb){60, 200, 60}; }

lf_rgb lf_colormap_diverging(float t)
{
    if (isnan(t))
        return lf_colormap_nan();
    if (t < -1)
        t = -1;
    if (t > 1)
        t = 1;
    const int n = (int)(sizeof diverging_stops / sizeof diverging_stops[0]);
    int i = 0;
    while (i < n - 2 && t > diverging_stops[i + 1].t)
        i++;
    const stop *a = &diverging_stops[i], *b = &diverging_stops[i + 1];
    float f = (t - a->t) / (b->t - a->t);
    return (lf_rgb){to_byte(a->r + f * (b->r - a->r)), to_byte(a->g + f * (b->g - a->g)),
                    to_byte(a->b + f * (b->b - a->b))};
}

lf_rgb lf_colormap_gray(float t)
{
    if (isnan(t))
        return lf_colormap_nan();
    uint8_t v = to_byte(t * 255.0f);
    return (lf_rgb){v, v, v};
}

/* ============================================================= scales */

double lf_scale_nice_limit(double x)
{
    if (!(x > 0) || !isfinite(x))
        return 1.0;
    double decade = pow(10.0, floor(log10(x)));
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++) {
        double v = steps[i] * decade;
        /* A relative slack keeps 2.0000001 (rounding) from jumping to 2.5. */
        if (v >= x * (1 - 1e-6))
            return v;
    }
    return 10 * decade;
}

int lf_scale_ticks(double lo, double hi, int max_ticks, double *ticks, int capacity)
{
    /* The caller's wish never outgrows the caller's array. */
    if (max_ticks > capacity)
        max_ticks = capacity;
    if (!ticks || max_ticks < 1 || !isfinite(lo) || !isfinite(hi))
        return 0;
    if (hi < lo) {
        double s = lo;
        lo = hi;
        hi = s;
    }
    if (hi == lo) {
        ticks[0] = lo;
        return 1;
    }
    if (max_ticks < 2) {
        ticks[0] = (lo <= 0 && hi >= 0) ? 0 : lo;
        return 1;
    }
    /* The smallest nice spacing that needs no more than max_ticks ticks. */
    double spacing = lf_scale_nice_limit((hi - lo) / (max_ticks - 1));
    for (;;) {
        double first = ceil(lo / spacing - 1e-9) * spacing;
        int count = (int)floor((hi - first) / spacing + 1e-9) + 1;
        if (count <= max_ticks) {
            for (int i = 0; i < count; i++) {
                double v = first + i * spacing;
                ticks[i] = fabs(v) < spacing * 1e-9 ? 0.0 : v; /* no -0 */
            }
            return count;
        }
        spacing = lf_scale_nice_limit(spacing * 1.01);
    }
}
