/*
 * layout.c: the window's geometry. See layout.h.
 */
#include "layout_internal.h"

float layout_auto_scale(int width, int height)
{
    float s = width / 1280.0f;
    if (height / 720.0f < s)
        s = height / 720.0f;
    if (s < 1)
        s = 0.75f + 0.25f * s; /* small windows shrink text less than space */
    if (s < LAYOUT_MIN_SCALE)
        s = LAYOUT_MIN_SCALE;
    if (s > LAYOUT_MAX_SCALE)
        s = LAYOUT_MAX_SCALE;
    return s;
}

bool layout_contains(layout_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

int layout_value_px(int width, int height)
{
    double k = width / 1280.0 < height / 720.0 ? width / 1280.0 : height / 720.0;
    int px = (int)(LAYOUT_VALUE_PX * k + 0.5);
    return px < LAYOUT_VALUE_MIN_PX ? LAYOUT_VALUE_MIN_PX
           : px > LAYOUT_VALUE_MAX_PX ? LAYOUT_VALUE_MAX_PX
                                      : px;
}

/* Sizes of a panel's parts besides its square plot. */
typedef struct panel_metrics {
    int title_h, caption_h, bar_gap, bar_w, label_w;
} panel_metrics;

static int panel_extra_width(const panel_metrics *m) { return m->bar_gap + m->bar_w + m->label_w; }

static void place_panel(layout_panel *p, const panel_metrics *m, int x, int y, int side,
                        bool caption)
{
    side = clamp0(side);
    int caption_h = caption ? m->caption_h : 0;
    p->title = (layout_rect){x, y, side + panel_extra_width(m), m->title_h};
    p->plot = (layout_rect){x, y + m->title_h, side, side};
    p->colorbar = (layout_rect){x + side + m->bar_gap, y + m->title_h, m->bar_w, side};
    p->caption = caption ? (layout_rect){x, y + m->title_h + side, side + panel_extra_width(m),
                                         caption_h}
                         : (layout_rect){0};
    p->frame = (layout_rect){x, y, side + panel_extra_width(m), m->title_h + side + caption_h};
}

/* Places count panels (ids[0..count)) of the given side in a row starting at
 * x, spread over width (the spare space goes between them). */
static void place_row(layout *L, const int *ids, int count, const panel_metrics *m, int x, int y,
                      int width, int side, bool caption)
{
    int panel_w = side + panel_extra_width(m);
    int spare = clamp0(width - count * panel_w);
    int spacing = count > 1 ? spare / (count - 1) : 0;
    if (spacing > 3 * L->gap)
        spacing = 3 * L->gap; /* keep the group together in very wide windows */
    for (int i = 0; i < count; i++)
        place_panel(&L->panels[ids[i]], m, x + i * (panel_w + spacing), y, side, caption);
}

/* What each wide arrangement shows. */
typedef struct arrangement_def {
    int kernels;    /* 3: learned, true, diff; 2: learned, true */
    bool chart;
    int images;     /* 4 or 0 */
} arrangement_def;

static const arrangement_def arrangements[LAYOUT_ARRANGEMENT_COUNT] = {
    [LAYOUT_ALL] = {3, true, 4},
    [LAYOUT_NO_DIFF] = {2, true, 4},
    [LAYOUT_KERNELS_CHART] = {2, true, 0},
    [LAYOUT_KERNELS_ONLY] = {2, false, 0},
};

/* The plot sides of one wide arrangement: kernels limited by width first,
 * then kernels and images shrunk together to fit the height. */
static void wide_sides(const layout *L, const arrangement_def *a, const panel_metrics *m,
                       int inner_w, int content_h, int *kernel_side, int *image_side)
{
    int extra = panel_extra_width(m);
    int chart_w = 0;
    if (a->chart) {
        chart_w = inner_w / 4 > scaled(L->scale, 240) ? inner_w / 4 : scaled(L->scale, 240);
        if (chart_w > inner_w / 2)
            chart_w = inner_w / 2;
        chart_w += L->gap;
    }
    int ks = (inner_w - chart_w - (a->kernels - 1) * L->gap) / a->kernels - extra;
    int is = a->images ? (inner_w - (a->images - 1) * L->gap) / a->images - extra : 0;
    int fixed_h = m->title_h + m->caption_h + (a->images ? m->title_h + L->gap : 0);
    int room = content_h - fixed_h;
    if (ks + is > room && ks + is > 0) {
        double f = (double)clamp0(room) / (ks + is);
        ks = (int)(ks * f);
        is = (int)(is * f);
    }
    *kernel_side = clamp0(ks);
    *image_side = clamp0(is);
}

static void layout_wide(layout *L, const panel_metrics *m, int x0, int top, int inner_w,
                        int content_h)
{
    /* The fullest arrangement whose kernel cells hold the values at
     * value_px; failing all, the one with the largest kernels. */
    int cells = L->kernel_cells;
    double per_px = cells <= 3 ? 3.1 : 2.45;
    double px = cells <= 3 ? L->value_px : L->value_px * LAYOUT_VALUE_SMALL_SHARE;
    int need = (int)(cells * (per_px * px + LAYOUT_CELL_MARGIN) + 0.5);
    int chosen = -1, best = 0, best_side = -1;
    int kernel_side = 0, image_side = 0;
    for (int i = 0; i < LAYOUT_ARRANGEMENT_COUNT; i++) {
        int ks, is;
        wide_sides(L, &arrangements[i], m, inner_w, content_h, &ks, &is);
        if (ks > best_side) {
            best_side = ks;
            best = i;
        }
        if (ks >= need) {
            chosen = i;
            break;
        }
    }
    if (chosen < 0)
        chosen = best;
    const arrangement_def *a = &arrangements[chosen];
    wide_sides(L, a, m, inner_w, content_h, &kernel_side, &image_side);
    L->arrangement = (layout_arrangement)chosen;
    int extra = panel_extra_width(m);
    int row1_h = m->title_h + kernel_side + m->caption_h;
    int row2_h = a->images ? m->title_h + image_side : 0;
    int rows_h = row1_h + (a->images ? L->gap + row2_h : 0);
    /* Spare height goes evenly above, between and below the rows. */
    int spare = clamp0(content_h - rows_h) / (a->images ? 3 : 2);
    int y1 = top + spare, y2 = y1 + row1_h + L->gap + spare;
    static const int kernel_ids[3] = {LAYOUT_LEARNED, LAYOUT_TRUE, LAYOUT_DIFF};
    for (int i = 0; i < a->kernels; i++)
        place_panel(&L->panels[kernel_ids[i]], m, x0 + i * (kernel_side + extra + L->gap), y1,
                    kernel_side, true);
    if (a->chart) {
        int chart_x = x0 + a->kernels * (kernel_side + extra + L->gap);
        L->chart = (layout_rect){chart_x, y1, clamp0(x0 + inner_w - chart_x), row1_h};
    }
    static const int image_ids[4] = {LAYOUT_INPUT, LAYOUT_OUTPUT, LAYOUT_TARGET, LAYOUT_RESIDUAL};
    if (a->images)
        place_row(L, image_ids, 4, m, x0, y2, inner_w, image_side, false);
}

static void layout_tall(layout *L, const panel_metrics *m, int x0, int top, int bottom,
                        int inner_w, int content_h)
{
    /* Kernels, images (four across, or two by two when four would be too
     * small), then the chart across the whole width. */
    int extra = panel_extra_width(m);
    int chart_h = content_h / 4 > scaled(L->scale, 160) ? content_h / 4 : scaled(L->scale, 160);
    int kernel_side = 0, image_side = 0, per_row = 4;
    for (int option = 4; option >= 2; option -= 2) {
        int rows = 4 / option;
        int ks = (inner_w - 2 * L->gap) / 3 - extra;
        int is = (inner_w - (option - 1) * L->gap) / option - extra;
        int room = content_h - (1 + rows) * (m->title_h + L->gap) - m->caption_h - chart_h;
        int needed = ks + rows * is;
        if (needed > room && needed > 0) {
            double f = (double)clamp0(room) / needed;
            ks = (int)(ks * f);
            is = (int)(is * f);
        }
        if (is > image_side) { /* keep whichever shows the images larger */
            kernel_side = clamp0(ks);
            image_side = clamp0(is);
            per_row = option;
        }
    }
    static const int kernel_ids[3] = {LAYOUT_LEARNED, LAYOUT_TRUE, LAYOUT_DIFF};
    static const int image_ids[4] = {LAYOUT_INPUT, LAYOUT_OUTPUT, LAYOUT_TARGET, LAYOUT_RESIDUAL};
    int image_rows = 4 / per_row;
    int y = top;
    place_row(L, kernel_ids, 3, m, x0, y, inner_w, kernel_side, true);
    y += m->title_h + kernel_side + m->caption_h + L->gap;
    for (int row = 0; row < image_rows; row++) {
        place_row(L, image_ids + row * per_row, per_row, m, x0, y, inner_w, image_side, false);
        y += m->title_h + image_side + L->gap;
    }
    L->chart = (layout_rect){x0, y, inner_w, clamp0(bottom - y)};
}

void layout_begin(layout *L, int width, int height, float scale, int kernel_cells, int margin,
                  int gap)
{
    *L = (layout){0};
    L->kernel_cells = kernel_cells < 1 ? 1 : kernel_cells;
    L->width = clamp0(width);
    L->height = clamp0(height);
    L->scale = scale;
    L->margin = scaled(scale, margin);
    L->gap = scaled(scale, gap);
    L->value_px = layout_value_px(L->width, L->height);
}

void layout_compute(layout *L, int width, int height, float scale)
{
    layout_compute_for(L, width, height, scale, 3);
}

void layout_compute_for(layout *L, int width, int height, float scale, int kernel_cells)
{
    layout_begin(L, width, height, scale, kernel_cells, 10, 14);
    width = L->width;
    height = L->height;
    panel_metrics m = {scaled(scale, 22), scaled(scale, 20), scaled(scale, 6), scaled(scale, 12),
                       scaled(scale, 50)};
    int x0 = L->margin, inner_w = clamp0(width - 2 * L->margin);
    /* As many status lines as its text needs beside the state badge. */
    int text_room = inner_w - scaled(scale, 150);
    int lines = text_room > 0 ? (int)(LAYOUT_STATUS_TEXT_WIDTH * scale / text_room) + 1 : 4;
    /* ... but at most a third of the window's height. */
    int most = height / 3 / scaled(scale, 22);
    most = most < 1 ? 1 : most > 4 ? 4 : most;
    L->status_lines = lines < 2 ? 2 : lines;
    L->status_lines = L->status_lines > most ? most : L->status_lines;
    const int status_h = scaled(scale, 6 + 22 * L->status_lines), footer_h = scaled(scale, 22);

    L->status = (layout_rect){x0, L->margin / 2, inner_w, status_h};
    L->footer = (layout_rect){x0, clamp0(height - footer_h - L->margin / 4), inner_w, footer_h};
    /* Buttons tall enough for a finger at the scale a projector gets; none
     * when that would take more than a twelfth of the height (a huge scale
     * in a small window), which the kernels need more. */
    const int buttons_h = scaled(scale, 28) * 12 <= height ? scaled(scale, 28) : 0;
    L->buttons = (layout_rect){x0, clamp0(L->footer.y - buttons_h - L->margin / 4), inner_w,
                               buttons_h};
    /* The strip of photos above them, under the same rule. */
    const int strip_h = buttons_h && scaled(scale, 36) * 12 <= height ? scaled(scale, 36) : 0;
    L->strip = (layout_rect){x0, clamp0(L->buttons.y - strip_h - L->margin / 2), inner_w,
                             strip_h};
    int top = L->status.y + status_h + L->gap / 2;
    int bottom = strip_h     ? L->strip.y - L->gap / 2
                 : buttons_h ? L->buttons.y - L->gap / 2
                             : L->footer.y - L->gap / 2;
    int content_h = clamp0(bottom - top);

    L->three_rows = width < height * 5 / 4;
    if (!L->three_rows)
        layout_wide(L, &m, x0, top, inner_w, content_h);
    else
        layout_tall(L, &m, x0, top, bottom, inner_w, content_h);
    /* Whatever does not fit a window too small for this scale is hidden
     * rather than drawn over its neighbours or off screen. */
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        layout_rect f = L->panels[i].frame;
        if (f.x + f.w > width || f.y + f.h > bottom || L->panels[i].plot.w < 1)
            L->panels[i] = (layout_panel){0};
    }
    if (L->chart.x + L->chart.w > width || L->chart.y + L->chart.h > bottom)
        L->chart = (layout_rect){0};
    /* The timeline takes the chart's bottom: a line of small text over a
     * track, when the chart keeps at least three times its height. */
    const int timeline_h = scaled(scale, 34);
    if (L->chart.h >= 4 * timeline_h + L->gap / 2) {
        L->timeline = (layout_rect){L->chart.x, L->chart.y + L->chart.h - timeline_h, L->chart.w,
                                    timeline_h};
        L->chart.h -= timeline_h + L->gap / 2;
    }
    if (L->status.y + L->status.h > height || L->status.w < 1)
        L->status = (layout_rect){0};
    if (L->footer.y < L->status.y + L->status.h || L->footer.w < 1)
        L->footer = (layout_rect){0};
    if (L->buttons.y < L->status.y + L->status.h || L->buttons.w < 1 || L->buttons.h < 1)
        L->buttons = (layout_rect){0};
    if (L->strip.y < L->status.y + L->status.h || L->strip.w < 1 || L->strip.h < 1)
        L->strip = (layout_rect){0};
}

