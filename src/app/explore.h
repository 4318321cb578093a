/*
 * explore.h: the explore mode's state, without SDL: what any filter or
 * sliding-window operation does to a picture before anything is learned.
 *
 * Three views share one state:
 *   image   the input beside the result of the chosen operation (or of a
 *           comparison: 3x3 box against 7x7 box, mean once/twice/three/ten
 *           times, median against mean, Gaussian sigma 2 against 8, the
 *           slides' edge kernels), with the output size written out as
 *           floor((n - f + 2p) / s) + 1;
 *   lens    a small grid of numbers (the slides' grids, or a crop of the
 *           photo) with the window sliding one position a step, the cells
 *           under it lit and the output filling in with its arithmetic;
 *   signal  the notebook's 1-D lesson: a step, a window, and the step
 *           convolved with it, normalised by the window's sum.
 *
 * The front end turns keys and clicks into explore_action values and calls
 * explore_apply; explore_update recomputes what changed. Everything here is
 * plain data and the core's operations, so tests drive it without a window.
 */
#ifndef LEARNFILTER_EXPLORE_H
#define LEARNFILTER_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/error.h"
#include "learnfilter/kernel.h"
#include "learnfilter/lens.h"
#include "learnfilter/ops.h"
#include "learnfilter/signal1d.h"

/* The largest photo side explore works on: bigger photos are shrunk, so a
 * 9x9 median stays instant on a key press. */
#define EXPLORE_MAX_SIDE 256
/* Results shown side by side at most (a comparison's columns). */
#define EXPLORE_MAX_RESULTS 4
/* The photo crop the lens shows as numbers; the built-in grids are no
 * larger, so the lens's output holds at most EXPLORE_LENS_MAX_OUTPUT. */
#define EXPLORE_CROP_SIDE 10
#define EXPLORE_LENS_MAX_OUTPUT (EXPLORE_CROP_SIDE * EXPLORE_CROP_SIDE)
/* The 1-D view's signal length and longest window. */
#define EXPLORE_SIGNAL_LENGTH 300
#define EXPLORE_SIGNAL_MAX_TAPS 100

typedef enum explore_view { EXPLORE_VIEW_IMAGE = 0, EXPLORE_VIEW_LENS, EXPLORE_VIEW_SIGNAL,
                            EXPLORE_VIEW_COUNT } explore_view;

/* How a result is coloured. */
typedef enum explore_display {
    EXPLORE_DISPLAY_AUTO = 0, /* gray when nothing is negative, else signed */
    EXPLORE_DISPLAY_SIGNED,   /* diverging, white at zero */
    EXPLORE_DISPLAY_ABS,      /* gray of |result|, as the notebook shows edges */
    EXPLORE_DISPLAY_GRAY,     /* gray from the smallest to the largest value */
    EXPLORE_DISPLAY_COUNT
} explore_display;

/* The comparisons the slides make; NONE shows the user's own operation. */
typedef enum explore_compare {
    EXPLORE_COMPARE_NONE = 0,
    EXPLORE_COMPARE_BOX_SIZE,   /* 3x3 box against 7x7 box */
    EXPLORE_COMPARE_REPEAT,     /* mean 3x3 once, twice, three times, ten times */
    EXPLORE_COMPARE_MEDIAN,     /* median against mean, 9x9 (radius 4) */
    EXPLORE_COMPARE_GAUSSIAN,   /* Gaussian sigma 2 against sigma 8 */
    EXPLORE_COMPARE_EDGES,      /* [-1 0 1], [-1 -1 -1; 0 0 0; 1 1 1], [-1 2 -1] */
    EXPLORE_COMPARE_COUNT
} explore_compare;

typedef enum explore_action {
    EXPLORE_NEXT_VIEW = 0,
    EXPLORE_NEXT_KIND, EXPLORE_PREV_KIND,       /* kernel, sum, mean, max, min, median */
    EXPLORE_GROW, EXPLORE_SHRINK,               /* window side, or the next kernel */
    EXPLORE_STRIDE_UP, EXPLORE_STRIDE_DOWN,
    EXPLORE_NEXT_REPEAT,                        /* 1, 2, 3, 10 */
    EXPLORE_TOGGLE_PADDING,                     /* same / valid */
    EXPLORE_TOGGLE_SHAPE,                       /* square / plus */
    EXPLORE_NEXT_IMAGE,                         /* photos, then the slides' grids */
    EXPLORE_NEXT_COMPARE,
    EXPLORE_NEXT_DISPLAY,
    EXPLORE_LENS_STEP, EXPLORE_LENS_BACK,       /* one position */
    EXPLORE_LENS_PLAY,                          /* start or stop sliding */
    EXPLORE_SIGNAL_NEXT_WINDOW, EXPLORE_SIGNAL_NEXT_TAPS,
    EXPLORE_LEARN_THIS,                         /* train a network on this operation */
    EXPLORE_ACTION_COUNT
} explore_action;

/* A picture explore can work on: a bundled (or dropped) photo, or a grid. */
typedef struct explore_image {
    char name[96];
    int height, width;
    float *values; /* height x width, owned */
    bool is_grid;  /* numbers given as they are, not intensities */
} explore_image;

