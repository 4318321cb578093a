/*
 * input.h: keys, mouse and dropped files, turned into worker requests and
 * window state.
 *
 * input_handle_event looks at one SDL event. What concerns training becomes
 * a worker request written to *out (the caller queues it); what concerns the
 * window only (help, fullscreen, UI scale, quitting, the mouse) changes the
 * ui_state. It calls nothing else, so the tests feed it synthetic events
 * and check both.
 *
 * Which key does what is the key table's (keymap.h), which also feeds the
 * footer and the help overlay; here each row's action is carried out. A
 * left click (or a tap: SDL turns touches into mouse events) on one of the
 * window's buttons (buttons.h) carries out its row through the same code;
 * one on a kernel cell edits it (kernel_edit.h), and while its field is
 * open the keys type into it. A click or a drag on the rewind timeline
 * asks for the stored state nearest the step under the mouse.
 * A dropped file or folder becomes a load request. A path too long for a
 * request (longer than the system opens) is refused whole, never cut: the
 * reason goes to ui_state.refused for the window to show.
 */
#ifndef LEARNFILTER_INPUT_H
#define LEARNFILTER_INPUT_H

#include <SDL.h>
#include <stdbool.h>

#include "buttons.h"
#include "insight.h"
#include "kernel_edit.h"
#include "worker.h"

#define INPUT_LR_FACTOR 3.16227766 /* sqrt(10): two presses are a factor of ten */
#define INPUT_SCALE_STEP 1.25f     /* Ctrl +/- multiplies or divides the UI scale */
#define INPUT_STEPS_WITH_SHIFT 10  /* steps Shift+N takes */
#define INPUT_REWIND_LATEST 2      /* the rewind rows' digit for End: the latest point */

typedef struct ui_state {
    bool quit;
    bool show_help;
    bool fullscreen;      /* what the user wants; the window applies it */
    float scale;          /* chosen UI scale; 0 follows the window size */
    bool layout_changed;  /* scale or fullscreen changed since the window last looked */
    bool mouse_inside;
    int mouse_x, mouse_y; /* window coordinates */
    bool record_toggle;   /* G was pressed; the window clears it */
    bool screenshot;      /* P or F12 was pressed; the window clears it */
    bool race_start;      /* C was pressed; the window clears it */
    bool present;         /* the presentation layout (V, F5, --present) */
    bool reel;            /* M was pressed (a GIF reel); the window clears it */
    bool reel_mp4;        /* Shift+M was pressed (an MP4 reel); the window clears it */
    char refused[WORKER_MESSAGE_MAX]; /* why a drop was not loaded; the window shows
                                         it and clears it */
    /* Set by the window each frame, for clicks: the buttons drawn last
     * (NULL: none) in drawable pixels, and the window's size in window
     * coordinates and in drawable pixels (zero: the same). */
    const button_bar *buttons;
    int window_w, window_h, draw_w, draw_h;
    /* The layout and the kernels last drawn (NULL: none), for clicks on
     * kernel cells, and the edit they start (kernel_edit.h). */
    const layout *drawn;
    const lf_snapshot *shown;
    kernel_edit edit;
    const samples_strip_hits *strip; /* the photos' thumbnails drawn last, or NULL */
    long timeline_latest; /* the latest step on the timeline drawn last (drawn->timeline) */
    bool timeline_drag;   /* the left button went down on the timeline and is held */
    insight_mode insight;  /* F / W: the frequency or bowl view, or off */
    bool insight_picked;   /* a kernel cell was clicked in the bowl view; the window
                              hands insight_pick on and clears it */
    int insight_pick;      /* that cell, row-major */
    bool layer_x;          /* X: the random-filters view is up (layer_view.h) */
    unsigned layer_x_roll; /* the roll it shows: X (and R while it is up) counts on */
} ui_state;

/* A point in window coordinates (as mouse events give it) in drawable
 * pixels (as the layout and the buttons are). */
void input_to_drawable(const ui_state *ui, int x, int y, int *px, int *py);

/* Carries out one row of the key table (digit: its place in a range of
 * keys; for the rewind rows, 1 with Shift and INPUT_REWIND_LATEST for End;
 * 0 otherwise), as a key press or a click on its button does.
 * Returns true when it wrote a request for the worker into out. */
bool input_do_action(ui_state *ui, keymap_action action, int digit, float current_scale,
                     worker_req *out);

/* Handles one event. current_scale is the scale in use (for Ctrl +/-).
 * Returns true when it wrote a request for the worker into out. The event
 * keeps its dropped path; the caller frees it after this call. */
bool input_handle_event(ui_state *ui, const SDL_Event *event, float current_scale,
                        worker_req *out);

#endif
