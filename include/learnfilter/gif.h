/*
 * gif.h: writing animated GIFs, frame by frame, with a fixed palette.
 *
 * Usage:
 *
 *   lf_gif_writer gif;
 *   lf_gif_options opt = { .width = 640, .height = 480 };   // 10 fps, loops
 *   if (lf_gif_writer_open(&gif, "movie.gif", &opt, &err) != LF_OK) ...;
 *   for (each frame)
 *       if (lf_gif_writer_add_rgba(&gif, pixels, stride, 0, &err) != LF_OK) break;
 *   if (failed) lf_gif_writer_abandon(&gif);        // nothing is left behind
 *   else        lf_gif_writer_close(&gif, &err);    // the file appears, complete
 *
 * The file is GIF89a with the NETSCAPE2.0 looping extension, which browsers,
 * GIMP and PIL all read. It is written under a temporary name beside the
 * final one (see export.h) and renamed only by lf_gif_writer_close, so a
 * full disk or a crash never leaves half a movie under the name asked for.
 *
 * Why one fixed palette rather than one chosen per frame: everything
 * learnfilter draws is a known colormap, grays (photographs, text, panels)
 * and a handful of interface colours. A palette built once from those, with
 * a 32x32x32 lookup table from RGB-555 to the nearest entry, quantises a
 * 1280x720 frame in about a millisecond, needs no allocation per frame and
 * keeps colours identical from frame to frame, so unchanged pixels stay
 * unchanged and compress away. Pure grays (photographs) are dithered
 * between the two nearest palette grays with a fixed 4x4 ordered pattern,
 * so a smooth gradient does not band and a still area stays still. Frames after the first are stored as the
 * rectangle that changed, with unchanged pixels inside it transparent.
 */
#ifndef LEARNFILTER_GIF_H
#define LEARNFILTER_GIF_H

#include <stdint.h>

#include "learnfilter/error.h"
#include "learnfilter/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LF_GIF_MAX_SIDE
#define LF_GIF_MAX_SIDE 8192 /* widest or tallest frame accepted (the format allows 65535) */
#endif
#define LF_GIF_COLORS 255               /* palette entries; the 256th index is "unchanged" */
#define LF_GIF_MAX_SAMPLES 160          /* colormap samples a palette takes */
#define LF_GIF_DEFAULT_SAMPLES 129      /* samples in lf_gif_palette_default: odd, so zero is one */

/* ============================================================== palette */

typedef struct lf_gif_palette {
    int count;                         /* entries used, at most LF_GIF_COLORS */
    uint8_t rgb[LF_GIF_COLORS][3];
    int samples;                       /* the caller's colormap samples are entries 0..samples-1 */
    uint8_t level[256];                /* 8-bit channel -> nearest of 32 levels */
    uint8_t lookup[32 * 32 * 32];      /* RGB-555 -> index of the nearest entry */
    /* Pure grays skip the RGB-555 table, which has only 32 of them: gray v
     * lies between the palette grays gray_below[v] and gray_above[v], and
     * gray_mix[v] (0..16) says how far, for the writer's ordered dither. */
    uint8_t gray_below[256], gray_above[256], gray_mix[256];
} lf_gif_palette;

/* Builds a palette from sample_count colormap samples (3 bytes each, R G B,
 * in colormap order; at most LF_GIF_MAX_SAMPLES), then a few interface
 * colours (a recording red, green, amber, blue), a coarse colour cube for
 * anything else, and a gray ramp in all the entries left. Takes about 30 ms
 * for the lookup table: build once, share read-only between writers. */
void lf_gif_palette_build(lf_gif_palette *palette, const uint8_t *samples, int sample_count);

/* The palette every writer uses unless told otherwise: LF_GIF_DEFAULT_SAMPLES
 * samples of the diverging blue-white-red colormap of the heatmaps. Built on
 * first use (thread-safe), never freed. */
const lf_gif_palette *lf_gif_palette_default(void);

/* The colormap sample nearest u in [0, 1] (clamped). A heatmap painted
 * with these colours comes out of the GIF within a few levels of 255 (two
 * samples can share an RGB-555 cell), and a colorbar shows the same steps
 * the movie does. */
void lf_gif_palette_sample(const lf_gif_palette *palette, float u, uint8_t rgb[3]);

/* The palette entry nearest (r, g, b), through the lookup table. */
static inline uint8_t lf_gif_palette_index(const lf_gif_palette *palette, uint8_t r, uint8_t g,
                                           uint8_t b)
{
    const uint8_t *level = palette->level;
    return palette->lookup[(level[r] << 10) | (level[g] << 5) | level[b]];
}

/* =============================================================== writer */

/* Zero means default, given in brackets. */
typedef struct lf_gif_options {
    int width, height;               /* frame size [required: 1..LF_GIF_MAX_SIDE] */
    int delay_cs;                    /* time per frame in 1/100 s [10: 10 frames a second] */
    int loop;                        /* NETSCAPE2.0 repeat count [0: forever];
                                        -1: no extension, the movie plays once */
    const lf_gif_palette *palette;   /* [lf_gif_palette_default()]; must outlive the writer */
} lf_gif_options;

typedef struct lf_gif_writer {
    lf_atomic_file file;
    void *gif;                       /* giflib's GifFileType, opaque here */
    const lf_gif_palette *palette;
    int width, height, delay_cs;
    int frame_count;                 /* frames added so far */
    uint8_t *current, *previous;     /* width*height palette indices: this frame, the last */
    uint8_t *line;                   /* one row of the rectangle being written */
    long bytes_written;              /* file size so far */
    int write_errno;                 /* first failed write's errno, 0 if none */
    lf_status failed;                /* LF_OK until a write fails; then every call fails */
} lf_gif_writer;

/* Opens a temporary file beside path and writes the header, the palette and
 * the loop extension. Fails with LF_ERR_ARGUMENT for bad options, LF_ERR_IO
 * when the folder cannot be written (nothing is created), LF_ERR_NOMEM. On
 * failure the writer holds nothing; on success close or abandon it. */
lf_status lf_gif_writer_open(lf_gif_writer *writer, const char *path, const lf_gif_options *options,
                             lf_error *err);

/* Adds one frame: width x height pixels, 4 bytes each in the order R, G, B,
 * A (alpha ignored), rows stride bytes apart. delay_cs > 0 sets how long this
 * frame shows; 0 takes the writer's default. LF_ERR_IO when writing fails;
 * the writer then refuses further frames and only abandon makes sense. */
lf_status lf_gif_writer_add_rgba(lf_gif_writer *writer, const void *pixels, int stride,
                                 int delay_cs, lf_error *err);

/* Writes the trailer and renames the file to its final name. A movie with
 * no frames, or one that failed, is removed instead and LF_ERR_IO/
 * LF_ERR_ARGUMENT returned. The writer holds nothing afterwards. */
lf_status lf_gif_writer_close(lf_gif_writer *writer, lf_error *err);

/* Stops and removes the temporary file. Accepts a writer that failed to
 * open, was already closed, or is zeroed. */
void lf_gif_writer_abandon(lf_gif_writer *writer);

#ifdef __cplusplus
}
#endif
#endif
