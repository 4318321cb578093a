/*
 * hover_math.c: the arithmetic behind one output pixel (hover_math.h),
 * following the layer's definition in conv.h: a correlation with zeros
 * outside the image.
 */
#include "hover_math.h"

#include <string.h>

static lf_conv_shape shape_of(const lf_snapshot *s)
{
    return lf_conv_shape_make(s->in_height, s->in_width, s->learned.height, s->learned.width,
                              s->padding);
}

bool hover_output_pixel(const lf_snapshot *s, int slot, int px, int py, int *out_x, int *out_y)
{
    if (!s->has_images || s->out_height < 1 || s->out_width < 1)
        return false;
    if (slot != 0) {
        if (px < 0 || py < 0 || px >= s->out_width || py >= s->out_height)
            return false;
        *out_x = px;
        *out_y = py;
        return true;
    }
    if (px < 0 || py < 0 || px >= s->in_width || py >= s->in_height)
        return false;
    /* The output pixel whose window's centre is (px, py). */
    lf_conv_shape sh = shape_of(s);
    int x = px + sh.pad_left - (sh.k_width - 1) / 2;
    int y = py + sh.pad_top - (sh.k_height - 1) / 2;
    *out_x = x < 0 ? 0 : x >= s->out_width ? s->out_width - 1 : x;
    *out_y = y < 0 ? 0 : y >= s->out_height ? s->out_height - 1 : y;
    return true;
}

bool hover_math_compute(const lf_snapshot *s, int x, int y, hover_math *m)
{
    memset(m, 0, sizeof *m);
    if (!s->has_images || x < 0 || y < 0 || x >= s->out_width || y >= s->out_height)
        return false;
    lf_conv_shape sh = shape_of(s);
    const int kh = sh.k_height, kw = sh.k_width;
    m->out_x = x;
    m->out_y = y;
    m->kh = kh;
    m->kw = kw;
    m->in_x0 = x - sh.pad_left;
    m->in_y0 = y - sh.pad_top;
    int cx = m->in_x0 + (kw - 1) / 2, cy = m->in_y0 + (kh - 1) / 2;
    m->in_cx = cx < 0 ? 0 : cx >= s->in_width ? s->in_width - 1 : cx;
    m->in_cy = cy < 0 ? 0 : cy >= s->in_height ? s->in_height - 1 : cy;
    m->has_terms = kh <= HOVER_MAX_SIDE && kw <= HOVER_MAX_SIDE;
    /* In double, as the reference convolution sums: the float the output
     * panel holds is this sum rounded once. */
    double sum = 0;
    for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++) {
            int iy = m->in_y0 + i, ix = m->in_x0 + j;
            bool inside = iy >= 0 && iy < s->in_height && ix >= 0 && ix < s->in_width;
            float in = inside ? s->input[iy * s->in_width + ix] : 0.0f;
            float w = s->learned.weights[i * kw + j];
            double product = (double)w * in;
            sum += product;
            if (m->has_terms) {
                int k = i * kw + j;
                m->input[k] = in;
                m->inside[k] = inside;
                m->weight[k] = w;
                m->product[k] = (float)product;
            }
        }
    m->sum = sum;
    m->bias = s->bias;
    m->computed = sum + s->bias;
    int o = y * s->out_width + x;
    m->output = s->output[o];
    m->target = s->expected[o];
    m->residual = s->output[o] - s->expected[o];
    return true;
}
