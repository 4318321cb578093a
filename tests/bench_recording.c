/*
 * bench_recording.c: what recording costs, in figures.
 *
 * Prints the time to encode one GIF frame (quantise, find the changed
 * rectangle, compress) for a window-sized 1280x720 frame where only the
 * live parts change, the same when every pixel changes, and a 960x540
 * kernel frame from the headless movie, together with the bytes each adds.
 * Also the time to draw a kernel frame and to write a PNG screenshot. A program, not a test: run it by
 * hand (build/bench_recording) on an otherwise idle machine.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learnfilter/gif.h"
#include "learnfilter/image.h"
#include "learnfilter/kernel.h"
#include "learnfilter/png.h"
#include "movie.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A window-like frame: dark panels, a photograph twice (input and output),
 * a heatmap and a curve; `t` moves the live parts. */
static void draw_window(uint8_t *rgba, int w, int h, const lf_image *photo, int t, bool all)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgba + 4 * ((size_t)y * w + x);
            uint8_t v = (x / 320 + y / 240) % 2 ? 30 : 38;
            p[0] = p[1] = p[2] = v;
            p[3] = 255;
        }
    for (int panel = 0; panel < 2; panel++)
        for (int y = 0; y < 400 && y < photo->height; y++)
            for (int x = 0; x < 400 && x < photo->width; x++) {
                float g = photo->pixels[(size_t)y * photo->width + x];
                if (panel == 1 || all)
                    g = 0.5f + 0.5f * sinf(g * 6.0f + 0.1f * (float)t); /* the output changes */
                uint8_t *p = rgba + 4 * ((size_t)(80 + y) * w + (size_t)(40 + panel * 440 + x));
                p[0] = p[1] = p[2] = (uint8_t)(fminf(fmaxf(g, 0.0f), 1.0f) * 255);
            }
    const lf_gif_palette *pal = lf_gif_palette_default();
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            uint8_t c[3];
            lf_gif_palette_sample(pal, 0.5f + 0.4f * sinf((float)(i * 3 + j + t) * 0.3f), c);
            for (int y = 0; y < 80; y++)
                for (int x = 0; x < 80; x++)
                    memcpy(rgba + 4 * ((size_t)(100 + i * 82 + y) * w + (size_t)(940 + j * 82 + x)),
                           c, 3);
        }
    for (int x = 0; x < t * 4 && x < 1200; x++) { /* a loss curve growing */
        int y = 650 - (int)(40 * expf(-x / 300.0f));
        memset(rgba + 4 * ((size_t)y * w + 40 + x), 200, 3);
    }
}

static void bench_gif(const char *name, int w, int h, uint8_t **frames, int count)
{
    char path[] = "/tmp/learnfilter-bench.gif";
    lf_gif_writer gif;
    lf_error err;
    lf_gif_options opt = {.width = w, .height = h};
    if (lf_gif_writer_open(&gif, path, &opt, &err) != LF_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    lf_gif_writer_add_rgba(&gif, frames[0], 4 * w, 0, NULL);
    long first = gif.bytes_written;
    double t0 = now();
    for (int i = 1; i < count; i++)
        lf_gif_writer_add_rgba(&gif, frames[i], 4 * w, 0, NULL);
    double t = (now() - t0) / (count - 1);
    long later = (gif.bytes_written - first) / (count - 1);
    lf_gif_writer_close(&gif, NULL);
    printf("%-34s %5dx%-4d  %6.2f ms/frame  first frame %7ld bytes, then %7ld bytes/frame\n", name,
           w, h, 1e3 * t, first, later);
    remove(path);
}

int main(void)
{
    enum { W = 1280, H = 720, N = 30 };
    lf_image photo;
    lf_error err;
    if (lf_image_load(&photo, LF_SOURCE_DATA_DIR "/camera.jpg", &err) != LF_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t0 = now();
    lf_gif_palette_default();
    printf("%-34s %6.2f ms\n", "palette and lookup table", 1e3 * (now() - t0));

    uint8_t *frames[N];
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++) {
            frames[i] = malloc((size_t)W * H * 4);
            draw_window(frames[i], W, H, &photo, i, pass == 1);
        }
        bench_gif(pass == 0 ? "window, live parts change" : "window, both photographs change", W, H,
                  frames, N);
        if (pass == 0) {
            t0 = now();
            lf_png_write_rgba("/tmp/learnfilter-bench.png", frames[N - 1], W, H, 4 * W, NULL);
            printf("%-34s %5dx%-4d  %6.2f ms\n", "PNG screenshot of a window frame", W, H,
                   1e3 * (now() - t0));
            remove("/tmp/learnfilter-bench.png");
        }
        for (int i = 0; i < N; i++)
            free(frames[i]);
    }

    lf_kernel k;
    lf_kernel_from_name(&k, "sobel-x", 1, NULL);
    movie_options mo = {.target = &k, .footer = "learnfilter"};
    movie *m = movie_create(&mo, &err);
    if (!m) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double draw = 0;
    for (int i = 0; i < N; i++) {
        float w[9];
        for (int j = 0; j < 9; j++)
            w[j] = k.weights[j] * (float)i / N + 0.3f * sinf((float)(i + j));
        char title[32];
        snprintf(title, sizeof title, "Epoch %d", i);
        int stride;
        t0 = now();
        const uint8_t *px = movie_draw(m, w, 9, title, "step 0   relative error 50.00%", &stride);
        draw += now() - t0;
        frames[i] = malloc((size_t)stride * 540);
        memcpy(frames[i], px, (size_t)stride * 540);
    }
    printf("%-34s %6.2f ms/frame\n", "drawing a kernel frame", 1e3 * draw / N);
    bench_gif("kernel frame (sobel-x)", 960, 540, frames, N);
    for (int i = 0; i < N; i++)
        free(frames[i]);
    movie_destroy(m);
    lf_image_deinit(&photo);
    return 0;
}
