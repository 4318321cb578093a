/*
 * png.h: writing PNG files (screenshots, movie frames, figures).
 *
 * The file is written through lf_atomic_open / lf_atomic_commit, so the
 * name asked for holds either the complete image or whatever it held before,
 * never half an image.
 */
#ifndef LEARNFILTER_PNG_H
#define LEARNFILTER_PNG_H

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LF_PNG_MAX_SIDE 32768 /* widest or tallest image written */

/* Writes width x height pixels, 4 bytes each in the order R, G, B, A, rows
 * stride bytes apart, as an RGBA PNG at path. Fails with LF_ERR_ARGUMENT for
 * sizes outside 1..LF_PNG_MAX_SIDE or a stride shorter than a row, LF_ERR_IO
 * when the file cannot be written, LF_ERR_NOMEM when encoding runs out of
 * memory. */
lf_status lf_png_write_rgba(const char *path, const void *pixels, int width, int height,
                            int stride, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
