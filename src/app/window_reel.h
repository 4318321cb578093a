/*
 * window_reel.h: the window's M key: a reel (reel.h) of the run so far.
 *
 * The window keeps a reel history from the frames the worker publishes:
 * each new frame whose step is due for a point (log-spaced) adds one,
 * and a restart or another kernel starts it afresh. So a point's step,
 * error and weights are exactly those of a frame the window showed. M
 * copies the history and the sample shown, and a thread of its own draws
 * and encodes the reel (a GIF in the recording folder) while the window
 * and training go on; the window polls for the outcome and shows it.
 */
#ifndef LEARNFILTER_WINDOW_REEL_H
#define LEARNFILTER_WINDOW_REEL_H

#include <stdbool.h>

#include "worker.h"

typedef struct window_reel window_reel;

/* NULL when out of memory. dir: where reels go (NULL: the current folder);
 * the string must outlive the reel. */
window_reel *window_reel_create(const char *dir);

/* Waits for a reel being written, then frees everything. Accepts NULL. */
void window_reel_destroy(window_reel *w);

/* A newly published frame. */
void window_reel_observe(window_reel *w, const worker_frame *frame);

/* M: starts writing a reel of the history with the sample in images, in
 * frames of width x height. Writes what happened into message (the file's
 * name is said when it is done). false when it cannot start. */
bool window_reel_start(window_reel *w, const worker_frame *frame, const worker_images *images,
                       int width, int height, char *message, int size);

/* True once when a reel finished since the last call, with the outcome
 * in message. */
bool window_reel_poll(window_reel *w, char *message, int size, bool *is_error);

/* Once a frame: starts a reel when *pressed (M; cleared here) and collects
 * one finished. True when there is something to say, written into message
 * (also to stderr for a reel written or failed: the status is gone once
 * the window closes). */
bool window_reel_frame(window_reel *w, bool *pressed, const worker_frame *frame,
                       const worker_images *images, char *message, int size, bool *is_error);

/* The path of the last reel written ("" when none), for tests. */
const char *window_reel_last_path(const window_reel *w);

#endif
