/*
 * kernel_edit.h: setting a kernel cell's value with the mouse.
 *
 * A click on a cell of the learned or the true kernel (kernels up to
 * KERNEL_EDIT_MAX_SIDE on a side) starts an edit. Dragging up or down
 * changes the value (a step per pixel, from the kernel's scale), and
 * releasing sets it; a click without a drag opens a small field instead:
 * type a number, Enter sets it, Esc cancels, a click elsewhere cancels.
 *
 * Setting a learned weight perturbs training, which goes on from there
 * (WORKER_REQ_SET_WEIGHT): the class watches it recover. Setting a cell of
 * the true kernel makes a custom kernel (WORKER_REQ_SET_TRUE_WEIGHT): the
 * targets are rebuilt and training starts again on it, as the Image Kernels
 * explainers let one make one's own kernel.
 *
 * The edit is pure state, fed by input.c with events in drawable pixels and
 * the layout and kernels last drawn; render_edit.c draws it. So the tests
 * drive it with synthetic events.
 */
#ifndef LEARNFILTER_KERNEL_EDIT_H
#define LEARNFILTER_KERNEL_EDIT_H

#include <SDL.h>
#include <stdbool.h>

#include "layout.h"
#include "learnfilter/trainer.h"

struct worker_req;

#define KERNEL_EDIT_MAX_SIDE 7   /* kernels whose cells print their values */
#define KERNEL_EDIT_DRAG_PX 100  /* dragging this far changes a value by the kernel's scale */
#define KERNEL_EDIT_CLICK_PX 3   /* a press that moves less is a click, not a drag */
#define KERNEL_EDIT_TEXT_MAX 16

typedef enum kernel_edit_mode {
    KERNEL_EDIT_NONE = 0,
    KERNEL_EDIT_PRESSED,  /* the button is down on a cell; not yet a drag */
    KERNEL_EDIT_DRAGGING, /* the value follows the mouse until the release */
    KERNEL_EDIT_TYPING    /* the field is open: digits, Enter, Esc */
} kernel_edit_mode;

typedef struct kernel_edit {
    kernel_edit_mode mode;
    int panel;            /* LAYOUT_LEARNED or LAYOUT_TRUE */
    int row, col, kh, kw; /* the cell, and the kernel's size */
    float start_value;    /* the cell's value when pressed */
    float value;          /* what the drag has made of it */
    float per_pixel;      /* the drag's step */
    int press_y;          /* drawable pixels */
    char text[KERNEL_EDIT_TEXT_MAX]; /* typed so far */
} kernel_edit;

/* A left press at (x, y) in drawable pixels over L's learned or true kernel
 * plot, whose kernels s holds. Starts an edit and returns true when it hit
 * a cell of an editable kernel; otherwise (and always, for an open field)
 * the edit ends unset and false is returned. */
bool kernel_edit_press(kernel_edit *e, const layout *L, const lf_snapshot *s, int x, int y);
/* The mouse moved to height y with the button down. */
void kernel_edit_motion(kernel_edit *e, int y);
/* The button came up. After a drag, writes the request that sets the value
 * and returns true; after a click, opens the field. */
bool kernel_edit_release(kernel_edit *e, struct worker_req *out);
/* A key while the field is open: always consumed. Returns true when Enter
 * wrote the request that sets the typed value (a text that is no number
 * closes the field unset). */
bool kernel_edit_key(kernel_edit *e, SDL_Keycode sym, struct worker_req *out);
/* True while keys belong to the field. */
static inline bool kernel_edit_typing(const kernel_edit *e) { return e->mode == KERNEL_EDIT_TYPING; }

/* The grid of a kernel panel's cells for a kernel of kh x kw, in the plot
 * (as the panels draw it). */
layout_rect kernel_edit_grid(const layout *L, int panel, int kh, int kw);

/* Runs on the worker's thread: sets cell of the trainer's true kernel to
 * value; the kernel becomes "custom" and training restarts with the
 * settings in use. LF_ERR_ARGUMENT for a cell out of range or a value that
 * is not finite, with the trainer unchanged. */
lf_status kernel_edit_apply_true(lf_trainer *t, int cell, double value, lf_error *err);

#endif
