/*
 * render_hover.c: what hovering over the images and the chart explains.
 *
 * Over any of the four images, the same pixel is marked in all of them,
 * the kernel's window is outlined on the input, and a box shows the
 * arithmetic that made the output there (hover_math.h): the input numbers
 * under the window, the weights, their products, the sum plus the bias,
 * beside the target and the residual. The box goes above or below the row
 * of images (over the kernels or the chart), never over an image it
 * describes. Kernels larger than HOVER_MAX_SIDE get the outline and the sum.
 *
 * Over the loss chart, the point nearest the mouse is marked and its step
 * and losses are read out in a box beside it, on the side away from it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "hover_math.h"
#include "render_internal.h"

#define MINUS "\xe2\x88\x92"
#define TIMES "\xc3\x97"
#define SIGMA "\xce\xa3"

static const SDL_Color mark_color = {255, 214, 10, 255};
static const SDL_Color box_color = {14, 15, 19, 240};

/* ============================================================ marks */

/* The rectangle of image pixels [x0, x0+w) x [y0, y0+h) of an h_img x w_img
 * image drawn at `shown`, at least min_side on each side (centred), and
 * clipped to shown. */
static layout_rect pixel_box(layout_rect shown, int img_h, int img_w, int x0, int y0, int w,
                             int h, int min_side)
{
    int left = shown.x + (int)((long)x0 * shown.w / img_w);
    int right = shown.x + (int)((long)(x0 + w) * shown.w / img_w);
    int top = shown.y + (int)((long)y0 * shown.h / img_h);
    int bottom = shown.y + (int)((long)(y0 + h) * shown.h / img_h);
    if (right - left < min_side) {
        int c = (left + right) / 2;
        left = c - min_side / 2;
        right = left + min_side;
    }
    if (bottom - top < min_side) {
        int c = (top + bottom) / 2;
        top = c - min_side / 2;
        bottom = top + min_side;
    }
    left = left < shown.x - 1 ? shown.x - 1 : left;
    top = top < shown.y - 1 ? shown.y - 1 : top;
    right = right > shown.x + shown.w + 1 ? shown.x + shown.w + 1 : right;
    bottom = bottom > shown.y + shown.h + 1 ? shown.y + shown.h + 1 : bottom;
    return (layout_rect){left, top, right - left, bottom - top};
}

/* A bright outline with a dark edge either side, readable on white,
 * black and every colour of the maps. */
static void draw_mark(render_ctx *r, layout_rect b)
{
    SDL_Color dark = {0, 0, 0, 255};
    render_outline(r->renderer, (layout_rect){b.x - 2, b.y - 2, b.w + 4, b.h + 4}, dark);
    render_outline(r->renderer, (layout_rect){b.x - 1, b.y - 1, b.w + 2, b.h + 2}, mark_color);
    render_outline(r->renderer, b, mark_color);
    if (b.w > 4 && b.h > 4)
        render_outline(r->renderer, (layout_rect){b.x + 1, b.y + 1, b.w - 2, b.h - 2}, dark);
}

static bool image_shown(const layout *L, int panel)
{
    return L->panels[panel].plot.w >= 8 && L->panels[panel].plot.h >= 8;
}

static void draw_marks(render_ctx *r, const layout *L, const hover_math *m)
{
    const int min_side = render_px(r, 7);
    for (int panel = LAYOUT_INPUT; panel <= LAYOUT_RESIDUAL; panel++) {
        if (!image_shown(L, panel))
            continue;
        int slot = panel - LAYOUT_INPUT, h = r->image_h[slot], w = r->image_w[slot];
        layout_rect shown = render_image_rect(L->panels[panel].plot, h, w);
        if (slot == 0) {
            /* The window the kernel reads, and the pixel at its centre. */
            draw_mark(r, pixel_box(shown, h, w, m->in_x0, m->in_y0, m->kw, m->kh, min_side));
            layout_rect c = pixel_box(shown, h, w, m->in_cx, m->in_cy, 1, 1, 1);
            render_fill(r->renderer, c, mark_color);
        } else {
            draw_mark(r, pixel_box(shown, h, w, m->out_x, m->out_y, 1, 1, min_side));
        }
    }
}

/* ====================================================== the numbers */

typedef struct cell_grid {
    char text[HOVER_MAX_SIDE * HOVER_MAX_SIDE][24];
    bool dim[HOVER_MAX_SIDE * HOVER_MAX_SIDE];
    int rows, cols;
} cell_grid;

static double max_abs(const float *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs((double)v[i]));
    return m;
}

