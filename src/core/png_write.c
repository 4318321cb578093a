/*
 * png_write.c: RGBA PNG files through the atomic writer. See png.h.
 *
 * stb_image_write (compiled in stb_impl.c) encodes the image and hands the
 * bytes to a callback; the callback appends them to the temporary file, and
 * only a complete, flushed file is renamed into place.
 */
#include "learnfilter/png.h"

#include <stdio.h>

#include "learnfilter/export.h"

/* From stb_image_write.h, which is compiled once in stb_impl.c. */
typedef void stbi_write_func(void *context, void *data, int size);
int stbi_write_png_to_func(stbi_write_func *func, void *context, int w, int h, int comp,
                           const void *data, int stride_in_bytes);

typedef struct png_sink {
    FILE *stream;
    int failed;
} png_sink;

static void sink_write(void *context, void *data, int size)
{
    png_sink *sink = context;
    if (!sink->failed && fwrite(data, 1, (size_t)size, sink->stream) != (size_t)size)
        sink->failed = 1;
}

lf_status lf_png_write_rgba(const char *path, const void *pixels, int width, int height,
                            int stride, lf_error *err)
{
    if (width < 1 || height < 1 || width > LF_PNG_MAX_SIDE || height > LF_PNG_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: image size %dx%d is outside 1..%d", path, width,
                       height, LF_PNG_MAX_SIDE);
    if (stride < width * 4)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: row stride %d is shorter than a row (%d)", path,
                       stride, width * 4);
    lf_atomic_file file;
    lf_status st = lf_atomic_open(&file, path, err);
    if (st != LF_OK)
        return st;
    png_sink sink = {file.stream, 0};
    /* stb returns 0 only when it cannot allocate its buffers. */
    if (!stbi_write_png_to_func(sink_write, &sink, width, height, 4, pixels, stride)) {
        lf_atomic_abandon(&file);
        return lf_fail(err, LF_ERR_NOMEM, "%s: out of memory encoding a %dx%d PNG", path, width,
                       height);
    }
    if (sink.failed) {
        lf_atomic_abandon(&file);
        return lf_fail(err, LF_ERR_IO, "%s: write failed (disk full?)", path);
    }
    return lf_atomic_commit(&file, err);
}
