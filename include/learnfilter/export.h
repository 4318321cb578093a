/*
 * export.h: writing weight histories and other files safely.
 *
 * Every file learnfilter writes goes first to a temporary name beside the
 * final one and is renamed only once complete and flushed, so a full disk
 * or a crash never leaves a half-written file under the name the user asked
 * for.
 *
 * Weight histories are written the way the original experiment kept its
 * kernels, one per epoch:
 *   .npy  float32, shape (snapshots, kernel_h, kernel_w): np.load reads it;
 *         a bank of several filters or channels (snapshots, F, C, h, w);
 *   .csv  one row per snapshot: step, epoch, rel_err, then the weights in
 *         row-major order under headers w_<row>_<col> (a bank's
 *         w_<filter>_<channel>_<row>_<col>).
 */
#ifndef LEARNFILTER_EXPORT_H
#define LEARNFILTER_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A file being written under a temporary name. */
typedef struct lf_atomic_file {
    FILE *stream;          /* write here */
    char final_path[4096];
    char temp_path[4096];
    int slot;              /* 1 + its entry among the open temporaries; 0 for none,
                              so a zeroed struct holds nothing */
    int write_errno;       /* why the first failed write failed (lf_atomic_note), 0 if
                              none: stdio drops its buffer on a failed write, so the
                              final flush can succeed and the reason would be lost */
} lf_atomic_file;

/* How many temporary files may be open at once and still be found by
 * lf_atomic_remove_temporaries; more still work, unlisted. */
#define LF_ATOMIC_MAX_OPEN 16

/* Opens a temporary file next to path. LF_ERR_IO when the folder is not
 * writable (the message names it). */
lf_status lf_atomic_open(lf_atomic_file *file, const char *path, lf_error *err);
/* Remembers errno when the stream has just failed: call it right after
 * writing, so "write failed: No space left on device" can say why. */
void lf_atomic_note(lf_atomic_file *file);
/* Flushes, closes and renames to the final name. On any failure the
 * temporary file is removed and the final name is untouched. */
lf_status lf_atomic_commit(lf_atomic_file *file, lf_error *err);
/* Closes and removes the temporary file; accepts a file never opened. */
void lf_atomic_abandon(lf_atomic_file *file);
/* Removes every temporary file still open, for a signal handler that is
 * about to _exit: it only calls unlink, which is async-signal-safe. */
void lf_atomic_remove_temporaries(void);

/* Writes a C-order float32 array of ndim (1 to 5) dimensions as .npy v1.0. */
lf_status lf_npy_write_f32(const char *path, const float *data, const size_t *shape, int ndim,
                           lf_error *err);

/* The most snapshots a history keeps, and the most memory their weights
 * take: a run with more epochs keeps every 2nd, then every 4th, ... (see
 * lf_weight_history_record), as the loss curve is thinned, so a long run
 * neither exhausts memory nor writes gigabytes. 10,000 snapshots of a 3x3
 * kernel; 1,024 of a 64x64 one. */
#define LF_WEIGHT_HISTORY_MAX_SNAPSHOTS 10000
#define LF_WEIGHT_HISTORY_MAX_BYTES (16L * 1024 * 1024)

/* A list of kernels, one per recorded moment of a run. */
typedef struct lf_weight_history {
    int kernel_height, kernel_width;
    int filters, channels; /* a bank's (F, C); 1 and 1 for one gray kernel */
    int count, capacity;
    int max_count;    /* the bound above for this kernel size */
    long spacing;     /* lf_weight_history_record keeps one offer in this many */
    long offered;     /* offers so far */
    float *weights;   /* count * kernel_height * kernel_width */
    long *steps;      /* count: the step each was taken at */
    int *epochs;      /* count: completed epochs at that step */
    double *rel_errs; /* count */
} lf_weight_history;

void lf_weight_history_init(lf_weight_history *h, int kernel_height, int kernel_width);
/* A history of a bank of F filters of C channels of kernel_height x
 * kernel_width (the trainer's weights, biases left out); F = C = 1 is
 * lf_weight_history_init. Snapshots are (F, C, h, w). */
void lf_weight_history_init_bank(lf_weight_history *h, int filters, int channels,
                                 int kernel_height, int kernel_width);
void lf_weight_history_deinit(lf_weight_history *h);
/* Offers the kernel at one more regular moment (each epoch's end). The
 * history keeps offers 0, spacing, 2 spacing, ...; when it is one short of
 * max_count it drops every other snapshot and doubles spacing, so it always
 * spans the whole run evenly and has room left for the last moment.
 * LF_ERR_NOMEM. */
lf_status lf_weight_history_record(lf_weight_history *h, const float *weights, long step, int epoch,
                                   double rel_err, lf_error *err);
/* Appends one kernel (kernel_height * kernel_width floats; a bank's
 * F * C times that) whatever the
 * spacing: the moment a run ended. LF_ERR_NOMEM, or LF_ERR_ARGUMENT when
 * the history is already at max_count. */
lf_status lf_weight_history_append(lf_weight_history *h, const float *weights, long step, int epoch,
                                   double rel_err, lf_error *err);
/* Writes .npy or .csv according to path's extension; anything else is
 * LF_ERR_ARGUMENT. */
lf_status lf_weight_history_write(const lf_weight_history *h, const char *path, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
