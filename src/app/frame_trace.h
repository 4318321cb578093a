/*
 * frame_trace.h: where each of the window's frames spends its time, for
 * finding the long ones.
 *
 * --stats says how long the worst frames are; this says why. With the
 * environment variable LF_FRAME_TRACE=FILE the window writes one line per
 * frame to FILE: the frame's number, the interval since the last frame,
 * the milliseconds of each phase of the loop (below, in order), and what
 * was new (a kernel frame, images, a redraw). Without it every call is a
 * test of one pointer, so the loop keeps its calls in release builds.
 *
 *   frame_trace t; frame_trace_open(&t, getenv(FRAME_TRACE_ENV));
 *   frame_trace_begin(&t, now);  ... frame_trace_mark(&t, FRAME_PHASE_DRAW, now); ...
 *   frame_trace_end(&t, frame_number, interval_ms, flags);
 *   frame_trace_close(&t);
 */
#ifndef LEARNFILTER_FRAME_TRACE_H
#define LEARNFILTER_FRAME_TRACE_H

#include <stdbool.h>
#include <stdio.h>

#define FRAME_TRACE_ENV "LF_FRAME_TRACE"

/* The loop's phases, in the order they run; each mark ends one. */
typedef enum frame_phase {
    FRAME_PHASE_EVENTS,  /* input events and requests to the worker */
    FRAME_PHASE_FRAME,   /* the newest kernel frame taken: layout, title, notices */
    FRAME_PHASE_IMAGES,  /* the newest images taken: their scales and residual */
    FRAME_PHASE_DRAW,    /* the scene drawn (texture uploads included) */
    FRAME_PHASE_CAPTURE, /* the frame handed to a recording, the marker */
    FRAME_PHASE_SLEEP,   /* waiting for the frame's deadline */
    FRAME_PHASE_PRESENT, /* SDL_RenderPresent */
    FRAME_PHASES
} frame_phase;

/* What a frame had to do, in the trace's last column. */
enum {
    FRAME_TRACE_NEW_FRAME = 1,  /* "f": a kernel frame published since the last */
    FRAME_TRACE_NEW_IMAGES = 2, /* "i": images published since the last */
    FRAME_TRACE_DRAWN = 4,      /* "d": the scene was drawn and presented */
};

typedef struct frame_trace {
    FILE *file;                 /* NULL: tracing is off */
    double last;                /* the time of the last mark, seconds */
    unsigned flags;             /* FRAME_TRACE_NEW_* of this frame */
    double ms[FRAME_PHASES];
} frame_trace;

/* Opens path for writing (NULL or "": off). When it cannot be opened,
 * says so on stderr and tracing is off. */
void frame_trace_open(frame_trace *t, const char *path);
void frame_trace_close(frame_trace *t);
static inline void frame_trace_begin(frame_trace *t, double now)
{
    if (t->file) {
        t->last = now;
        t->flags = 0;
        for (int i = 0; i < FRAME_PHASES; i++)
            t->ms[i] = 0;
    }
}
/* Ends phase at now: its time is the time since the last mark. */
static inline void frame_trace_mark(frame_trace *t, frame_phase phase, double now)
{
    if (t->file) {
        t->ms[phase] += (now - t->last) * 1e3;
        t->last = now;
    }
}
/* Ends FRAME_PHASE_FRAME or FRAME_PHASE_IMAGES, saying whether what it
 * took was newly published. */
static inline void frame_trace_mark_new(frame_trace *t, frame_phase phase, double now,
                                        bool is_new)
{
    if (is_new)
        t->flags |= phase == FRAME_PHASE_FRAME ? FRAME_TRACE_NEW_FRAME : FRAME_TRACE_NEW_IMAGES;
    frame_trace_mark(t, phase, now);
}
/* The frame's line; deadline_late_ms is how far past its deadline the
 * sleep woke (the sleep's overshoot), drawn whether it was drawn and
 * presented. */
void frame_trace_end(frame_trace *t, long frame, double interval_ms, double deadline_late_ms,
                     bool drawn);

#endif
