/*
 * test_gif_read.h: reading a GIF back with giflib's decoder, for the tests.
 *
 * Gives what the tests assert on: the frame count, the screen size, every
 * frame's delay, the NETSCAPE2.0 repeat count, and one frame as a viewer
 * shows it, composited over the frames before it (our frames after the
 * first are changed rectangles with transparent "unchanged" pixels).
 */
#ifndef LEARNFILTER_TEST_GIF_READ_H
#define LEARNFILTER_TEST_GIF_READ_H

#include <gif_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIF_READ_MAX_FRAMES 1024

typedef struct gif_read_result {
    int ok;                           /* 1 when the file decoded */
    int width, height, frames;
    int delays[GIF_READ_MAX_FRAMES];  /* centiseconds */
    int loop;                         /* repeat count; -1 without the extension */
    int gif89;                        /* version is GIF89a */
    uint8_t *rgba;                    /* the frame asked for, composited; caller frees */
} gif_read_result;

/* Decodes path; composites frames 0..frame into result->rgba (frame < 0:
 * none). */
static inline gif_read_result gif_read(const char *path, int frame)
{
    gif_read_result r;
    memset(&r, 0, sizeof r);
    r.loop = -1;
    char stamp[7] = "";
    FILE *file = fopen(path, "rb");
    if (file) {
        r.gif89 = fread(stamp, 1, 6, file) == 6 && !memcmp(stamp, GIF89_STAMP, 6);
        fclose(file);
    }
    int error = 0;
    GifFileType *gif = DGifOpenFileName(path, &error);
    if (!gif)
        return r;
    if (DGifSlurp(gif) != GIF_OK) {
        DGifCloseFile(gif, &error);
        return r;
    }
    r.ok = 1;
    r.width = gif->SWidth;
    r.height = gif->SHeight;
    r.frames = gif->ImageCount;
    for (int i = 0; i < gif->ImageCount && i < GIF_READ_MAX_FRAMES; i++) {
        GraphicsControlBlock gcb;
        r.delays[i] = DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK ? gcb.DelayTime : -1;
    }
    /* The application extension sits before the first frame: giflib files
     * it with that frame's extension blocks (or with the trailing ones). */
    for (int pass = 0; pass < 2 && r.frames > 0; pass++) {
        ExtensionBlock *blocks = pass == 0 ? gif->SavedImages[0].ExtensionBlocks
                                           : gif->ExtensionBlocks;
        int count = pass == 0 ? gif->SavedImages[0].ExtensionBlockCount
                              : gif->ExtensionBlockCount;
        for (int i = 0; i + 1 < count; i++)
            if (blocks[i].Function == APPLICATION_EXT_FUNC_CODE && blocks[i].ByteCount == 11 &&
                !memcmp(blocks[i].Bytes, "NETSCAPE2.0", 11) &&
                blocks[i + 1].Function == CONTINUE_EXT_FUNC_CODE &&
                blocks[i + 1].ByteCount == 3 && blocks[i + 1].Bytes[0] == 1)
                r.loop = blocks[i + 1].Bytes[1] | (blocks[i + 1].Bytes[2] << 8);
    }
    if (frame >= 0 && frame < r.frames) {
        r.rgba = calloc((size_t)r.width * (size_t)r.height, 4);
        for (int f = 0; f <= frame; f++) {
            SavedImage *im = &gif->SavedImages[f];
            ColorMapObject *map = im->ImageDesc.ColorMap ? im->ImageDesc.ColorMap : gif->SColorMap;
            GraphicsControlBlock gcb = {.TransparentColor = NO_TRANSPARENT_COLOR};
            DGifSavedExtensionToGCB(gif, f, &gcb);
            for (int y = 0; y < im->ImageDesc.Height; y++)
                for (int x = 0; x < im->ImageDesc.Width; x++) {
                    int index = im->RasterBits[y * im->ImageDesc.Width + x];
                    if (index == gcb.TransparentColor)
                        continue;
                    int cx = im->ImageDesc.Left + x, cy = im->ImageDesc.Top + y;
                    if (cx >= r.width || cy >= r.height || !map || index >= map->ColorCount)
                        continue;
                    uint8_t *p = r.rgba + 4 * ((size_t)cy * (size_t)r.width + (size_t)cx);
                    p[0] = map->Colors[index].Red;
                    p[1] = map->Colors[index].Green;
                    p[2] = map->Colors[index].Blue;
                    p[3] = 255;
                }
        }
    }
    DGifCloseFile(gif, &error);
    return r;
}

#endif