int layout_panel_at(const layout *L, int x, int y)
{
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++)
        if (layout_contains(L->panels[i].plot, x, y))
            return i;
    return -1;
}

layout_rect layout_grid_fit(layout_rect area, int rows, int cols)
{
    if (rows < 1 || cols < 1 || area.w < 1 || area.h < 1)
        return (layout_rect){area.x, area.y, 0, 0};
    int cell = area.w / cols < area.h / rows ? area.w / cols : area.h / rows;
    if (cell < 1)
        return (layout_rect){area.x, area.y, cols < area.w ? cols : area.w,
                             rows < area.h ? rows : area.h};
    int w = cell * cols, h = cell * rows;
    return (layout_rect){area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h};
}

bool layout_grid_cell(layout_rect grid, int rows, int cols, int x, int y, int *row, int *col)
{
    if (!layout_contains(grid, x, y) || rows < 1 || cols < 1)
        return false;
    /* Cells are square, a whole number of pixels each, unless clipped. */
    int cell_w = grid.w / cols > 0 ? grid.w / cols : 1;
    int cell_h = grid.h / rows > 0 ? grid.h / rows : 1;
    int c = (x - grid.x) / cell_w, r = (y - grid.y) / cell_h;
    if (r >= rows || c >= cols)
        return false;
    *row = r;
    *col = c;
    return true;
}