static void fill_grid(cell_grid *g, const hover_math *m, const float *values, bool dim_padding)
{
    int n = m->kh * m->kw;
    g->rows = m->kh;
    g->cols = m->kw;
    double limit = max_abs(values, n);
    for (int i = 0; i < n; i++) {
        render_format_value(g->text[i], sizeof g->text[i], values[i], limit);
        g->dim[i] = dim_padding && !m->inside[i];
    }
}

typedef struct hover_text {
    cell_grid grids[3]; /* input, weights, products */
    char title[128], sum_line[192], target_line[192];
} hover_text;

static const char *const grid_names[3] = {"input", "weights", "products"};
static const char *const grid_ops[2] = {TIMES, "="};

static void make_text(hover_text *t, const hover_math *m, render_scale target_scale)
{
    if (m->has_terms) {
        fill_grid(&t->grids[0], m, m->input, true);
        fill_grid(&t->grids[1], m, m->weight, false);
        fill_grid(&t->grids[2], m, m->product, true);
    }
    snprintf(t->title, sizeof t->title, "Pixel (%d, %d): output = " SIGMA " input " TIMES
             " weight + bias", m->out_x, m->out_y);
    /* The products' precision, so the sum reads as their sum. */
    double limit = fmax(fmax(fabs(m->computed), fabs(m->target)), fabs(m->sum));
    if (m->has_terms)
        limit = fmax(limit, max_abs(m->product, m->kh * m->kw));
    if (!(limit > 0))
        limit = fmax(fabs(target_scale.lo), fabs(target_scale.hi));
    /* One digit more than the products: the sum, the bias and the output
     * then add up as printed, not only as computed. */
    limit /= 10;
    char sum[32], bias[32], out[32], target[32], residual[32];
    render_format_value(sum, sizeof sum, m->sum, limit);
    render_format_value(bias, sizeof bias, m->bias, limit);
    render_format_value(out, sizeof out, m->computed, limit);
    render_format_value(target, sizeof target, m->target, limit);
    render_format_value(residual, sizeof residual, m->residual, limit);
    snprintf(t->sum_line, sizeof t->sum_line, SIGMA " products %s + bias %s = output %s", sum,
             bias, out);
    snprintf(t->target_line, sizeof t->target_line,
             "target %s    residual = output " MINUS " target = %s", target, residual);
}

/* Lays out (and with draw, draws) the box at box's corner in font; returns
 * its size in box->w, box->h. with_grids: the three grids of numbers. */
static void hover_box(render_ctx *r, text_font font, const hover_text *t, bool with_grids,
                      layout_rect *box, bool draw)
{
    const int pad = render_px(r, 8), gap = render_px(r, 10);
    const int line = text_line_height(r->text, font) + render_px(r, 2);
    const int title_line = text_line_height(r->text, TEXT_TITLE) + render_px(r, 4);
    int col_w[3] = {0, 0, 0}, grid_w[3] = {0, 0, 0};
    int op_w = 0;
    if (with_grids) {
        for (int g = 0; g < 3; g++) {
            const cell_grid *cg = &t->grids[g];
            for (int i = 0; i < cg->rows * cg->cols; i++) {
                int w = text_width(r->text, font, cg->text[i]);
                col_w[g] = w > col_w[g] ? w : col_w[g];
            }
            col_w[g] += render_px(r, 8);
            grid_w[g] = col_w[g] * cg->cols;
            int name_w = text_width(r->text, font, grid_names[g]);
            grid_w[g] = name_w > grid_w[g] ? name_w : grid_w[g];
        }
        for (int i = 0; i < 2; i++) {
            int w = text_width(r->text, TEXT_TITLE, grid_ops[i]);
            op_w = w > op_w ? w : op_w;
        }
        op_w += 2 * gap;
    }
    int grids_w = with_grids ? grid_w[0] + grid_w[1] + grid_w[2] + 2 * op_w : 0;
    int lines_w = text_width(r->text, TEXT_TITLE, t->title);
    int w1 = text_width(r->text, font, t->sum_line), w2 = text_width(r->text, font, t->target_line);
    lines_w = w1 > lines_w ? w1 : lines_w;
    lines_w = w2 > lines_w ? w2 : lines_w;
    int inner_w = grids_w > lines_w ? grids_w : lines_w;
    int rows = with_grids ? t->grids[0].rows : 0;
    int grids_h = with_grids ? line * (rows + 1) + render_px(r, 6) : 0;
    box->w = inner_w + 2 * pad;
    box->h = pad + title_line + grids_h + 2 * line + pad;
    if (!draw)
        return;

    render_fill(r->renderer, *box, box_color);
    render_outline(r->renderer, *box, mark_color);
    int x = box->x + pad, y = box->y + pad;
    text_draw(r->text, TEXT_TITLE, x, y, t->title, render_color_text, TEXT_LEFT);
    y += title_line;
    if (with_grids) {
        int gx = x;
        for (int g = 0; g < 3; g++) {
            const cell_grid *cg = &t->grids[g];
            text_draw(r->text, font, gx, y, grid_names[g], render_color_dim, TEXT_LEFT);
            for (int i = 0; i < cg->rows; i++)
                for (int j = 0; j < cg->cols; j++) {
                    int k = i * cg->cols + j;
                    SDL_Color ink = cg->dim[k] ? render_color_dim : render_color_text;
                    text_draw(r->text, font, gx + (j + 1) * col_w[g] - render_px(r, 8),
                              y + line * (i + 1), cg->text[k], ink, TEXT_RIGHT);
                }
            gx += grid_w[g];
            if (g < 2)
                text_draw(r->text, TEXT_TITLE, gx + op_w / 2,
                          y + line * (1 + rows / 2) + (line - title_line) / 2, grid_ops[g],
                          mark_color, TEXT_CENTER);
            gx += op_w;
        }
        y += grids_h;
    }
    text_draw(r->text, font, x, y, t->sum_line, render_color_text, TEXT_LEFT);
    text_draw(r->text, font, x, y + line, t->target_line, render_color_text, TEXT_LEFT);
}

