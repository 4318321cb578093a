/*
 * layout.h: where every panel goes, as pure rectangle arithmetic.
 *
 * Given the drawable size in pixels and the UI scale, layout_compute places
 * the status bar, the seven heatmap panels (three kernels, four images),
 * the loss chart with the rewind timeline under it, and the footer. It knows nothing of SDL or fonts, so the
 * tests can check it for any window size without a display.
 *
 * Wide windows (the usual 16:9) put the kernels and the chart in the top
 * row and the four images below; tall windows stack kernels, images and the
 * chart in three rows. Heatmap plots are square and as large as the space
 * allows; each has its title above and its colorbar to the right, and the
 * kernels a caption line below (the bias, the kernel's name).
 *
 * A bigger UI scale takes room from the plots (titles, colorbar labels and
 * the status line grow). So that it never makes the kernel's numbers
 * smaller, the wide layout is chosen from a list, fullest first: all
 * panels; without the learned-minus-true panel; the two kernels and the
 * chart; the two kernels alone. The first whose kernel plots hold a 3x3
 * kernel's numbers at value_px wins. value_px depends on the window size
 * only, never on the scale.
 */
#ifndef LEARNFILTER_LAYOUT_H
#define LEARNFILTER_LAYOUT_H

#include <stdbool.h>

/* The smallest window the layout is made for, in pixels: below it the
 * panels' titles, tick labels and status line overlap. The command line
 * refuses a smaller --width/--height, the window does not shrink below it,
 * and a full-layout movie frame is at least this. */
#define LAYOUT_MIN_WIDTH 640
#define LAYOUT_MIN_HEIGHT 360

typedef struct layout_rect {
    int x, y, w, h;
} layout_rect;

typedef enum layout_panel_id {
    LAYOUT_LEARNED = 0, /* the weights being learned */
    LAYOUT_TRUE,        /* the true kernel */
    LAYOUT_DIFF,        /* learned minus true */
    LAYOUT_INPUT,       /* the grayscale sample patch */
    LAYOUT_OUTPUT,      /* the network's output for it */
    LAYOUT_TARGET,      /* the true filter's output */
    LAYOUT_RESIDUAL,    /* output minus target */
    LAYOUT_PANEL_COUNT
} layout_panel_id;

#define LAYOUT_KERNEL_PANELS 3 /* LAYOUT_LEARNED .. LAYOUT_DIFF */

typedef struct layout_panel {
    layout_rect frame;    /* everything below belongs inside it; all zero: not shown */
    layout_rect title;    /* one line above the plot */
    layout_rect plot;     /* square heatmap area */
    layout_rect colorbar; /* the bar; tick labels go to its right, inside frame */
    layout_rect caption;  /* kernels: one line below the plot; images: empty */
} layout_panel;

/* Which panels the wide layout shows, fullest first (see the top). */
typedef enum layout_arrangement {
    LAYOUT_ALL = 0,      /* three kernels and the chart, four images */
    LAYOUT_NO_DIFF,      /* learned and true kernels and the chart, four images */
    LAYOUT_KERNELS_CHART,/* learned and true kernels and the chart */
    LAYOUT_KERNELS_ONLY, /* learned and true kernels */
    LAYOUT_ARRANGEMENT_COUNT
} layout_arrangement;

/* The cell values' font, in pixels at 1280x720 (it grows with the window,
 * not with the UI scale), and the limits of that size. */
#define LAYOUT_VALUE_PX 20
#define LAYOUT_VALUE_MIN_PX 10
#define LAYOUT_VALUE_MAX_PX 56
/* A cell holds a value when the value is at most the cell's side less
 * LAYOUT_CELL_MARGIN pixels wide. A 3x3 kernel's values have five
 * characters ("−0.50", about 3.1 px wide per px of font); bigger kernels
 * print four ("−0.2", about 2.45), with a common factor in the caption
 * when needed. Their cells hold them at value_px, and at
 * LAYOUT_VALUE_SMALL_SHARE of it for kernels above 3x3. */
