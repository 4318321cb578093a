/*
 * state_layer.h: the layer section of a training state (format version 2),
 * for state_format.c: the layer's settings as the state holds them, their
 * encoding, and whether a trainer can take a state of that layer.
 *
 * A trainer sizes its buffers for its layer when it is created, and a
 * restore must not fail half-way or allocate, so a layer's state is put
 * back only into a trainer of the same layer: the same channels, filters,
 * kernel size, stride, pooling, activation and padding. (One gray filter
 * is the exception it always was: it takes a state of any kernel size and
 * padding, and the state's kernel.)
 */
#ifndef LEARNFILTER_STATE_LAYER_H
#define LEARNFILTER_STATE_LAYER_H

#include <stdbool.h>

#include "learnfilter/error.h"
#include "learnfilter/trainer.h"
#include "state_bytes.h"

/* A layer's settings with every default filled in (no zero left). */
typedef struct state_layer {
    int channels, filters, stride, pool; /* pool 1: none */
    lf_activation activation;
} state_layer;

/* The layer of options (zeros read as their defaults). */
state_layer state_layer_of(const lf_layer_options *layer);
/* One gray filter at stride 1, linear, without pooling: what a version 1
 * state holds. */
bool state_layer_plain(const state_layer *layer);

/* Section layout: u32 channels, filters, stride, pool, activation. */
void state_layer_put(writer *w, const state_layer *layer);
/* Reads the section; false when short or a value is outside layer.h's
 * limits. */
bool state_layer_get(reader *r, state_layer *layer);

/* Whether the layer with kernels of kh x kw and padding makes a layer on
 * patches of patch_size (layer.h's lf_layer_shape_make). */
bool state_layer_fits(const state_layer *layer, int kh, int kw, lf_padding padding,
                      int patch_size);

/* LF_OK when trainer t, whose layer is not one gray filter or whose state
 * is not, can take a state of layer with kernels of kh x kw and padding.
 * Otherwise LF_ERR_INPUT with a sentence that describes the state's layer,
 * names what differs in this run's and the options that set it. */
lf_status state_layer_match(const lf_trainer *t, const state_layer *layer, int kh, int kw,
                            lf_padding padding, lf_error *err);

#endif
