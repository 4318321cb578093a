/*
 * bowl.c: the exact loss over a grid of two parameters, its bottom and
 * contour levels. See include/learnfilter/bowl.h.
 */
#include "learnfilter/bowl.h"

#include <math.h>

double lf_bowl_quadratic(const double *a, int p, const double *d)
{
    double sum = 0;
    for (int r = 0; r < p; r++) {
        double row = 0;
        for (int c = 0; c < p; c++)
            row += a[(size_t)r * p + c] * d[c];
        sum += d[r] * row;
    }
    return sum;
}

/* The options with zeros replaced by the defaults listed in bowl.h. */
static lf_bowl_options resolve(const lf_bowl_options *given)
{
    lf_bowl_options o = given ? *given : (lf_bowl_options){0};
    if (o.columns == 0)
        o.columns = 41;
    if (o.rows == 0)
        o.rows = 41;
    if (o.margin == 0)
        o.margin = 0.25;
    if (o.min_half_width == 0)
        o.min_half_width = 1e-3;
    return o;
}

lf_status lf_bowl_compute(lf_bowl *bowl, double *loss, size_t capacity, const double *a, int p,
                          const float *params, const float *truth, int i, int j,
                          const lf_bowl_options *options, lf_error *err)
{
    if (p < 2 || i < 0 || j < 0 || i >= p || j >= p || i == j)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "bowl: parameters %d and %d of %d, need two different ones", i, j, p);
    lf_bowl_options o = resolve(options);
    if (o.columns < 2 || o.rows < 2 || o.columns > LF_BOWL_MAX_SIDE || o.rows > LF_BOWL_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "bowl: a %dx%d grid, sides must be 2..%d", o.columns,
                       o.rows, LF_BOWL_MAX_SIDE);
    if (!(o.margin >= 0) || !(o.min_half_width > 0))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "bowl: margin %g must not be negative, least half-width %g must be "
                       "positive",
                       o.margin, o.min_half_width);
    if (capacity < (size_t)o.columns * (size_t)o.rows)
        return lf_fail(err, LF_ERR_ARGUMENT, "bowl: output holds %zu values, a %dx%d grid needs %d",
                       capacity, o.columns, o.rows, o.columns * o.rows);
    for (int k = 0; k < p; k++)
        if (!isfinite(params[k]))
            return lf_fail(err, LF_ERR_ARGUMENT, "bowl: parameter %d is not finite", k);

    /* Present loss and the gradient's two entries, from d = theta - theta*. */
    double loss0 = 0, gi = 0, gj = 0;
    for (int r = 0; r < p; r++) {
        double dr = r < p - 1 ? (double)params[r] - truth[r] : params[r];
        double row = 0;
        for (int c = 0; c < p; c++) {
            double dc = c < p - 1 ? (double)params[c] - truth[c] : params[c];
            row += a[(size_t)r * p + c] * dc;
        }
        loss0 += dr * row;
        if (r == i)
            gi = row;
        if (r == j)
            gj = row;
    }
    const double aii = a[(size_t)i * p + i], ajj = a[(size_t)j * p + j],
                 aij = a[(size_t)i * p + j];
    *bowl = (lf_bowl){.i = i,
                      .j = j,
                      .columns = o.columns,
                      .rows = o.rows,
                      .current_x = params[i],
                      .current_y = params[j],
                      .current_loss = loss0};

    /* The bottom: the 2x2 system [aii aij; aij ajj] (da, db) = -(gi, gj).
     * A block that is singular to rounding has a valley, not a bottom. */
    const double det = aii * ajj - aij * aij;
    double da = 0, db = 0;
    if (aii > 0 && ajj > 0 && det > 1e-12 * aii * ajj) {
        da = (-gi * ajj + gj * aij) / det;
        db = (-gj * aii + gi * aij) / det;
        bowl->min_found = true;
    }
    bowl->min_x = bowl->current_x + da;
    bowl->min_y = bowl->current_y + db;
    bowl->min_loss = loss0 + 2 * da * gi + 2 * db * gj + da * da * aii + 2 * da * db * aij +
                     db * db * ajj;

    double spread = fabs(da) > fabs(db) ? fabs(da) : fabs(db);
    double half = spread * (0.5 + o.margin);
    if (half < o.min_half_width)
        half = o.min_half_width;
    double cx = bowl->current_x + da / 2, cy = bowl->current_y + db / 2;
    bowl->x0 = cx - half;
    bowl->x1 = cx + half;
    bowl->y0 = cy - half;
    bowl->y1 = cy + half;

    bowl->grid_min = INFINITY;
    bowl->grid_max = -INFINITY;
    for (int r = 0; r < o.rows; r++) {
        double y = bowl->y0 + (bowl->y1 - bowl->y0) * r / (o.rows - 1), b = y - bowl->current_y;
        for (int c = 0; c < o.columns; c++) {
            double x = bowl->x0 + (bowl->x1 - bowl->x0) * c / (o.columns - 1);
            double u = x - bowl->current_x;
            double v = loss0 + 2 * u * gi + 2 * b * gj + u * u * aii + 2 * u * b * aij +
                       b * b * ajj;
            loss[(size_t)r * o.columns + c] = v;
            bowl->grid_min = v < bowl->grid_min ? v : bowl->grid_min;
            bowl->grid_max = v > bowl->grid_max ? v : bowl->grid_max;
        }
    }
    return LF_OK;
}

lf_status lf_bowl_levels(double *levels, size_t capacity, int count, const lf_bowl *bowl,
                         lf_error *err)
{
    if (count < 1 || count > LF_BOWL_MAX_LEVELS)
        return lf_fail(err, LF_ERR_ARGUMENT, "bowl: %d contour levels, the range is 1..%d",
                       count, LF_BOWL_MAX_LEVELS);
    if (capacity < (size_t)count)
        return lf_fail(err, LF_ERR_ARGUMENT, "bowl: output holds %zu levels, %d asked", capacity,
                       count);
    double bottom = bowl->min_found ? bowl->min_loss : bowl->grid_min;
    double height = bowl->grid_max - bottom;
    for (int k = 0; k < count; k++)
        levels[k] = bottom + height * ldexp(1.0, -(count - k));
    return LF_OK;
}
