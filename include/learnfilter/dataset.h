/*
 * dataset.h: training patches cut from photographs.
 *
 * A dataset is built once from a list of files and folders (folders are
 * searched with their subfolders, as the MIT scene set is laid out: one
 * folder per category). Each image becomes grayscale (or, with channels 3,
 * three planes R, G, B, each patch stored (3, size, size)), is optionally shrunk
 * by an integer factor, is enlarged if its shorter side is below the patch
 * size, and is cut into patch x patch squares from the top left, every
 * patch_stride pixels (by default the patch size: no overlap). With
 * variants, each image is cut again mirrored and turned (below) at the
 * mirrored and turned places, so a variant of a patch is that very patch
 * mirrored or turned (patch_origin says which), and a few
 * photos make as many patches as a large photo set: the bundled 12 make
 * 2,784 patches of 256x256 with stride 76 and 8 variants, a little more
 * than the 2,688 photos of the MIT scene set the original trained on. The
 * patches are shuffled once with the seed, and the last
 * validation_fraction of them form a fixed validation set, as Keras'
 * validation_split does.
 *
 * Files that cannot be decoded are skipped with a warning through the
 * options' callback; building fails only when no patch is left. Folders
 * are searched once each however many links lead to them, down to
 * LF_MAX_FOLDER_DEPTH (16) levels, and the messages say when deeper ones
 * were left out. The memory the patches need is estimated from the image
 * headers first and refused above LF_DATASET_MAX_BYTES.
 *
 * Memory: for a large set the patches are the only per-patch pixels the
 * program keeps (with --noise, their noisy copy too): the trainer keeps its
 * targets only up to LF_TARGET_CACHE_MAX_BYTES and otherwise makes them in
 * the step (trainer_cache.c), and its per-patch statistics or spectra are
 * bounded on their own (LF_GRAM_MAX_BYTES, trainer.h) and left out when
 * they do not fit. Loading shuffles the patches in place, so it never
 * holds a second copy either.
 */
#ifndef LEARNFILTER_DATASET_H
#define LEARNFILTER_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "learnfilter/error.h"
#include "learnfilter/image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LF_PATCH_MIN 8     /* smallest patch side accepted */
#define LF_PATCH_MAX 4096  /* largest patch side accepted */
#ifndef LF_DATASET_MAX_PATCHES
#define LF_DATASET_MAX_PATCHES 100000 /* more are ignored, with a warning */
#endif
/* The most memory the patches may take (with their noisy copy under
 * --noise, and the index of their files): estimated from the image headers
 * before anything is decoded, and a larger set is refused with the figure
 * rather than exhausting the machine halfway through loading. 2 GiB is
 * 8,191 patches of 256x256. */
#ifndef LF_DATASET_MAX_BYTES
#define LF_DATASET_MAX_BYTES (2048LL * 1024 * 1024)
#endif

/* Called with a one-line message when a file is skipped. */
typedef void (*lf_warning_fn)(void *user, const char *message);
/* Called after each file with the files done and the total, for progress. */
typedef void (*lf_progress_fn)(void *user, int done, int total);

/* Zero in any field means its default, given in brackets. */
typedef struct lf_dataset_options {
    const char *const *paths;  /* files or folders to load [none: an error] */
    int path_count;
    int patch_size;            /* side of the square patches [256] */
    int downscale;             /* shrink each image by this factor first [1] */
    float noise_sigma;         /* Gaussian noise added to the inputs, targets stay clean [0] */
    float validation_fraction; /* share of patches held out; negative for none [0.2] */
    uint64_t seed;             /* shuffle and noise [0] */
    int channels;              /* 1 grayscale, 3 R, G, B planes [1]; colour needs files
                                  (lf_dataset_load) */
    int patch_stride;          /* pixels from one patch's corner to the next, 1..patch
                                  size; below the patch size patches overlap [patch
                                  size] */
    int variants;              /* each image cut as it is (1), and also mirrored left
                                  to right (2), and both of those also mirrored top to
                                  bottom (4), and all four also transposed (8) [1]:
                                  the 8 are every turn and mirror of a square */
    lf_warning_fn warn;        /* skipped files [ignored] */
    lf_progress_fn progress;   /* loading progress [ignored] */
    void *user;                /* passed to warn and progress */
} lf_dataset_options;

/* Where a patch was cut: places are numbered over the whole set, and
 * variant v of a place (0..variants-1, as lf_dataset_options.variants
 * lists them) is the patch cut at place `place`, mirrored and turned: pixel
 * (x, y) of it is pixel lf_dataset_variant_index(v, x, y, side) of variant
 * 0, exactly. */
typedef struct lf_patch_origin {
    int place;
    int variant;
} lf_patch_origin;

typedef struct lf_dataset {
    int patch_size;
    int channels;         /* planes per patch: 1 gray (also when 0), 3 R, G, B */
    int patch_count;      /* train_count + validation_count */
    int train_count;      /* patches [0, train_count) */
    int validation_count; /* patches [train_count, patch_count) */
    int file_count;       /* files decoded */
    int skipped_count;    /* files skipped with a warning */
    float noise_sigma;
    float *inputs;        /* patch_count * channels * patch_size^2, each patch
                             (channels, size, size): what the network sees */
    float *clean;         /* the same without noise (== inputs when there is none) */
    int *patch_file;      /* patch_count: index into file_names */
    lf_patch_origin *patch_origin; /* patch_count: where each was cut; NULL when not
                             known (a set made by hand): then no two are related */
    int place_count;      /* places patch_origin numbers */
    int variant_count;    /* variants cut at each place (some may be missing past
                             LF_DATASET_MAX_PATCHES) */
    char **file_names;    /* file_count paths, for display */
} lf_dataset;

/* Builds the dataset. On success the caller owns *ds (lf_dataset_deinit).
 * Fails with LF_ERR_INPUT when a path does not exist or no patch could be
 * made, LF_ERR_ARGUMENT for options out of range, LF_ERR_NOMEM. */
lf_status lf_dataset_load(lf_dataset *ds, const lf_dataset_options *options, lf_error *err);

/* Builds a dataset from images already in memory (tests, generated data).
 * Same cutting, shuffling and splitting as lf_dataset_load. */
lf_status lf_dataset_from_images(lf_dataset *ds, const lf_image *images, int image_count,
                                 const lf_dataset_options *options, lf_error *err);

void lf_dataset_deinit(lf_dataset *ds);

/* Index (y' * side + x') of the pixel of a side x side patch that pixel
 * (x, y) of its variant v shows: bit 2 of v transposes, then bit 0 mirrors
 * left to right and bit 1 top to bottom. The same map takes a square
 * kernel's taps (gram_variant.h). */
size_t lf_dataset_variant_index(int v, int x, int y, int side);

/* Floats in one patch: channels * patch_size^2. */
static inline long lf_dataset_patch_floats(const lf_dataset *ds)
{
    return (long)(ds->channels > 1 ? ds->channels : 1) * ds->patch_size * ds->patch_size;
}
static inline const float *lf_dataset_input(const lf_dataset *ds, int patch)
{
    return ds->inputs + (long)patch * lf_dataset_patch_floats(ds);
}
static inline const float *lf_dataset_clean(const lf_dataset *ds, int patch)
{
    return ds->clean + (long)patch * lf_dataset_patch_floats(ds);
}

#ifdef __cplusplus
}
#endif
#endif
