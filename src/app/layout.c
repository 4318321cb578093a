/*
 * layout.c: the window's geometry. See layout.h.
 */
#include "layout.h"

static int scaled(float scale, int pixels)
{
    int v = (int)(pixels * scale + 0.5f);
    return v < 1 ? 1 : v;
}

static int clamp0(int v) { return v < 0 ? 0 : v; }

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

/* Widths of a panel's parts besides its square plot. */
typedef struct panel_metrics {
    int title_h, bar_gap, bar_w, label_w;
} panel_metrics;

static int panel_extra_width(const panel_metrics *m) { return m->bar_gap + m->bar_w + m->label_w; }

static void place_panel(layout_panel *p, const panel_metrics *m, int x, int y, int side)
{
    side = clamp0(side);
    p->title = (layout_rect){x, y, side + panel_extra_width(m), m->title_h};
    p->plot = (layout_rect){x, y + m->title_h, side, side};
    p->colorbar = (layout_rect){x + side + m->bar_gap, y + m->title_h, m->bar_w, side};
    p->frame = (layout_rect){x, y, side + panel_extra_width(m), m->title_h + side};
}

/* Places count panels of the given side in a row starting at x, spread over
 * width (the spare space goes between them). */
static void place_row(layout *L, int first, int count, const panel_metrics *m, int x, int y,
                      int width, int side)
{
    int panel_w = side + panel_extra_width(m);
    int spare = clamp0(width - count * panel_w);
    int spacing = count > 1 ? spare / (count - 1) : 0;
    if (spacing > 3 * L->gap)
        spacing = 3 * L->gap; /* keep the group together in very wide windows */
    for (int i = 0; i < count; i++)
        place_panel(&L->panels[first + i], m, x + i * (panel_w + spacing), y, side);
}

void layout_compute(layout *L, int width, int height, float scale)
{
    *L = (layout){0};
    width = clamp0(width);
    height = clamp0(height);
    L->width = width;
    L->height = height;
    L->scale = scale;
    L->margin = scaled(scale, 10);
    L->gap = scaled(scale, 14);
    panel_metrics m = {scaled(scale, 22), scaled(scale, 6), scaled(scale, 12), scaled(scale, 50)};
    /* The status line needs a third line when the window is narrow for its
     * scale (about 1180 pixels at scale 1 hold it in two). */
    L->status_lines = width / scale < 1180 ? 3 : 2;
    const int status_h = scaled(scale, 4 + 20 * L->status_lines), footer_h = scaled(scale, 22);

    int x0 = L->margin, inner_w = clamp0(width - 2 * L->margin);
    L->status = (layout_rect){x0, L->margin / 2, inner_w, status_h};
    L->footer = (layout_rect){x0, clamp0(height - footer_h - L->margin / 4), inner_w, footer_h};
    int top = L->status.y + status_h + L->gap / 2;
    int bottom = L->footer.y - L->gap / 2;
    int content_h = clamp0(bottom - top);
    int extra = panel_extra_width(&m);

    L->three_rows = width < height * 5 / 4;
    if (!L->three_rows) {
        /* Top: three kernels, then the chart (at least a quarter of the
         * width). Bottom: four images. Both rows limited by width first,
         * then shrunk together to fit the height. */
        int chart_min = inner_w / 4 > scaled(scale, 240) ? inner_w / 4 : scaled(scale, 240);
        if (chart_min > inner_w / 2)
            chart_min = inner_w / 2;
        int kernel_side = (inner_w - chart_min - 3 * L->gap) / 3 - extra;
        int image_side = (inner_w - 3 * L->gap) / 4 - extra;
        int fixed_h = 2 * m.title_h + L->gap;
        int room = content_h - fixed_h;
        if (kernel_side + image_side > room && kernel_side + image_side > 0) {
            double f = (double)clamp0(room) / (kernel_side + image_side);
            kernel_side = (int)(kernel_side * f);
            image_side = (int)(image_side * f);
        }
        kernel_side = clamp0(kernel_side);
        image_side = clamp0(image_side);
        int row1_h = m.title_h + kernel_side;
        /* Spare height goes evenly above, between and below the rows. */
        int spare = clamp0(content_h - fixed_h - kernel_side - image_side) / 3;
        int y1 = top + spare, y2 = y1 + row1_h + L->gap + spare;
        for (int i = 0; i < LAYOUT_KERNEL_PANELS; i++)
            place_panel(&L->panels[i], &m, x0 + i * (kernel_side + extra + L->gap), y1,
                        kernel_side);
        int chart_x = x0 + 3 * (kernel_side + extra + L->gap);
        L->chart = (layout_rect){chart_x, y1, clamp0(x0 + inner_w - chart_x), row1_h};
        place_row(L, LAYOUT_INPUT, 4, &m, x0, y2, inner_w, image_side);
    } else {
        /* Kernels, images (four across, or two by two when four would be
         * too small), then the chart across the whole width. */
        int chart_h = content_h / 4 > scaled(scale, 160) ? content_h / 4 : scaled(scale, 160);
        int kernel_side = 0, image_side = 0, per_row = 4;
        for (int option = 4; option >= 2; option -= 2) {
            int rows = 4 / option;
            int ks = (inner_w - 2 * L->gap) / 3 - extra;
            int is = (inner_w - (option - 1) * L->gap) / option - extra;
            int room = content_h - (1 + rows) * (m.title_h + L->gap) - chart_h;
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
        int image_rows = 4 / per_row;
        int y = top;
        place_row(L, LAYOUT_LEARNED, 3, &m, x0, y, inner_w, kernel_side);
        y += m.title_h + kernel_side + L->gap;
        for (int row = 0; row < image_rows; row++) {
            place_row(L, LAYOUT_INPUT + row * per_row, per_row, &m, x0, y, inner_w, image_side);
            y += m.title_h + image_side + L->gap;
        }
        L->chart = (layout_rect){x0, y, inner_w, clamp0(bottom - y)};
    }
    /* Whatever does not fit a window too small for this scale is hidden
     * rather than drawn over its neighbours or off screen. */
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++) {
        layout_rect f = L->panels[i].frame;
        if (f.x + f.w > width || f.y + f.h > bottom || L->panels[i].plot.w < 1)
            L->panels[i] = (layout_panel){0};
    }
    if (L->chart.x + L->chart.w > width || L->chart.y + L->chart.h > bottom)
        L->chart = (layout_rect){0};
    if (L->status.y + L->status.h > height || L->status.w < 1)
        L->status = (layout_rect){0};
    if (L->footer.y < L->status.y + L->status.h || L->footer.w < 1)
        L->footer = (layout_rect){0};
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