#define LAYOUT_CELL_MARGIN 4
#define LAYOUT_VALUE_SMALL_SHARE 0.7
/* The status line's text at UI scale 1 is about this wide, in pixels: the
 * layout gives it as many lines as that needs (the renderer leaves out the
 * least important items when they still do not fit). */
#define LAYOUT_STATUS_TEXT_WIDTH 1450

typedef struct layout {
    int width, height;    /* drawable size in pixels */
    float scale;          /* UI scale the sizes below were computed for */
    int margin;           /* around the edges */
    int gap;              /* between panels */
    layout_rect status;   /* status_lines text lines across the top */
    int status_lines;     /* 2, or 3 in narrow windows */
    layout_rect chart;    /* the loss chart, with its axes and legend */
    layout_rect timeline; /* under the chart: the stored states to scrub (rewind.h);
                             empty when the chart is too small to give it room */
    layout_rect footer;   /* one line across the bottom */
    layout_rect buttons;  /* the row of on-screen buttons above the footer (buttons.h) */
    layout_rect strip;    /* the photos to pick the sample from, above the buttons */
    layout_panel panels[LAYOUT_PANEL_COUNT];
    bool three_rows;      /* the tall arrangement */
    layout_arrangement arrangement; /* which panels the wide one shows */
    int value_px;         /* largest font for values in kernel cells, fixed pixels */
    int kernel_cells;     /* the kernel side it was computed for */
    bool present;         /* the presentation layout (layout_compute_present) */
} layout;

#define LAYOUT_MIN_SCALE 0.5f
#define LAYOUT_MAX_SCALE 4.0f

/* The scale that makes text readable for a window of this size: 1 at
 * 1280x720, growing with the window, within the limits above. */
float layout_auto_scale(int width, int height);

/* Fills L for a width x height drawable at the given UI scale, for a 3x3
 * kernel. Any size is accepted; tiny windows get tiny (possibly empty)
 * rectangles, never negative ones. */
void layout_compute(layout *L, int width, int height, float scale);

/* The same for a kernel whose longer side is kernel_cells (values are
 * printed up to 7): the arrangement is chosen so that its cells hold their
 * values. */
void layout_compute_for(layout *L, int width, int height, float scale, int kernel_cells);

/* The presentation layout (layout_present.c), for a class at the back of
 * the room and for movies: a large caption line and a plain status line
 * across the top; the learned and true kernels above the network's output
 * and the target, two by two and as large as the window allows; the loss
 * chart beside them when there is room. No footer, no buttons, no strip,
 * no learned - true, input or residual panel. When the kernels' cells
 * would not hold their values at value_px, the images give way and the
 * two kernels fill the window. Sets L->present. */
void layout_compute_present(layout *L, int width, int height, float scale, int kernel_cells);

/* layout_compute_present when present, else layout_compute. */
void layout_compute_mode(layout *L, int width, int height, float scale, bool present);

bool layout_contains(layout_rect r, int x, int y);

/* The cell-value font size for a window: LAYOUT_VALUE_PX at 1280x720,
 * growing with the window's shorter side, within the limits above. */
int layout_value_px(int width, int height);

/* The panel whose plot holds (x, y), or -1. */
int layout_panel_at(const layout *L, int x, int y);

/* The largest grid of rows x cols equal square cells of a whole number of
 * pixels that fits in area, centred in it; so every cell is drawn crisp.
 * When even one pixel per cell does not fit, cells are one pixel and the
 * grid is clipped to the area's size. */
layout_rect layout_grid_fit(layout_rect area, int rows, int cols);

/* The cell of a grid (from layout_grid_fit) under (x, y); false outside. */
bool layout_grid_cell(layout_rect grid, int rows, int cols, int x, int y, int *row, int *col);

#endif
