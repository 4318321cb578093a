/*
 * samples.c: ranking patches by how much the true filter responds to them,
 * and their thumbnails. See samples.h.
 */
#include "samples.h"

#include <math.h>

double samples_response(const lf_dataset *ds, const lf_kernel *k, int patch)
{
    int side = ds->patch_size, kh = k->height, kw = k->width;
    int oh = side - kh + 1, ow = side - kw + 1;
    if (oh < 1 || ow < 1 || patch < 0 || patch >= ds->patch_count)
        return 0;
    /* The grid step that keeps the work under the bound. */
    double positions = (double)SAMPLES_WORK_PER_PATCH / ((double)kh * kw);
    int stride = 1;
    while ((double)((oh + stride - 1) / stride) * ((ow + stride - 1) / stride) > positions)
        stride++;
    const float *in = lf_dataset_clean(ds, patch);
    double sum = 0;
    long count = 0;
    for (int y = 0; y < oh; y += stride)
        for (int x = 0; x < ow; x += stride) {
            double acc = 0;
            for (int i = 0; i < kh; i++) {
                const float *row = in + (long)(y + i) * side + x, *w = k->weights + i * kw;
                for (int j = 0; j < kw; j++)
                    acc += (double)w[j] * row[j];
            }
            sum += fabs(acc);
            count++;
        }
    return count ? sum / count : 0;
}

int samples_pick(const lf_dataset *ds, const lf_kernel *k, int *best_per_file, int capacity,
                 int *files)
{
    int n = ds->file_count < capacity ? ds->file_count : capacity;
    n = n < 0 ? 0 : n > SAMPLES_MAX_FILES ? SAMPLES_MAX_FILES : n;
    double file_best[SAMPLES_MAX_FILES];
    for (int f = 0; f < n; f++) {
        best_per_file[f] = -1;
        file_best[f] = -1;
    }
    int best = 0;
    double best_value = -1;
    for (int p = 0; p < ds->patch_count; p++) {
        double r = samples_response(ds, k, p);
        if (r > best_value) {
            best_value = r;
            best = p;
        }
        int f = ds->patch_file ? ds->patch_file[p] : 0;
        if (f >= 0 && f < n && r > file_best[f]) {
            file_best[f] = r;
            best_per_file[f] = p;
        }
    }
    *files = n;
    return best;
}

void samples_thumbnail(const lf_dataset *ds, int patch, float *out, int side)
{
    int ps = ds->patch_size;
    const float *in = lf_dataset_clean(ds, patch);
    for (int ty = 0; ty < side; ty++)
        for (int tx = 0; tx < side; tx++) {
            int y0 = ty * ps / side, y1 = (ty + 1) * ps / side;
            int x0 = tx * ps / side, x1 = (tx + 1) * ps / side;
            y1 = y1 > y0 ? y1 : y0 + 1;
            x1 = x1 > x0 ? x1 : x0 + 1;
            double sum = 0;
            for (int y = y0; y < y1 && y < ps; y++)
                for (int x = x0; x < x1 && x < ps; x++)
                    sum += in[(long)y * ps + x];
            out[ty * side + tx] = (float)(sum / ((double)(y1 - y0) * (x1 - x0)));
        }
}

int samples_strip_hit(const samples_strip_hits *h, int x, int y)
{
    for (int i = 0; i < h->count && i < SAMPLES_STRIP_MAX; i++)
        if (layout_contains(h->rect[i], x, y))
            return h->patch[i];
    return -1;
}
