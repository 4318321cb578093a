/*
 * frame_trace.c: the per-frame trace behind LF_FRAME_TRACE. See
 * frame_trace.h.
 */
#include "frame_trace.h"

static const char *const phase_names[FRAME_PHASES] = {"events", "frame",   "images", "draw",
                                                      "capture", "sleep", "present"};

int frame_trace_open(frame_trace *t, const char *path)
{
    *t = (frame_trace){0};
    if (!path || !path[0])
        return 1;
    t->file = fopen(path, "w");
    if (!t->file)
        return 0;
    fputs("frame interval_ms", t->file);
    for (int i = 0; i < FRAME_PHASES; i++)
        fprintf(t->file, " %s_ms", phase_names[i]);
    fputs(" late_ms new\n", t->file);
    return 1;
}

void frame_trace_close(frame_trace *t)
{
    if (t->file)
        fclose(t->file);
    t->file = NULL;
}

void frame_trace_end(frame_trace *t, long frame, double interval_ms, double deadline_late_ms,
                     unsigned flags)
{
    if (!t->file)
        return;
    fprintf(t->file, "%ld %.3f", frame, interval_ms);
    for (int i = 0; i < FRAME_PHASES; i++)
        fprintf(t->file, " %.3f", t->ms[i]);
    fprintf(t->file, " %.3f %s%s%s%s\n", deadline_late_ms,
            flags & FRAME_TRACE_NEW_FRAME ? "f" : "", flags & FRAME_TRACE_NEW_IMAGES ? "i" : "",
            flags & FRAME_TRACE_DRAWN ? "d" : "", flags ? "" : "-");
}
