/*
 * png.h: writing PNG images (screenshots, single movie frames).
 *
 * The image goes through lf_atomic_open / lf_atomic_commit (export.h): the
 * name asked for ends up holding the whole image or whatever it held
 * before, never a partial file.
 */
#ifndef LEARNFILTER_PNG_H
#define LEARNFILTER_PNG_H

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LF_PNG_MAX_SIDE
#define LF_PNG_MAX_SIDE 16384 /* widest or tallest image written */
#endif

/* Writes width x height pixels of 4 bytes, R G B A, rows stride bytes
 * apart, as an 8-bit RGBA PNG. LF_ERR_ARGUMENT for a size outside
 * 1..LF_PNG_MAX_SIDE or a stride shorter than a row; LF_ERR_NOMEM when the
 * encoder runs out of memory; LF_ERR_IO when the file cannot be written
 * (nothing is left under path or beside it). */
lf_status lf_png_write_rgba(const char *path, const void *pixels, int width, int height,
                            int stride, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif
