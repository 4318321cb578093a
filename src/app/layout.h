/*
 * layout.h: where every panel goes, as pure rectangle arithmetic.
 *
 * Given the drawable size in pixels and the UI scale, layout_compute places
 * the status bar, the seven heatmap panels (three kernels, four images),
 * the loss chart and the footer. It knows nothing of SDL or fonts, so the
 * tests can check it for any window size without a display.
 *
 * Wide windows (the usual 16:9) put the kernels and the chart in the top
 * row and the four images below; tall windows stack kernels, images and the
 * chart in three rows. Heatmap plots are square and as large as the space
 * allows; each has its title above and its colorbar to the right.
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
    layout_rect frame;    /* everything below belongs inside it */
    layout_rect title;    /* one line above the plot */
    layout_rect plot;     /* square heatmap area */
    layout_rect colorbar; /* the bar; tick labels go to its right, inside frame */
} layout_panel;

typedef struct layout {
    int width, height;    /* drawable size in pixels */
    float scale;          /* UI scale the sizes below were computed for */
    int margin;           /* around the edges */
    int gap;              /* between panels */
    layout_rect status;   /* status_lines text lines across the top */
    int status_lines;     /* 2, or 3 in narrow windows */
    layout_rect chart;    /* the loss chart, with its axes and legend */
    layout_rect footer;   /* one line across the bottom */
    layout_panel panels[LAYOUT_PANEL_COUNT];
    bool three_rows;      /* the tall arrangement */
} layout;

#define LAYOUT_MIN_SCALE 0.5f
#define LAYOUT_MAX_SCALE 4.0f

/* The scale that makes text readable for a window of this size: 1 at
 * 1280x720, growing with the window, within the limits above. */
float layout_auto_scale(int width, int height);

/* Fills L for a width x height drawable at the given UI scale. Any size is
 * accepted; tiny windows get tiny (possibly empty) rectangles, never
 * negative ones. */
void layout_compute(layout *L, int width, int height, float scale);

bool layout_contains(layout_rect r, int x, int y);

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
