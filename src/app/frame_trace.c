/*
 * frame_trace.c: the per-frame trace behind LF_FRAME_TRACE. See
 * frame_trace.h.
 */
#include "frame_trace.h"

#include <errno.h>
#include <string.h>

static const char *const phase_names[FRAME_PHASES] = {"events", "frame",   "images", "draw",
                                                      "capture", "sleep", "present"};

void frame_trace_open(frame_trace *t, const char *path)
{
    *t = (frame_trace){0};
    if (!path || !path[0])
        return;
    t->file = fopen(path, "w");
    if (!t->file) {
        fprintf(stderr, "learnfilter: %s: cannot write the frame trace: %s\n", path,
                strerror(errno));
        return;
    }
    fputs("frame interval_ms", t->file);
    for (int i = 0; i < FRAME_PHASES; i++)
        fprintf(t->file, " %s_ms", phase_names[i]);
    fputs(" late_ms new\n", t->file);
}

void frame_trace_close(frame_trace *t)
{
    if (t->file)
        fclose(t->file);
    t->file = NULL;
}

void frame_trace_end(frame_trace *t, long frame, double interval_ms, double deadline_late_ms,
                     bool drawn)
{
    if (!t->file)
        return;
    unsigned flags = t->flags | (drawn ? FRAME_TRACE_DRAWN : 0);
    fprintf(t->file, "%ld %.3f", frame, interval_ms);
    for (int i = 0; i < FRAME_PHASES; i++)
        fprintf(t->file, " %.3f", t->ms[i]);
    fprintf(t->file, " %.3f %s%s%s%s\n", deadline_late_ms,
            flags & FRAME_TRACE_NEW_FRAME ? "f" : "", flags & FRAME_TRACE_NEW_IMAGES ? "i" : "",
            flags & FRAME_TRACE_DRAWN ? "d" : "", flags ? "" : "-");
}
