/*
 * state_format.h: the training state's bytes (state_format.c), for state.c.
 */
#ifndef LEARNFILTER_STATE_FORMAT_H
#define LEARNFILTER_STATE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/error.h"
#include "learnfilter/trainer.h"

/* Bytes of the trainer's state, header included. The first call on a
 * dataset checksums its pixels (kept in the trainer). */
size_t state_encoded_size(lf_trainer *t);
/* Writes them to out, which holds state_encoded_size(t) bytes. */
void state_encode(lf_trainer *t, unsigned char *out);
/* Checks bytes whole: header, version, size, checksum, every field.
 * LF_ERR_INPUT with name and the reason. */
lf_status state_check(const unsigned char *bytes, size_t size, const char *name, lf_error *err);
/* Puts t in the state of bytes (already checked); refuses a state on
 * other data, leaving t as it was. */
lf_status state_restore(lf_trainer *t, const unsigned char *bytes, size_t size, lf_error *err);
/* Step and epoch of checked bytes. */
bool state_figures(const unsigned char *bytes, size_t size, long *step, int *epoch);

#endif
