/*
 * png_write.c: PNG output with stb_image_write. See include/learnfilter/png.h.
 *
 * stb_image_write is compiled once, in stb_impl.c; this file only sees its
 * declarations. The encoder hands us the finished PNG in one call, which we
 * write to the temporary file and commit.
 */
#include "learnfilter/png.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stb/stb_image_write.h>

#include "learnfilter/export.h"

typedef struct png_sink {
    FILE *stream;
    int write_errno; /* errno of the first failed write, 0 if none */
    int failed;
} png_sink;

static void write_bytes(void *context, void *data, int size)
{
    png_sink *sink = context;
    errno = 0;
    if (!sink->failed && fwrite(data, 1, (size_t)size, sink->stream) != (size_t)size) {
        sink->failed = 1;
        sink->write_errno = errno;
    }
}

lf_status lf_png_write_rgba(const char *path, const void *pixels, int width, int height,
                            int stride, lf_error *err)
{
    if (width < 1 || height < 1 || width > LF_PNG_MAX_SIDE || height > LF_PNG_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: image size %dx%d is outside 1..%d", path, width,
                       height, LF_PNG_MAX_SIDE);
    if (stride < 4 * width)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: stride %d is shorter than a row of %d pixels",
                       path, stride, width);
    lf_atomic_file file;
    lf_status st = lf_atomic_open(&file, path, err);
    if (st != LF_OK)
        return st;
    png_sink sink = {.stream = file.stream};
    /* stb returns 0 only when it cannot allocate its buffers; write errors
     * come back through the sink. */
    if (!stbi_write_png_to_func(write_bytes, &sink, width, height, 4, pixels, stride)) {
        lf_atomic_abandon(&file);
        return lf_fail(err, LF_ERR_NOMEM, "%s: no memory to encode a %dx%d PNG", path, width,
                       height);
    }
    if (sink.failed) {
        lf_atomic_abandon(&file);
        return lf_fail(err, LF_ERR_IO, "%s: write failed: %s", path,
                       sink.write_errno ? strerror(sink.write_errno) : "output error");
    }
    return lf_atomic_commit(&file, err);
}
