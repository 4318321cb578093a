/*
 * state.h: a trainer's whole training state as one block of bytes.
 *
 * A state holds everything a step reads and changes, so a trainer put back
 * into it continues exactly as the one it was taken from: the weights and
 * biases (of one gray filter, or of a layer's whole bank), the optimizer's
 * moments and step count, the epoch, the epoch's order and the position in
 * it, the shuffle generator, the figures and the loss curves; and what the
 * run was doing: the true kernel or bank, the layer (channels, filters,
 * stride, pooling, activation), the training settings, padding, seed and
 * tolerance; and which training data it ran on (patch size and counts, and
 * a checksum of every input pixel).
 *
 * In memory it is the same bytes as on disk, so a snapshot costs one
 * encoding and a rewind ring can hold states in fixed-size slots. The
 * encoding is a header (magic "LFSTATE\0", format version, body size, a
 * 64-bit FNV-1a checksum of the body) and a little-endian body. It holds no
 * time, no path and no padding bytes: equal states are equal bytes.
 *
 * Usage:
 *   lf_state *s = lf_state_create();
 *   lf_trainer_save_state(trainer, s, &err);        // between steps
 *   ... train on ...
 *   lf_trainer_restore_state(trainer, s, &err);     // back to that moment
 *   lf_state_write(s, "run.lfstate", &err);
 *   lf_state_destroy(s);
 *
 * A state read from a file is checked whole before it is accepted
 * (lf_state_read, lf_state_set_bytes); one from another format version, a
 * truncated or corrupt one is refused with a message that says which.
 */
#ifndef LEARNFILTER_STATE_H
#define LEARNFILTER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "learnfilter/error.h"
#include "learnfilter/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The format versions read: 1 holds one gray filter, 2 a layer of any
 * shape. A state of one gray filter is written as version 1 (the bytes it
 * always had, so older programs still read it), a layer's as version 2. */
#define LF_STATE_VERSION 2
#define LF_STATE_VERSION_OLDEST 1

/* The largest state file accepted: a state of 64 Mi training patches'
 * order is about 256 MB; anything above this is not one of ours. */
#ifndef LF_STATE_MAX_BYTES
#define LF_STATE_MAX_BYTES (512L * 1024 * 1024)
#endif

typedef struct lf_state lf_state;

/* An empty state; NULL when out of memory. Destroy accepts NULL. */
lf_state *lf_state_create(void);
void lf_state_destroy(lf_state *state);

/* Copies the trainer's training state into state. Allocates only when the
 * state has never held one this large (a trainer's states all have the
 * same size). The first save also checksums the training data, once per
 * dataset. LF_ERR_NOMEM. */
lf_status lf_trainer_save_state(lf_trainer *trainer, lf_state *state, lf_error *err);

/* Puts the trainer back to the moment state was taken, with its kernel and
 * settings. The trainer keeps its dataset, engine and threads; a state
 * taken on other training data (patch size, patch counts or pixels) is
 * refused with LF_ERR_INPUT and the trainer left as it was. So is a state
 * of another layer: one gray filter takes a state of any kernel size and
 * padding, but a layer (several filters or channels, a stride, pooling or
 * an activation) only one of its own channels, filters, kernel size,
 * stride, pooling, activation and padding, the message naming what
 * differs (its bank of true weights and its settings are the state's). */
lf_status lf_trainer_restore_state(lf_trainer *trainer, const lf_state *state, lf_error *err);

/* The encoded bytes (valid until the state changes) and their count. */
const void *lf_state_bytes(const lf_state *state, size_t *size);

/* Replaces state with a copy of bytes after checking them whole: header,
 * version, size, checksum and every field's range. name labels messages
 * (a file name). LF_ERR_INPUT, LF_ERR_NOMEM; on failure state is empty. */
lf_status lf_state_set_bytes(lf_state *state, const void *bytes, size_t size, const char *name,
                             lf_error *err);

/* The file forms: written through a temporary file and renamed, so a
 * failed write leaves no half file; read and checked as lf_state_set_bytes. */
lf_status lf_state_write(const lf_state *state, const char *path, lf_error *err);
lf_status lf_state_read(lf_state *state, const char *path, lf_error *err);

/* Figures of a held state (its step and epoch), for messages; zero when
 * empty. */
long lf_state_step(const lf_state *state);
int lf_state_epoch(const lf_state *state);

#ifdef __cplusplus
}
#endif
#endif
