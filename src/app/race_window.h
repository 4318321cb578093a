/*
 * race_window.h: a race in the window (key C).
 *
 * The window's run goes on as it is; a race adds a second worker (worker.h)
 * made from the same photographs, the same kernel and seed (so the same
 * initial weights and patch order) and the window's current settings with
 * the --race options on top, or, without --race, the other optimizer
 * (SGD <-> Adam, each with its usual rate). Starting a race restarts the
 * first run at step 0 too, so both leave from the same point, and they
 * train at the same pace. Pause, step, reset and speed act on both; any
 * other change to the first run (a kernel, a rate, the optimizer, a drop)
 * ends the race, since the two would no longer differ by what it says.
 *
 *   race_window rw;
 *   race_window_init(&rw, &setup, options, clock);   // before worker_create takes setup
 *   if (key C) race_window_start(&rw, first, frame, message, sizeof message);
 *   race_window_forward(&rw, &req, frame);            // after each request to the first
 *   const worker_frame *second = race_window_frame(&rw);  // NULL: no race
 *   race_window_deinit(&rw);
 */
#ifndef LEARNFILTER_RACE_WINDOW_H
#define LEARNFILTER_RACE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "clock.h"
#include "setup.h"
#include "worker.h"

typedef struct race_window {
    lf_dataset patches;       /* a copy of the patches the window started with */
    bool has_patches;         /* false: out of memory at the start, no race possible */
    const cli_options *cli;   /* borrowed; its race text says what the second changes */
    app_clock clock;          /* the time both workers pace on */
    worker *second;           /* NULL: no race */
    char first_label[96];     /* what the first run is, where the two differ: "SGD lr 0.01" */
    char second_label[96];    /* and the second: "Adam lr 0.001" */
    long started;             /* races started, for tests */
} race_window;

/* Keeps a copy of setup's patches for later races. Call before
 * worker_create takes setup. */
void race_window_init(race_window *rw, const app_setup *setup, const cli_options *options,
                      app_clock clock);
void race_window_deinit(race_window *rw);

/* Starts a race from what frame shows of the first run (NULL: its newest
 * frame; ending one under way) and restarts the first at step 0. Writes what it did, or why it
 * could not, into message; false when it could not. */
bool race_window_start(race_window *rw, worker *first, const worker_frame *frame,
                       char *message, size_t size);

/* Ends the race under way, if any. */
void race_window_end(race_window *rw);

/* A request the first run was sent: pause, step, reset, speed and the
 * sample act on the second too; anything else ends the race (true then,
 * with what to say in message). shown is the first run's frame when the
 * request was made. */
bool race_window_forward(race_window *rw, const worker_req *req, const worker_frame *shown,
                         char *message, size_t size);

/* The second run's newest frame, or NULL when no race is under way. */
const worker_frame *race_window_frame(race_window *rw, bool *is_new);

/* The second run's frame for this frame of the window (NULL: no race);
 * sets *changed when it is new, and writes who is ahead into lead. */
const worker_frame *race_window_view(race_window *rw, const worker_frame *first, bool *changed,
                                     char *lead, size_t size);

/* Fills the report's race figures (window.h): the races started and, for
 * the last, both runs' step and error at the end (first: the first run's
 * last frame). report may be NULL. */
struct window_report;
void race_window_report(race_window *rw, struct window_report *report,
                        const worker_frame *first);

/* For tests in lockstep: worker_settle on the second run. */
void race_window_settle(race_window *rw);

/* Which run is ahead, in one line for the window: "Adam is ahead: kernel
 * error 3.1% vs 15.2% (4.9x lower)", or which reached the tolerance first
 * and by how many steps. */
void race_window_lead(const race_window *rw, const worker_frame *first,
                      const worker_frame *second, char *out, size_t size);

#endif
