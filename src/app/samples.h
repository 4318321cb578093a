/*
 * samples.h: which sample patch the window shows, and the strip of photos
 * to pick it from.
 *
 * The first sample shown is the patch where the true filter responds most
 * (the largest mean |response| over the patch), so the class sees the
 * filter at work at once rather than a dark patch with nothing in it. Each
 * photograph gets its own best patch, shown in a strip of thumbnails;
 * clicking one shows that patch (WORKER_REQ_SAMPLE).
 *
 * The response is measured on a grid of output positions sparse enough
 * that one patch costs at most SAMPLES_WORK_PER_PATCH multiply-adds, so a
 * 64x64 kernel over many photos is still quick; it ranks patches, it is no
 * exact figure.
 */
#ifndef LEARNFILTER_SAMPLES_H
#define LEARNFILTER_SAMPLES_H

#include "layout.h"
#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"

#define SAMPLES_WORK_PER_PATCH (1 << 18)
#define SAMPLES_MAX_FILES 64 /* most photos samples_pick ranks one by one */
#define SAMPLES_STRIP_MAX 24 /* photos the window's strip shows */

/* Mean |correlation of the clean patch with k| over the valid positions
 * (sampled on a grid, see above); 0 when k does not fit the patch. */
double samples_response(const lf_dataset *ds, const lf_kernel *k, int patch);

/* For each of the first capacity (at most SAMPLES_MAX_FILES) files, its patch with the largest
 * response into best_per_file (-1 for a file without patches); returns
 * the best patch of all. *files gets min(file_count, capacity). */
int samples_pick(const lf_dataset *ds, const lf_kernel *k, int *best_per_file, int capacity,
                 int *files);

/* The patch's clean input averaged down to side x side pixels into out
 * (capacity side * side). */
void samples_thumbnail(const lf_dataset *ds, int patch, float *out, int side);

/* Where the window drew the strip's thumbnails (drawable pixels) and the
 * patch each shows, for clicks. */
typedef struct samples_strip_hits {
    int count;
    layout_rect rect[SAMPLES_STRIP_MAX];
    int patch[SAMPLES_STRIP_MAX];
} samples_strip_hits;

/* The patch of the thumbnail under (x, y), or -1. */
int samples_strip_hit(const samples_strip_hits *h, int x, int y);

#endif
