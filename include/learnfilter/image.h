/*
 * image.h: grayscale float images, loading PNG and JPEG files, resizing.
 *
 * Everything the network sees is a single-channel float image on [0, 1],
 * stored row by row (colour input is three of them: lf_image_load_planes). Colour files are converted with the ITU-R BT.601 luma
 * weights the original experiment used: Y = 0.299 R + 0.587 G + 0.114 B.
 *
 * Loading checks the size written in the file's header before decoding, and
 * refuses images larger than the limits below: the decoder's own limit covers
 * each side but not the area, and a 30000x30000 header would otherwise ask
 * for gigabytes. It also refuses a header that claims more pixels than a
 * complete file of that many bytes can hold (a few hundred bytes of JPEG can
 * claim 8000x8000). Lower the limits at compile time if your use needs it.
 */
#ifndef LEARNFILTER_IMAGE_H
#define LEARNFILTER_IMAGE_H

#include <stddef.h>

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LF_IMAGE_MAX_SIDE
#define LF_IMAGE_MAX_SIDE 16384 /* widest or tallest image accepted, pixels */
#endif
#ifndef LF_IMAGE_MAX_PIXELS
#define LF_IMAGE_MAX_PIXELS (64L * 1024 * 1024) /* largest width x height accepted */
#endif
/* A compressed file larger than this is not an image we want to train on;
 * the limit stops a mistaken path (a video, a disk image) from being read
 * into memory whole. */
#ifndef LF_IMAGE_MAX_FILE_BYTES
#define LF_IMAGE_MAX_FILE_BYTES (512L * 1024 * 1024)
#endif

typedef struct lf_image {
    int width;
    int height;
    float *pixels; /* width * height values, row-major, owned by the image */
} lf_image;

/* Allocates a zeroed width x height image. On failure img is left empty. */
lf_status lf_image_init(lf_image *img, int width, int height, lf_error *err);
/* Frees the pixels; accepts an empty or already freed image. */
void lf_image_deinit(lf_image *img);

/* Loads a PNG or JPEG file as grayscale on [0, 1]. Other formats, corrupt or
 * truncated files and images beyond the limits fail with LF_ERR_INPUT and a
 * message naming the file; unreadable files with LF_ERR_IO. On success the
 * caller owns *out and frees it with lf_image_deinit. */
lf_status lf_image_load(lf_image *out, const char *path, lf_error *err);

/* Loads a PNG or JPEG as plane_count images on [0, 1]: 1 is lf_image_load's
 * grayscale, 3 the R, G and B planes (a gray file gives three equal ones),
 * for colour input. Same limits, errors and ownership as lf_image_load,
 * per plane; on failure every plane is left empty. */
lf_status lf_image_load_planes(lf_image *planes, int plane_count, const char *path, lf_error *err);

/* Decodes a PNG or JPEG held in memory (used by lf_image_load and the fuzzer).
 * name only appears in messages. Same rules and ownership as lf_image_load. */
lf_status lf_image_decode(lf_image *out, const unsigned char *bytes, size_t size,
                          const char *name, lf_error *err);

/* Checks a PNG or JPEG held in memory without decoding it: the format, the
 * size in its header against the limits and against the file's length, and
 * the structure the decoder trusts (PNG chunk lengths, JPEG Huffman
 * tables). Sets *width and *height (0 on failure). lf_image_decode does
 * this first; a caller that wants a smaller image can refuse it here,
 * before any pixel is decoded. */
lf_status lf_image_peek(const unsigned char *bytes, size_t size, const char *name, int *width,
                        int *height, lf_error *err);

/* Grayscale from interleaved 8-bit pixels with 1 (gray), 2 (gray + alpha),
 * 3 (RGB) or 4 (RGBA) channels; alpha is ignored. gray holds width*height. */
void lf_gray_from_rgb8(float *gray, const unsigned char *pixels, int width, int height,
                       int channels);

/* Resamples in to out_width x out_height. Shrinking averages every source
 * pixel that overlaps a destination pixel (area filter, so no aliasing);
 * enlarging interpolates bilinearly. */
lf_status lf_image_resize(lf_image *out, const lf_image *in, int out_width, int out_height,
                          lf_error *err);

/* True when path ends in .png, .jpg or .jpeg (any case). */
int lf_image_path_is_supported(const char *path);

#ifdef __cplusplus
}
#endif
#endif
