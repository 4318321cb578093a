/*
 * frame_stats.h: the window's frame times and the one JSON line --stats
 * prints at the end.
 *
 * Frame times go into a fixed histogram, so a run of any length can report
 * percentiles without storing every frame or allocating. The line is valid
 * JSON after any number of frames: a figure that needs more frames than
 * were drawn (a percentile of no intervals) is null.
 */
#ifndef LEARNFILTER_FRAME_STATS_H
#define LEARNFILTER_FRAME_STATS_H

#include <stdio.h>

#define FRAME_STATS_BIN_MS 0.01 /* histogram resolution */
#define FRAME_STATS_BINS 20000  /* so up to 200 ms; longer frames count as 200 ms */

typedef struct frame_stats {
    long count;
    double total_ms;
    double max_ms;   /* the longest, exactly (the histogram stops at 200 ms) */
    int bins[FRAME_STATS_BINS];
} frame_stats;

void frame_stats_add(frame_stats *s, double ms);
/* The p-quantile (0 < p <= 1) in ms, at the middle of its bin; NaN when empty. */
double frame_stats_percentile(const frame_stats *s, double p);
/* The longest in ms; NaN when empty. */
double frame_stats_max(const frame_stats *s);

/* CPU time used by the calling thread, in seconds: the main thread's
 * share of the --stats line. */
double frame_stats_thread_cpu_seconds(void);

/* What the --stats line reports. */
typedef struct frame_stats_line {
    long frames;
    const frame_stats *frame_times; /* intervals between presented frames */
    const frame_stats *work_times;  /* each frame's own work */
    double seconds;                 /* the window's run */
    long steps;
    double train_seconds;           /* the worker's time training */
    double main_cpu_seconds, worker_cpu_seconds;
    long step;                      /* the last frame shown: its step, error and state */
    double rel_err;
    const char *state;              /* printed in capitals, as the window's badge */
    int width, height;
    const char *renderer;
    long recorded_frames, recorded_dropped;
} frame_stats_line;

void frame_stats_print(FILE *f, const frame_stats_line *l);

#endif
