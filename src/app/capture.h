/*
 * capture.h: the window recording itself to a GIF (G) and writing PNG
 * screenshots (P or F12).
 *
 * The window calls these on its own thread, in this order each frame:
 *
 *   capture_update(c)                       collects finished movies and
 *                                           screenshots, for the message
 *   render_draw(...)                        the scene, status line included
 *   capture_frame(c, renderer, w, h)        reads the scene back into the
 *                                           recorder (at CAPTURE_FPS) and
 *                                           for a screenshot asked for
 *   capture_draw_marker(c, renderer, ...)   the red dot and elapsed time,
 *                                           drawn after the read-back so it
 *                                           is never in the movie
 *   SDL_RenderPresent(renderer)
 *
 * Encoding happens elsewhere: GIF frames on the recorder's thread
 * (recorder.h), which drops frames rather than make the window wait, and a
 * screenshot on a one-shot thread of its own from a copy of the frame. So a
 * press of G or P costs the frame loop one read-back and a copy.
 *
 * Files go to options.dir as learnfilter-<kernel>-YYYYmmdd-HHMMSS.gif (or
 * .png), with -2, -3, ... added when that name is taken. Every outcome
 * (where a file went, or why it could not be written) becomes the capture's
 * message, which the window shows on its status line; nothing here stops
 * the program.
 */
#ifndef LEARNFILTER_CAPTURE_H
#define LEARNFILTER_CAPTURE_H

#include <SDL.h>
#include <stdbool.h>

#include "clock.h"
#include "layout.h"
#include "text.h"

#define CAPTURE_FPS 15           /* movie frames a second: smooth enough, light to encode */
#define CAPTURE_MESSAGE_MAX 640

/* Zero means default, given in brackets. */
typedef struct capture_options {
    const char *dir;             /* folder for movies and screenshots [the current folder] */
    int fps;                     /* movie frames a second [CAPTURE_FPS] */
    int loop;                    /* GIF repeat count [0: forever]; -1 plays once */
    /* Called with every new message, on the window's thread [none]: the
     * window logs them to stderr, so files written while closing are named. */
    void (*on_message)(void *user, const char *message, bool is_error);
    void *user;
    app_clock clock;             /* when movie frames are due [the real clock] */
    bool wait_when_full;         /* wait for the encoder rather than drop a frame [false] */
} capture_options;

typedef struct capture capture;

/* Builds the GIF palette now, so the first G does not stall a frame.
 * NULL only when out of memory. */
capture *capture_create(const capture_options *options);

/* Finishes a movie being recorded (keeping it) and waits for a screenshot
 * being written; their outcomes go to on_message. */
void capture_finish(capture *c);

/* capture_finish, then frees everything. Accepts NULL. */
void capture_destroy(capture *c);

/* Starts recording w x h frames to path, or to a new name in the folder
 * when path is NULL. False when it cannot (the message says why). */
bool capture_start(capture *c, const char *path, const char *kernel_name, int w, int h);

/* Stops recording; the movie is finished in the background and the message
 * then says where it went. why (may be NULL) starts that message, e.g.
 * "window resized". */
void capture_stop(capture *c, const char *why);

/* G: starts or stops. */
void capture_toggle(capture *c, const char *kernel_name, int w, int h);

/* Asks for a screenshot of the next frame read back. */
void capture_request_screenshot(capture *c, const char *kernel_name);

bool capture_is_recording(const capture *c);
/* True while a frame must be drawn for the capture (recording, or a
 * screenshot waiting), even when nothing on screen changed. */
bool capture_wants_frame(const capture *c);

/* Collects finished work. Call once a frame. */
void capture_update(capture *c);

/* Reads the frame drawn so far (w x h, the renderer's output) into the
 * recorder when a movie frame is due and into a screenshot when one was
 * asked for. A size other than the movie's finishes the movie (a resize or
 * fullscreen toggle). */
void capture_frame(capture *c, SDL_Renderer *renderer, int w, int h);

/* Where the marker's red dot is centred, and its radius: just under the
 * status line's right end, in the gap above the panels, where it hides
 * neither the state badge nor a panel. */
void capture_marker_dot(const layout *L, int *x, int *y, int *radius);

/* Draws the recording marker when recording. */
void capture_draw_marker(capture *c, SDL_Renderer *renderer, text_ctx *text, const layout *L);

/* The latest message and its serial, which changes with every new message.
 * brief: a notice to show only for a moment (recording started), not an
 * outcome to leave time to read (a file's name, a failure). */
const char *capture_message(const capture *c, unsigned *serial, bool *is_error, bool *brief);

/* Counts, for tests and --stats. */
typedef struct capture_counts {
    long movies_started, movies_written, movies_failed;
    long frames_taken, frames_dropped;
    long screenshots_written, screenshots_failed;
    char last_movie[4096];       /* path of the last movie written */
    char last_screenshot[4096];  /* path of the last screenshot written */
} capture_counts;
const capture_counts *capture_get_counts(const capture *c);

#endif
