/*
 * layer_view.h: the window's random-filters experiment (key X): eight
 * random 3x3x3 filters over a colour photo from the dataset, each making
 * one feature map, re-rolled on request.
 *
 * The maps come from the core's own layer forward (layer.h: 3 channels in,
 * 8 filters, stride 1, 'same' padding, no bias, no activation), computed
 * on a thread of this module's own, never on the render thread: the window
 * asks for a roll and draws the newest finished one.
 *
 * The filters of a roll come from the seed alone (layer_view_filters), so
 * the same --seed shows the same filters, and X again shows new ones. The
 * photo is the first colour photo of the dataset's files from the seed on
 * (a gray file has nothing to show colour filters with), shrunk so its
 * longer side is at most LAYER_VIEW_PHOTO_SIDE.
 *
 *   layer_view *v = layer_view_create(&(layer_view_options){.data_dir = dir, .seed = 1});
 *   layer_view_request(v, 1);
 *   const layer_view_result *r = layer_view_acquire(v, &is_new);  // NULL until ready
 *   layer_view_destroy(v);
 */
#ifndef LEARNFILTER_LAYER_VIEW_H
#define LEARNFILTER_LAYER_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layer_layout.h"
#include "learnfilter/error.h"

#define LAYER_VIEW_PHOTO_SIDE 256 /* the photo's longer side at most, pixels */
#define LAYER_VIEW_TAPS (LAYER_X_FILTERS * 3 * 3 * 3) /* weights of the eight filters */
#define LAYER_VIEW_MESSAGE_MAX 256
#define LAYER_VIEW_NAME_MAX 128

typedef struct layer_view_result {
    unsigned roll;               /* which roll: 1, 2, ...; 0: none yet */
    bool ok;                     /* false: message says why there are no maps */
    char message[LAYER_VIEW_MESSAGE_MAX];
    char photo_name[LAYER_VIEW_NAME_MAX]; /* the file's base name */
    int height, width;           /* the photo's, and every map's */
    float filters[LAYER_VIEW_TAPS]; /* (8, 3, 3, 3) */
    size_t capacity;             /* floats in each plane buffer below (height * width fits) */
    float *photo;                /* (3, height, width), R, G, B on [0, 1] */
    float *maps;                 /* (8, height, width) */
} layer_view_result;

/* The eight filters of a roll: weights (count floats, at most
 * LAYER_VIEW_TAPS written) drawn from N(0, 1/27) by a generator seeded from
 * seed and roll, so each map's values stay on the photo's scale. */
void layer_view_filters(float *weights, size_t count, uint64_t seed, unsigned roll);

/* Fills out (whose buffers hold out->capacity floats per plane) with the
 * roll's filters over photo (3, height, width) and their maps, through
 * lf_layer_forward. LF_ERR_ARGUMENT when the photo does not fit out's
 * capacity, LF_ERR_NOMEM for the workspace. */
lf_status layer_view_compute(layer_view_result *out, const float *photo, int height, int width,
                             uint64_t seed, unsigned roll, lf_error *err);

/* Zero means default, in brackets. */
typedef struct layer_view_options {
    const char *const *paths;    /* the dataset's photos and folders, as --images [none] */
    int path_count;
    const char *data_dir;        /* used when there are no paths [required then] */
    uint64_t seed;               /* [0] */
} layer_view_options;

typedef struct layer_view layer_view;

/* Starts the thread; NULL when out of memory or it cannot start. The
 * options' strings are copied. Destroy joins it and accepts NULL. */
layer_view *layer_view_create(const layer_view_options *options);
void layer_view_destroy(layer_view *v);

/* Asks for roll (a newer request replaces one not yet started). */
void layer_view_request(layer_view *v, unsigned roll);

/* The newest finished roll, or NULL before the first. The pointer and its
 * content stay valid until the next call. is_new: finished since then. */
const layer_view_result *layer_view_acquire(layer_view *v, bool *is_new);

#endif
