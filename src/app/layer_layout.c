/*
 * layer_layout.c: a layer's table and the random-filters view, placed in
 * the window's content area. See layer_layout.h.
 */
#include "layer_layout.h"

#include <string.h>

static int sc(float scale, int pixels)
{
    int v = (int)(pixels * scale + 0.5f);
    return v < 1 ? 1 : v;
}

static int clamp0(int v) { return v < 0 ? 0 : v; }

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

layout_rect layer_layout_content(const layout *L)
{
    int top = L->status.h > 0 ? L->status.y + L->status.h + L->gap / 2 : L->margin;
    int bottom = L->strip.h > 0     ? L->strip.y - L->gap / 2
                 : L->buttons.h > 0 ? L->buttons.y - L->gap / 2
                 : L->footer.h > 0  ? L->footer.y - L->gap / 2
                                    : L->height - L->margin;
    return (layout_rect){L->margin, top, clamp0(L->width - 2 * L->margin), clamp0(bottom - top)};
}

/* The square side for a table of F filters in cols columns, table_w wide. */
static int side_for(int F, int C, int cols, int table_w, int h, float scale)
{
    const int title_h = sc(scale, 22), caption_h = sc(scale, 20), row_gap = sc(scale, 8);
    const int ch_gap = sc(scale, 3), group_gap = sc(scale, 18), col_gap = sc(scale, 16);
    int rows = (F + cols - 1) / cols;
    int col_w = (table_w - (cols - 1) * col_gap) / cols;
    int side_w = (col_w - 2 * (C - 1) * ch_gap - 3 * group_gap) / (2 * C + 2);
    int side_h = (h - title_h - rows * caption_h - (rows - 1) * row_gap) / rows;
    return side_w < side_h ? side_w : side_h;
}

void layer_layout_compute(layer_layout *LL, layout_rect area, int filters, int channels,
                          float scale)
{
    memset(LL, 0, sizeof *LL);
    LL->area = area;
    const int F = clampi(filters, 1, LAYER_LAYOUT_MAX_FILTERS);
    const int C = clampi(channels, 1, LAYER_LAYOUT_MAX_CHANNELS);
    LL->filters = F;
    LL->channels = C;
    const int title_h = sc(scale, 22), caption_h = sc(scale, 20), row_gap = sc(scale, 8);
    const int ch_gap = sc(scale, 3), group_gap = sc(scale, 18), col_gap = sc(scale, 16);
    /* With the right column (sample and chart) when the window is wide
     * enough for it and the squares stay readable; one or two columns of
     * filters, whichever makes them larger. */
    int side = 0, cols = 1, right_w = 0;
    for (int with_right = 1; with_right >= 0 && side < sc(scale, 20); with_right--) {
        int rw = with_right && area.w >= sc(scale, 640) ? area.w * 34 / 100 : 0;
        if (with_right && !rw)
            continue;
        int table_w = area.w - (rw ? rw + col_gap : 0);
        for (int c = 1; c <= 2 && c <= F; c++) {
            int s = side_for(F, C, c, table_w, area.h, scale);
            if (s > side) {
                side = s;
                cols = c;
                right_w = rw;
            }
        }
    }
    if (side < 4)
        return; /* no room: nothing is drawn, nothing overlaps */
    LL->side = side;
    LL->columns = cols;
    int rows = (F + cols - 1) / cols;
    int group_w = C * side + (C - 1) * ch_gap;
    int cw = 2 * group_w + 2 * side + 3 * group_gap; /* one column of the table */
    int tw = cols * cw + (cols - 1) * col_gap;
    int th = title_h + rows * (side + caption_h) + (rows - 1) * row_gap;
    int x0 = right_w ? area.x : area.x + (area.w - tw) / 2;
    int y0 = area.y + clamp0(area.h - th) / 3;
    LL->table = (layout_rect){x0, y0, tw, th};
    for (int k = 0; k < cols; k++) {
        int cx = x0 + k * (cw + col_gap);
        int gx[4] = {cx, cx + group_w + group_gap, cx + 2 * (group_w + group_gap),
                     cx + 2 * (group_w + group_gap) + side + group_gap};
        /* One title over the map and the target: two squares are too
         * narrow for a readable word each. */
        int gw[3] = {group_w, group_w, 2 * side + group_gap};
        for (int i = 0; i < 3; i++)
            LL->head[k][i] = (layout_rect){gx[i], y0, gw[i], title_h};
        for (int f = k * rows; f < F && f < (k + 1) * rows; f++) {
            int y = y0 + title_h + (f - k * rows) * (side + caption_h + row_gap);
            for (int c = 0; c < C; c++) {
                LL->learned[f][c] = (layout_rect){gx[0] + c * (side + ch_gap), y, side, side};
                LL->truth[f][c] = (layout_rect){gx[1] + c * (side + ch_gap), y, side, side};
            }
            LL->map[f] = (layout_rect){gx[2], y, side, side};
            LL->target[f] = (layout_rect){gx[3], y, side, side};
            LL->caption[f] = (layout_rect){cx, y + side, cw, caption_h};
        }
    }
    if (!right_w)
        return;
    /* A table limited by its height leaves width over: the column takes it. */
    right_w = area.w - tw - col_gap;
    int rx = area.x + area.w - right_w;
    /* The sample above the chart, when the chart keeps a useful height. */
    int input_side = area.h * 2 / 5 - title_h;
    input_side = input_side < right_w ? input_side : right_w;
    int chart_y = area.y + title_h + input_side + col_gap;
    if (input_side >= sc(scale, 48) && area.y + area.h - chart_y >= sc(scale, 140)) {
        LL->input_title = (layout_rect){rx, area.y, right_w, title_h};
        LL->input = (layout_rect){rx, area.y + title_h, input_side, input_side};
    } else {
        chart_y = area.y;
    }
    LL->chart = (layout_rect){rx, chart_y, right_w, clamp0(area.y + area.h - chart_y)};
}

