/*
 * frame_stats.c: the frame-time histogram and the --stats line. See
 * frame_stats.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "frame_stats.h"

#include "json_out.h"

#include <ctype.h>
#include <math.h>
#include <time.h>

double frame_stats_thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void frame_stats_add(frame_stats *s, double ms)
{
    int b = (int)(ms / FRAME_STATS_BIN_MS);
    s->bins[b < 0 ? 0 : b >= FRAME_STATS_BINS ? FRAME_STATS_BINS - 1 : b]++;
    s->count++;
    s->total_ms += ms;
    if (s->count == 1 || ms > s->max_ms)
        s->max_ms = ms;
}

double frame_stats_max(const frame_stats *s) { return s->count > 0 ? s->max_ms : NAN; }

double frame_stats_percentile(const frame_stats *s, double p)
{
    if (s->count == 0)
        return NAN;
    long want = (long)ceil(p * s->count), seen = 0;
    if (want < 1)
        want = 1;
    for (int b = 0; b < FRAME_STATS_BINS; b++) {
        seen += s->bins[b];
        if (seen >= want)
            return (b + 0.5) * FRAME_STATS_BIN_MS;
    }
    return FRAME_STATS_BINS * FRAME_STATS_BIN_MS;
}

/* One "key": value pair of the line, and its comma. */
static void json_number(FILE *f, const char *key, double v)
{
    fprintf(f, "\"%s\": ", key);
    json_out_number(f, v);
    fputs(", ", f);
}

void frame_stats_print(FILE *f, const frame_stats_line *l)
{
    fprintf(f, "{\"frames\": %ld, ", l->frames);
    json_number(f, "frame_ms_p50", frame_stats_percentile(l->frame_times, 0.50));
    json_number(f, "frame_ms_p99", frame_stats_percentile(l->frame_times, 0.99));
    json_number(f, "frame_ms_max", frame_stats_max(l->frame_times));
    json_number(f, "work_ms_p50", frame_stats_percentile(l->work_times, 0.50));
    json_number(f, "work_ms_p99", frame_stats_percentile(l->work_times, 0.99));
    json_number(f, "fps", l->seconds > 0 ? l->frames / l->seconds : 0.0);
    fprintf(f, "\"steps\": %ld, ", l->steps);
    json_number(f, "steps_per_s", l->train_seconds > 0 ? l->steps / l->train_seconds : 0.0);
    json_number(f, "main_cpu_ms_per_frame",
                l->frames > 0 ? l->main_cpu_seconds * 1e3 / l->frames : 0.0);
    json_number(f, "worker_cpu_s", l->worker_cpu_seconds);
    json_number(f, "steps_per_cpu_s",
                l->worker_cpu_seconds > 0 ? l->steps / l->worker_cpu_seconds : 0.0);
    fprintf(f, "\"step\": %ld, ", l->step);
    json_number(f, "rel_err", l->rel_err);
    char state[32] = ""; /* in capitals, as the window's badge says it */
    for (size_t i = 0; l->state && l->state[i] && i + 1 < sizeof state; i++)
        state[i] = (char)toupper((unsigned char)l->state[i]);
    fputs("\"state\": ", f);
    json_out_string(f, state);
    fprintf(f, ", \"width\": %d, \"height\": %d, \"renderer\": ", l->width, l->height);
    json_out_string(f, l->renderer);
    fprintf(f, ", \"recorded_frames\": %ld, \"recorded_dropped\": %ld}\n", l->recorded_frames,
            l->recorded_dropped);
    fflush(f);
}