/* The rows above and below the images: [top, bottom) of the window free of
 * every image panel shown, between the status line and the footer. */
static void free_bands(const layout *L, int *above_top, int *above_bottom, int *below_top,
                       int *below_bottom)
{
    int images_top = L->height, images_bottom = 0;
    for (int p = LAYOUT_INPUT; p <= LAYOUT_RESIDUAL; p++) {
        if (!image_shown(L, p))
            continue;
        layout_rect f = L->panels[p].frame;
        images_top = f.y < images_top ? f.y : images_top;
        images_bottom = f.y + f.h > images_bottom ? f.y + f.h : images_bottom;
    }
    *above_top = L->status.y + L->status.h;
    *above_bottom = images_top - 2;
    *below_top = images_bottom + 2;
    *below_bottom = L->footer.h > 0 ? L->footer.y : L->height;
}

/* Places the box in the free band that holds it (above the images first),
 * centred on the mouse across; false when neither does. */
static bool place_box(const layout *L, int mouse_x, layout_rect *box)
{
    int a0, a1, b0, b1;
    free_bands(L, &a0, &a1, &b0, &b1);
    if (box->w > L->width)
        return false;
    int x = mouse_x - box->w / 2;
    x = x + box->w > L->width - L->margin ? L->width - L->margin - box->w : x;
    x = x < L->margin ? (box->w + L->margin <= L->width ? L->margin : 0) : x;
    box->x = x;
    if (a1 - a0 >= box->h) {
        box->y = a1 - box->h; /* just above the images: close to what it explains */
        return true;
    }
    if (b1 - b0 >= box->h) {
        box->y = b0;
        return true;
    }
    return false;
}

static bool draw_image_hover(render_ctx *r, const layout *L, const render_view *v, int panel)
{
    if (!r->has_images || !v->images || !v->images->snap.has_images)
        return false;
    const lf_snapshot *s = &v->images->snap;
    int slot = panel - LAYOUT_INPUT;
    layout_rect shown = render_image_rect(L->panels[panel].plot, r->image_h[slot], r->image_w[slot]);
    if (!layout_contains(shown, v->mouse_x, v->mouse_y) || shown.w < 1 || shown.h < 1)
        return false;
    int ix = (int)((long)(v->mouse_x - shown.x) * r->image_w[slot] / shown.w);
    int iy = (int)((long)(v->mouse_y - shown.y) * r->image_h[slot] / shown.h);
    int ox, oy;
    hover_math m;
    if (!hover_output_pixel(s, slot, ix, iy, &ox, &oy) || !hover_math_compute(s, ox, oy, &m))
        return false;
    draw_marks(r, L, &m);
    static hover_text t; /* about 4 KB of strings: the main thread's only */
    make_text(&t, &m, r->scales[LAYOUT_TARGET]);
    /* The fullest box that has room: every number in the status line's
     * font (the largest that reads as text), then smaller, then the sum
     * alone. */
    static const struct { text_font font; bool grids; } tries[] = {
        {TEXT_STATUS, true}, {TEXT_BODY, true}, {TEXT_SMALL, true},
        {TEXT_STATUS, false}, {TEXT_BODY, false}, {TEXT_SMALL, false}};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        if (tries[i].grids && !m.has_terms)
            continue;
        layout_rect box = {0, 0, 0, 0};
        hover_box(r, tries[i].font, &t, tries[i].grids, &box, false);
        if (!place_box(L, v->mouse_x, &box))
            continue;
        render_record_panel(r, "hover", box);
        hover_box(r, tries[i].font, &t, tries[i].grids, &box, true);
        return true;
    }
    return true; /* the marks alone: no room for a box that covers nothing */
}