void layer_x_layout_compute(layer_x_layout *X, layout_rect area, float scale)
{
    memset(X, 0, sizeof *X);
    X->area = area;
    const int title_h = sc(scale, 30), cell_title_h = sc(scale, 20), hint_h = sc(scale, 20);
    const int gap = sc(scale, 14), swatch_gap = sc(scale, 6);
    X->title = (layout_rect){area.x, area.y, area.w, title_h};
    X->hint = (layout_rect){area.x, area.y + area.h - hint_h, area.w, hint_h};
    int by = area.y + title_h + gap / 2;
    int bh = X->hint.y - gap / 2 - by;
    if (bh < 2 * (cell_title_h + 8) || area.w < 160)
        return;
    int pw = area.w * 30 / 100;
    if (pw > bh - cell_title_h)
        pw = bh - cell_title_h;
    X->photo_title = (layout_rect){area.x, by, pw, cell_title_h};
    X->photo = (layout_rect){area.x, by + cell_title_h, pw, pw};
    int gx = area.x + pw + 2 * gap, gw = area.x + area.w - gx;
    int cell_w = (gw - 3 * gap) / 4, cell_h = (bh - gap) / 2;
    /* map m and its swatch m / 4 side by side under the cell's title */
    int m = (cell_w - swatch_gap) * 4 / 5;
    if (m > cell_h - cell_title_h)
        m = cell_h - cell_title_h;
    if (m < 8)
        return;
    int s = m / 4;
    /* The photo and the two rows of maps as one block, centred in height. */
    int block_h = 2 * (cell_title_h + m) + gap;
    if (block_h < cell_title_h + pw)
        block_h = cell_title_h + pw;
    int top = by + (bh - block_h) / 2;
    X->photo_title.y = top;
    X->photo.y = top + cell_title_h;
    for (int i = 0; i < LAYER_X_FILTERS; i++) {
        int cx = gx + (i % 4) * (cell_w + gap), cy = top + (i / 4) * (cell_title_h + m + gap);
        X->cell_title[i] = (layout_rect){cx, cy, cell_w, cell_title_h};
        X->swatch[i] = (layout_rect){cx, cy + cell_title_h, s, s};
        X->map[i] = (layout_rect){cx + s + swatch_gap, cy + cell_title_h, m, m};
    }
}