/* One result column. */
typedef struct explore_result {
    char label[96];
    lf_op op;
    lf_kernel kernel;      /* the weights op.kernel points at, for kernels */
    int height, width;
    float *values;         /* height x width, capacity EXPLORE_MAX_SIDE^2 */
    float lo, hi;          /* the values' range */
    float shared_lo, shared_hi; /* the range the colours use (shared by a comparison) */
    float limit;           /* signed and |value| colours: 99.5th percentile of |value| */
    explore_display shown; /* AUTO resolved */
} explore_result;

/* The kernel the user types in, cell by cell, or drops as a file. */
#define EXPLORE_CUSTOM_SIDE 3

typedef struct explore_state {
    explore_view view;
    /* The user's own operation. */
    lf_op_kind kind;
    int kernel_index; /* into the kernel catalog; the catalog's count: the custom kernel */
    lf_kernel custom; /* typed into the cells (3x3 at first) or dropped as a file */
    int edit_cell;    /* the custom kernel's cell being typed into, or -1 */
    char edit_text[24];
    int size;         /* window side for the reductions */
    lf_window_shape shape;
    int repeat, stride;
    lf_padding padding;
    explore_compare compare;
    explore_display display;

    explore_image *images; /* photos first, then grids */
    int image_count, image_index;

    explore_result results[EXPLORE_MAX_RESULTS];
    int result_count;

    /* Lens: the grid (or photo crop) and the position being explained. */
    explore_image lens_input;
    int lens_position, lens_positions; /* row-major over the output */
    bool lens_playing;
    float lens_output[EXPLORE_LENS_MAX_OUTPUT]; /* shown up to lens_position */
    int lens_out_h, lens_out_w;
    lf_lens_cell lens_cells[LF_LENS_MAX_CELLS];
    lf_lens_step lens_step;
    char lens_text[512];
    char lens_message[160]; /* why the lens cannot show this operation, or "" */

    /* 1-D view. */
    lf_window1d signal_window;
    int signal_taps;
    float signal[EXPLORE_SIGNAL_LENGTH];
    float signal_kernel[EXPLORE_SIGNAL_MAX_TAPS];
    float signal_out[EXPLORE_SIGNAL_LENGTH];

    float *scratch; /* EXPLORE_MAX_SIDE^2, for percentiles */
    char message[LF_ERROR_MESSAGE_MAX]; /* the last refusal, shown once */
    char learn[64]; /* set by EXPLORE_LEARN_THIS: the operation, as --target takes it */
    bool dirty;                         /* results need explore_update */
    unsigned version;                   /* counts updates, so pictures re-upload once */
} explore_state;

/* Sets up explore with the given photos (paths; may be none) and the
 * built-in grids. Photos that cannot be read are skipped with a message in
 * s->message. LF_ERR_NOMEM; LF_ERR_INPUT when there is nothing to show. */
lf_status explore_init(explore_state *s, const char *const *photo_paths, int photo_count,
                       lf_error *err);
void explore_deinit(explore_state *s);

/* Adds a photo (a dropped file) and shows it. */
lf_status explore_add_photo(explore_state *s, const char *path, lf_error *err);

/* Carries out one action; returns false (with the reason in s->message)
 * when it does not apply here. */
bool explore_apply(explore_state *s, explore_action action);

/* Recomputes the results, the lens and the 1-D view when something
 * changed. LF_ERR_NOMEM, or LF_ERR_ARGUMENT with the reason in err when the
 * operation does not fit the image (the old results stay). */
lf_status explore_update(explore_state *s, lf_error *err);

/* The custom kernel: select it, and type into its cells. A cell edit
 * begins on a click (cell row-major, < custom's height x width), takes
 * characters of a number, and ends with commit (the number becomes the
 * weight; false with a message for text that is not a number) or cancel. */
void explore_select_custom(explore_state *s);
bool explore_edit_begin(explore_state *s, int cell);
void explore_edit_type(explore_state *s, const char *utf8);
void explore_edit_erase(explore_state *s);
bool explore_edit_commit(explore_state *s);
void explore_edit_cancel(explore_state *s);

/* A kernel file (a text matrix or a .npy, as --kernel reads) becomes the
 * custom kernel and is selected. */
lf_status explore_load_kernel(explore_state *s, const char *path, lf_error *err);

/* Shows image index (a click on its thumbnail). */
void explore_show_image(explore_state *s, int index);

/* The kernel of the user's own operation (for the kernel panel). */
void explore_current_kernel(const explore_state *s, lf_kernel *kernel);

/* The operation the user chose, as ops.h runs it. */
lf_op explore_current_op(const explore_state *s, lf_kernel *kernel);

/* The user's operation as --target takes it ("median:3", "sobel-x"), or
 * false with the reason in s->message when a network cannot learn it as
 * it stands (a stride, repeats, 'valid' padding, a typed kernel). */
bool explore_target_spec(explore_state *s, char *out, size_t capacity);

/* A short name for an operation: "median 5x5", "mean plus", "sobel-x". */
void explore_op_name(const lf_op *op, const lf_kernel *kernel, char *out, size_t capacity);

/* The output size of one pass along one side written out:
 * "⌊(n − f + 2p)/s⌋ + 1 = ⌊(256 − 3 + 2)/2⌋ + 1 = 128" (2p: the padding on
 * both sides together). */
void explore_size_formula(const lf_op *op, int n, char *out, size_t capacity);

/* The lens's input: the grid shown, or the photo crop. */
const explore_image *explore_lens_input(const explore_state *s);

#endif