/* ============================================================ chart */

static bool draw_chart_hover(render_ctx *r, const layout *L, const render_view *v)
{
    const lf_snapshot *s = &v->frame->snap;
    chart_style style = {.scale = r->scale};
    chart_axes axes;
    if (!chart_axes_for(r->text, &style, L->chart, s, &axes) ||
        !layout_contains(axes.plot, v->mouse_x, v->mouse_y))
        return false;
    if (!axes.has_curve)
        return true;
    const layout_rect plot = axes.plot;
    const double span = axes.log_hi > axes.log_lo ? axes.log_hi - axes.log_lo : 1;
    /* The training point nearest the mouse across. */
    int best = -1;
    double best_dx = INFINITY, px = 0, py = 0;
    const lf_history *h = &s->steps;
    for (int i = 0; i < h->count && i < LF_HISTORY_MAX; i++) {
        double loss = h->points[i].train_loss;
        if (!(loss > 0) || !isfinite(loss))
            continue;
        double x = plot.x + chart_step_position((double)h->points[i].step, axes.x_end) * (plot.w - 1);
        if (fabs(x - v->mouse_x) < best_dx) {
            best_dx = fabs(x - v->mouse_x);
            best = i;
            double level = fmin(fmax(log10(loss), (double)axes.log_lo), (double)axes.log_hi);
            px = x;
            py = plot.y + plot.h - 1 - (level - axes.log_lo) / span * (plot.h - 1);
        }
    }
    if (best < 0)
        return true;
    const lf_history_point *p = &h->points[best];
    /* The last validation loss measured by then. */
    const lf_history_point *epoch = NULL;
    for (int i = 0; i < s->epochs.count && i < LF_HISTORY_MAX; i++)
        if (s->epochs.points[i].step <= p->step && isfinite(s->epochs.points[i].val_loss))
            epoch = &s->epochs.points[i];

    char step[32], loss[32], line1[96], line2[96] = "";
    count_format(step, sizeof step, p->step);
    render_format_plain(loss, sizeof loss, p->train_loss);
    snprintf(line1, sizeof line1, "step %s: training loss %s", step, loss);
    if (epoch) {
        char val[32];
        render_format_plain(val, sizeof val, epoch->val_loss);
        snprintf(line2, sizeof line2, "validation %s (epoch %.0f)", val, (double)epoch->epoch);
    }
    SDL_SetRenderDrawColor(r->renderer, mark_color.r, mark_color.g, mark_color.b, 160);
    SDL_RenderDrawLine(r->renderer, (int)px, plot.y, (int)px, plot.y + plot.h - 1);
    int d = render_px(r, 3);
    render_fill(r->renderer, (layout_rect){(int)px - d, (int)py - d, 2 * d + 1, 2 * d + 1},
                mark_color);

    const int pad = render_px(r, 6), line = text_line_height(r->text, TEXT_BODY);
    int w = text_width(r->text, TEXT_BODY, line1);
    int w2 = text_width(r->text, TEXT_BODY, line2);
    w = (w2 > w ? w2 : w) + 2 * pad;
    int hgt = (line2[0] ? 2 : 1) * line + 2 * pad;
    /* Beside the line, on the side with more room, and in the half of the
     * plot away from the point: it never covers the point it reads. */
    int gap = render_px(r, 8);
    int bx = px > plot.x + plot.w / 2 ? (int)px - gap - w : (int)px + gap;
    if (bx < 0)
        bx = 0;
    if (bx + w > L->width)
        bx = L->width - w;
    int by = py < plot.y + plot.h / 2 ? plot.y + plot.h - hgt - pad : plot.y + pad;
    layout_rect box = {bx, by, w, hgt};
    render_record_panel(r, "chart_readout", box);
    render_fill(r->renderer, box, box_color);
    render_outline(r->renderer, box, mark_color);
    text_draw(r->text, TEXT_BODY, bx + pad, by + pad, line1, render_color_text, TEXT_LEFT);
    if (line2[0])
        text_draw(r->text, TEXT_BODY, bx + pad, by + pad + line, line2, render_color_validation,
                  TEXT_LEFT);
    return true;
}

/* ============================================================= entry */

bool render_hover_draw(render_ctx *r, const layout *L, const render_view *v)
{
    int panel = layout_panel_at(L, v->mouse_x, v->mouse_y);
    if (panel >= LAYOUT_INPUT && panel <= LAYOUT_RESIDUAL)
        return draw_image_hover(r, L, v, panel);
    if (panel < 0 && L->chart.w > 0)
        return draw_chart_hover(r, L, v);
    return false;
}
