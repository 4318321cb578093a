/*
 * layout_present.c: the presentation layout. See layout.h.
 *
 * A projected lesson and a movie want few things, large: the two kernels
 * being compared and the two images they make. The cell values are at
 * least the window's value_px (which follows the window size, never the
 * UI scale), and up to half as large again where the large cells hold
 * them; a bigger scale makes the titles and the status larger and the
 * panels a little smaller, never the numbers below value_px.
 */
#include "layout_internal.h"

/* Sizes of a panel's parts besides its square plot, as layout.c's. */
typedef struct present_metrics {
    int title_h, caption_h, extra; /* extra: colorbar gap, bar and its labels */
    int bar_gap, bar_w;
} present_metrics;

static void place(layout_panel *p, const present_metrics *m, int x, int y, int side, bool caption)
{
    side = clamp0(side);
    int caption_h = caption ? m->caption_h : 0;
    p->title = (layout_rect){x, y, side + m->extra, m->title_h};
    p->plot = (layout_rect){x, y + m->title_h, side, side};
    p->colorbar = (layout_rect){x + side + m->bar_gap, y + m->title_h, m->bar_w, side};
    p->caption = caption ? (layout_rect){x, y + m->title_h + side, side + m->extra, caption_h}
                         : (layout_rect){0};
    p->frame = (layout_rect){x, y, side + m->extra, m->title_h + side + caption_h};
}

/* The side of a cell grid whose cells hold the kernel's values at value_px
 * (layout.h's rule). */
static int side_for_values(const layout *L)
{
    int cells = L->kernel_cells;
    double per_px = cells <= 3 ? 3.1 : 2.45;
    double px = cells <= 3 ? L->value_px : L->value_px * LAYOUT_VALUE_SMALL_SHARE;
    return (int)(cells * (per_px * px + LAYOUT_CELL_MARGIN) + 0.5);
}

void layout_compute_present(layout *L, int width, int height, float scale, int kernel_cells)
{
    layout_begin(L, width, height, scale, kernel_cells, 12, 18);
    L->present = true;
    width = L->width;
    height = L->height;
    L->arrangement = LAYOUT_NO_DIFF;
    present_metrics m = {.title_h = scaled(scale, 22), .caption_h = scaled(scale, 20),
                         .bar_gap = scaled(scale, 6), .bar_w = scaled(scale, 12)};
    m.extra = m.bar_gap + m.bar_w + scaled(scale, 50);
    int x0 = L->margin, inner_w = clamp0(width - 2 * L->margin);
    /* Two lines: the caption (the large notice font, about 36 px a line at
     * scale 1) and the plain status line (about 22). */
    L->status_lines = 2;
    L->status = (layout_rect){x0, L->margin / 2, inner_w, scaled(scale, 8 + 36 + 24)};
    int top = L->status.y + L->status.h + L->gap / 2;
    int bottom = height - L->margin;
    int content_h = clamp0(bottom - top);

    /* Two by two: kernels above, images below. */
    int side_w = (inner_w - L->gap) / 2 - m.extra;
    int side_h = (content_h - L->gap - 2 * m.title_h - m.caption_h) / 2;
    int side = side_w < side_h ? side_w : side_h;
    int need = side_for_values(L);
    bool images = side >= need || kernel_cells > 7;
    if (!images) {
        /* The two kernels alone, side by side. */
        side_h = content_h - m.title_h - m.caption_h;
        side = side_w < side_h ? side_w : side_h;
    }
    side = clamp0(side);
    /* Larger panels hold larger numbers: up to half as large again as the
     * window's value_px, as far as the cells hold them, and never less. */
    int cells = L->kernel_cells;
    double per_px = cells <= 3 ? 3.1 : 2.45;
    int fit = (int)((side / (double)cells - LAYOUT_CELL_MARGIN) / per_px);
    int most = L->value_px * 3 / 2 < LAYOUT_VALUE_MAX_PX ? L->value_px * 3 / 2 : LAYOUT_VALUE_MAX_PX;
    if (fit > L->value_px)
        L->value_px = fit < most ? fit : most;
    int grid_w = 2 * (side + m.extra) + L->gap;
    int grid_h = m.title_h + side + m.caption_h + (images ? L->gap + m.title_h + side : 0);
    int chart_min_w = scaled(scale, 240), chart_min_h = scaled(scale, 160);
    int spare_w = inner_w - grid_w - L->gap;
    int gx = x0, gy = top + clamp0(content_h - grid_h) / 2;
    if (spare_w >= chart_min_w) {
        /* Wide: the chart to the right, as tall as the grid. */
        int chart_w = spare_w;
        if (chart_w > grid_w)
            chart_w = grid_w; /* a very wide window: keep the group together */
        gx = x0 + clamp0(inner_w - grid_w - L->gap - chart_w) / 2;
        L->chart = (layout_rect){gx + grid_w + L->gap, gy, chart_w, grid_h};
    } else {
        gx = x0 + clamp0(inner_w - grid_w) / 2;
        int room = bottom - (top + grid_h + L->gap);
        if (room >= chart_min_h) {
            /* Tall: the chart under the grid, which moves up. */
            gy = top;
            L->chart = (layout_rect){x0, gy + grid_h + L->gap, inner_w, room};
        }
    }
    L->three_rows = L->chart.w > 0 && L->chart.y > gy;
    place(&L->panels[LAYOUT_LEARNED], &m, gx, gy, side, true);
    place(&L->panels[LAYOUT_TRUE], &m, gx + side + m.extra + L->gap, gy, side, true);
    if (images) {
        int y2 = gy + m.title_h + side + m.caption_h + L->gap;
        place(&L->panels[LAYOUT_OUTPUT], &m, gx, y2, side, false);
        place(&L->panels[LAYOUT_TARGET], &m, gx + side + m.extra + L->gap, y2, side, false);
    } else {
        L->arrangement = LAYOUT_KERNELS_ONLY;
    }
    /* Whatever does not fit a window too small for this scale is hidden
     * rather than drawn over its neighbours or off screen. */
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        layout_rect f = L->panels[i].frame;
        if (f.x + f.w > width || f.y + f.h > bottom || f.y < top || L->panels[i].plot.w < 1)
            L->panels[i] = (layout_panel){0};
    }
    if (L->chart.x + L->chart.w > width || L->chart.y + L->chart.h > bottom || L->chart.w < 1 ||
        L->chart.h < 1)
        L->chart = (layout_rect){0};
    if (L->status.y + L->status.h > height || L->status.w < 1)
        L->status = (layout_rect){0};
}

void layout_compute_mode(layout *L, int width, int height, float scale, bool present)
{
    if (present)
        layout_compute_present(L, width, height, scale, 3);
    else
        layout_compute(L, width, height, scale);
}
