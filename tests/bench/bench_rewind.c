/*
 * bench_rewind: what the window's rewind costs, on the default photographs
 * at the window's default patch size (256), for Sobel x (3x3), the
 * smiley (32x32), and a colour layer (Sobel x and y over R, G, B: with
 * ReLU and 2x2 pooling on the layer's direct engine, and linear at stride
 * 2 on the statistics engine): the size of one training state, how many states the
 * ring holds and the memory they take after a run, the time a state takes
 * to keep, and the scrub latency: putting a stored state back and
 * computing the sample images the window then shows (what the worker does
 * for each J, L or move of the mouse on the timeline). Medians of repeated
 * runs, wall time and the thread's CPU time. A program, not a test.
 *
 * Run from the build folder: ./learnfilter_bench_rewind [steps]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "learnfilter/dataset.h"
#include "learnfilter/kernel.h"
#include "learnfilter/rewind.h"
#include "learnfilter/state.h"
#include "learnfilter/trainer.h"

#ifndef LF_SOURCE_DATA_DIR
#define LF_SOURCE_DATA_DIR "data"
#endif

#define REPS 41

/* layer NULL: one gray filter, kernel a catalog name; else kernel is a
 * bank over the dataset's channels. */
static int run(const char *kernel, const lf_layer_options *layer, const lf_dataset *ds,
               long steps)
{
    lf_error err;
    lf_kernel k;
    lf_trainer_options o = {.seed = 1};
    if (layer) {
        o.layer = *layer;
        if (lf_kernel_bank_resolve(&k, &o.layer.filters, kernel, layer->channels, 1, &err) !=
            LF_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
    } else if (lf_kernel_from_name(&k, kernel, 1, &err) != LF_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    o.target = k;
    lf_trainer *t = lf_trainer_create(&o, ds, &err);
    lf_rewind *ring = lf_rewind_create();
    lf_snapshot snap;
    if (!t || !ring || lf_snapshot_init(&snap, ds->patch_size, &err) != LF_OK) {
        fprintf(stderr, "%s\n", t ? "out of memory" : err.message);
        return 1;
    }
    double keep[REPS * 8], keep_cpu[REPS * 8];
    int kept_n = 0;
    for (long s = 0; s <= steps; s++) {
        if (s > 0 && lf_trainer_step(t, &err) != LF_OK)
            break;
        bool due = lf_rewind_due(ring, lf_trainer_figures(t)->step);
        double w0 = bench_wall_seconds(), c0 = bench_thread_seconds();
        lf_rewind_record(ring, t, NULL, &err);
        if (due && kept_n < REPS * 8) {
            keep[kept_n] = bench_wall_seconds() - w0;
            keep_cpu[kept_n++] = bench_thread_seconds() - c0;
        }
    }
    int n = lf_rewind_count(ring);
    size_t one;
    lf_state_bytes(lf_rewind_state(ring, n - 1), &one);
    double wall[REPS], cpu[REPS];
    for (int r = 0; r < REPS; r++) {
        int i = (r * 7) % n;
        double w0 = bench_wall_seconds(), c0 = bench_thread_seconds();
        lf_rewind_restore(ring, i, t, &err);
        lf_trainer_snapshot(t, &snap, true);
        wall[r] = bench_wall_seconds() - w0;
        cpu[r] = bench_thread_seconds() - c0;
    }
    char name[48];
    snprintf(name, sizeof name, "%s%s", kernel,
             !layer ? "" : layer->pool > 1 ? " relu pool 2" : " stride 2");
    printf("%-30s %5dx%-3d engine %-6s state %7.1f kB  ring %2d of %2d states, stride %5ld, "
           "%6.2f MB  keep %6.3f ms (cpu %6.3f)  scrub %6.3f ms (cpu %6.3f)\n",
           name, k.height, k.width, lf_engine_name(lf_trainer_engine(t)), one / 1024.0, n,
           lf_rewind_capacity(ring), lf_rewind_stride(ring), lf_rewind_bytes(ring) / 1048576.0,
           bench_median(keep, kept_n) * 1e3, bench_median(keep_cpu, kept_n) * 1e3,
           bench_median(wall, REPS) * 1e3, bench_median(cpu, REPS) * 1e3);
    lf_snapshot_deinit(&snap);
    lf_rewind_destroy(ring);
    lf_trainer_destroy(t);
    return 0;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 5000;
    const char *paths[1] = {LF_SOURCE_DATA_DIR};
    lf_dataset ds;
    lf_error err;
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 256, .seed = 1};
    if (lf_dataset_load(&ds, &o, &err) != LF_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("rewind ring: at most %d states and %.0f MB; %ld steps on %d patches of %dx%d\n",
           LF_REWIND_SLOTS, LF_REWIND_MAX_BYTES / 1048576.0, steps, ds.patch_count,
           ds.patch_size, ds.patch_size);
    int status = run("sobel-x", NULL, &ds, steps) || run("smiley", NULL, &ds, steps);
    lf_dataset_deinit(&ds);
    if (status)
        return status;
    o.channels = 3;
    if (lf_dataset_load(&ds, &o, &err) != LF_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("colour: %d patches of 3x%dx%d\n", ds.patch_count, ds.patch_size, ds.patch_size);
    lf_layer_options pooled = {.channels = 3, .activation = LF_ACTIVATION_RELU, .pool = 2};
    lf_layer_options strided = {.channels = 3, .stride = 2};
    status = run("sobel-x,sobel-y", &pooled, &ds, steps) ||
             run("sobel-x,sobel-y", &strided, &ds, steps);
    lf_dataset_deinit(&ds);
    return status;
}
