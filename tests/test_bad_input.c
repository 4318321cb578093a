/*
 * test_bad_input.c: every kind of unusable image and kernel file gets a
 * clear error and nothing else.
 *
 * Each case goes through the public loaders (lf_image_load, lf_kernel_load,
 * lf_dataset_load) or the in-memory parsers, and checks three things: the
 * status (LF_ERR_INPUT for a file that cannot be used, LF_ERR_IO for one
 * that cannot be read), that the message names the file, and that it gives
 * the reason. The bad files are made here, in a fresh temporary folder, so
 * the repository holds no broken binaries; good PNGs and JPEGs come from
 * stb_image_write, which the core already compiles.
 */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image_write.h>

#include "learnfilter/dataset.h"
#include "learnfilter/export.h"
#include "learnfilter/image.h"
#include "learnfilter/kernel.h"
#include "learnfilter/rng.h"
#include "test_data_util.h"

/* ============================================================ fixtures */

static char temp_dir[64];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    chmod(path, 0700); /* a test may have taken the permissions away */
    return remove(path);
}

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/lf-bad-input-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    return nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path inside the temporary folder; one static buffer per call site is
 * enough, so rotate through a few. */
static const char *temp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", temp_dir, name);
    return p;
}

static const char *write_bytes(const char *name, const void *bytes, size_t size)
{
    const char *path = temp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

static void make_folder(const char *name) { assert_int_equal(mkdir(temp_path(name), 0700), 0); }

/* Noise, so the encoders cannot shrink the picture to a few bytes and a
 * cut-off file really lacks image data. */
static unsigned char *noise_pixels(int width, int height, int channels, uint64_t seed)
{
    lf_rng rng;
    lf_rng_seed(&rng, seed);
    size_t n = (size_t)width * height * channels;
    unsigned char *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)lf_rng_below(&rng, 256);
    return p;
}

typedef struct byte_buffer {
    unsigned char *bytes;
    size_t size;
} byte_buffer;

static void append_bytes(void *context, void *data, int size)
{
    byte_buffer *b = context;
    unsigned char *grown = realloc(b->bytes, b->size + (size_t)size);
    assert_non_null(grown);
    memcpy(grown + b->size, data, (size_t)size);
    b->bytes = grown;
    b->size += (size_t)size;
}

static byte_buffer encode_png(int width, int height, int channels)
{
    byte_buffer b = {0};
    unsigned char *p = noise_pixels(width, height, channels, 7);
    assert_true(stbi_write_png_to_func(append_bytes, &b, width, height, channels, p,
                                       width * channels));
    free(p);
    return b;
}

static byte_buffer encode_jpeg(int width, int height, int channels)
{
    byte_buffer b = {0};
    unsigned char *p = noise_pixels(width, height, channels, 8);
    assert_true(stbi_write_jpg_to_func(append_bytes, &b, width, height, channels, p, 90));
    free(p);
    return b;
}

static const char *write_good_png(const char *name, int width, int height)
{
    byte_buffer b = encode_png(width, height, 3);
    const char *path = write_bytes(name, b.bytes, b.size);
    free(b.bytes);
    return path;
}

static const char *write_good_jpeg(const char *name, int width, int height)
{
    byte_buffer b = encode_jpeg(width, height, 3);
    const char *path = write_bytes(name, b.bytes, b.size);
    free(b.bytes);
    return path;
}

/* The CRC-32 a PNG chunk ends with (ISO 3309, as the PNG specification
 * gives it), bit by bit: speed does not matter for a few bytes. */
static uint32_t png_crc(const unsigned char *bytes, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= bytes[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A valid PNG signature and IHDR chunk (8-bit gray) claiming width x height,
 * followed by an empty IEND: 45 bytes. */
static size_t craft_png_header(unsigned char out[64], uint32_t width, uint32_t height)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(out, signature, 8);
    put_be32(out + 8, 13);
    memcpy(out + 12, "IHDR", 4);
    put_be32(out + 16, width);
    put_be32(out + 20, height);
    out[24] = 8; /* bit depth */
    out[25] = 0; /* gray */
    out[26] = out[27] = out[28] = 0; /* deflate, adaptive filter, no interlace */
    put_be32(out + 29, png_crc(out + 12, 4 + 13));
    put_be32(out + 33, 0);
    memcpy(out + 37, "IEND", 4);
    put_be32(out + 41, png_crc(out + 37, 4));
    return 45;
}

/* Rewrites the size in a JPEG's baseline frame header (SOF0). */
static void patch_jpeg_size(byte_buffer *b, int width, int height)
{
    for (size_t i = 2; i + 8 < b->size; i++)
        if (b->bytes[i] == 0xff && b->bytes[i + 1] == 0xc0) {
            b->bytes[i + 5] = (unsigned char)(height >> 8);
            b->bytes[i + 6] = (unsigned char)height;
            b->bytes[i + 7] = (unsigned char)(width >> 8);
            b->bytes[i + 8] = (unsigned char)width;
            return;
        }
    fail_msg("no SOF0 marker in the encoded JPEG");
}

/* The status, and a one-line message that holds both the file's name and
 * the reason's words (test_data_util.h). */
#define check_error td_check_error

static lf_status load_image(const char *path, lf_error *err)
{
    lf_image img = {0};
    lf_status st = lf_image_load(&img, path, err);
    if (st != LF_OK) {
        assert_null(img.pixels); /* a failure leaves nothing to free */
        assert_int_equal(img.width, 0);
    }
    lf_image_deinit(&img);
    return st;
}

/* ============================================================== images */

static void test_image_empty_file(void **state)
{
    (void)state;
    lf_error err;
    const char *path = write_bytes("empty.png", "", 0);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "empty");
}

static void test_image_truncated_png(void **state)
{
    (void)state;
    byte_buffer b = encode_png(64, 48, 3);
    lf_error err;
    /* Cut inside the image data: the header is whole, the pixels are not. */
    const char *path = write_bytes("cut data.png", b.bytes, b.size / 2);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "corrupt or truncated PNG");
    /* Cut inside the IHDR chunk: not even the size is there. */
    path = write_bytes("cut header.png", b.bytes, 20);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "PNG header");
    /* The signature alone. */
    path = write_bytes("signature.png", b.bytes, 8);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "PNG header");
    /* Every byte but the last: IEND's CRC is missing, the image is whole.
     * Accepting it is fine; what matters is no crash and a clear answer. */
    lf_image img;
    lf_status st = lf_image_decode(&img, b.bytes, b.size - 1, "almost.png", &err);
    assert_true(st == LF_OK || st == LF_ERR_INPUT);
    lf_image_deinit(&img);
    free(b.bytes);
}

static void test_image_truncated_jpeg(void **state)
{
    (void)state;
    byte_buffer b = encode_jpeg(64, 48, 3);
    lf_error err;
    const char *path = write_bytes("cut data.jpg", b.bytes, b.size / 2);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "corrupt or truncated JPEG");
    /* Cut before the frame header: no size. */
    path = write_bytes("cut header.jpg", b.bytes, 40);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "JPEG header");
    path = write_bytes("soi only.jpg", b.bytes, 3);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "JPEG header");
    /* Every cut through the file fails cleanly or decodes a whole image. */
    for (size_t n = 1; n < b.size; n += 37) {
        lf_image img;
        lf_status st = lf_image_decode(&img, b.bytes, n, "cut.jpg", &err);
        assert_true(st == LF_OK || st == LF_ERR_INPUT);
        lf_image_deinit(&img);
    }
    free(b.bytes);
}

static void test_image_huge_png_header(void **state)
{
    (void)state;
    unsigned char png[64];
    size_t n = craft_png_header(png, 100000, 100000);
    const char *path = write_bytes("huge.png", png, n);
    lf_error err;
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "100000x100000",
                "limit");
    /* Within each side's limit but not the area's. */
    n = craft_png_header(png, 16000, 16000);
    path = write_bytes("wide.png", png, n);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "16000x16000", "limit");
    /* The largest 32-bit sizes, which overflow a product in 32 or 64 bits. */
    n = craft_png_header(png, 0xffffffffu, 0xffffffffu);
    path = write_bytes("max.png", png, n);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "4294967295x4294967295");
    /* Zero by zero. */
    n = craft_png_header(png, 0, 0);
    path = write_bytes("zero.png", png, n);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "0x0");
    /* Within every limit, but 45 bytes cannot hold 4000x4000 pixels. */
    n = craft_png_header(png, 4000, 4000);
    path = write_bytes("hollow.png", png, n);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "4000x4000", "45 bytes");
}

/* Chunks stb_image 2.27 mishandles, found by fuzz_image: an IDAT declaring
 * 2 GiB that it allocated before reading, and an empty first IDAT that
 * makes it offset a NULL pointer. */
static void test_image_png_bad_chunks(void **state)
{
    (void)state;
    unsigned char png[64];
    craft_png_header(png, 16, 4);
    /* Replace IEND with an IDAT claiming 0x7d000000 bytes, 8 of them there. */
    put_be32(png + 33, 0x7d000000u);
    memcpy(png + 37, "IDAT", 4);
    memcpy(png + 41, "\x78\xda\x63\x60\x00\x00\x00\x00", 8);
    lf_error err;
    const char *path = write_bytes("giant chunk.png", png, 49);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "runs past the end");

    size_t n = craft_png_header(png, 16, 4) - 12; /* drop IEND */
    put_be32(png + n, 0);
    memcpy(png + n + 4, "IDAT", 4);
    put_be32(png + n + 8, png_crc(png + n + 4, 4));
    n += 12;
    put_be32(png + n, 0);
    memcpy(png + n + 4, "IEND", 4);
    put_be32(png + n + 8, png_crc(png + n + 4, 4));
    n += 12;
    path = write_bytes("empty idat.png", png, n);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "empty first IDAT");
    /* The same with the file cut inside the IDAT's CRC: the decoder has
     * read the chunk's length and type, and acts on them. */
    path = write_bytes("empty idat cut.png", png, 33 + 8 + 3);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "empty first IDAT");
}

static void test_image_jpeg_bomb(void **state)
{
    (void)state;
    lf_error err;
    /* A few hundred bytes of JPEG claiming more than the area limit. */
    byte_buffer b = encode_jpeg(16, 16, 1);
    patch_jpeg_size(&b, 16000, 16000);
    const char *path = write_bytes("bomb.jpg", b.bytes, b.size);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "16000x16000", "limit");
    /* And one within the limits that the decoder would fill with grey:
     * 8000x8000 from a file smaller than a kilobyte. */
    patch_jpeg_size(&b, 8000, 8000);
    path = write_bytes("small bomb.jpg", b.bytes, b.size);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "8000x8000", "bytes");
    free(b.bytes);
}

/* A Huffman table (DHT) whose code counts add up past 256: stb_image 2.27
 * writes that many entries into 257-entry arrays. Found by fuzz_image. */
static void test_image_jpeg_bad_huffman_table(void **state)
{
    (void)state;
    byte_buffer b = encode_jpeg(16, 16, 1);
    size_t at = 0;
    for (size_t i = 2; i + 21 < b.size && !at; i++)
        if (b.bytes[i] == 0xff && b.bytes[i + 1] == 0xc4)
            at = i;
    assert_true(at > 0);
    /* marker (2), length (2), class and id (1), then 16 counts */
    b.bytes[at + 5 + 14] = 200;
    b.bytes[at + 5 + 15] = 200;
    lf_error err;
    const char *path = write_bytes("huffman.jpg", b.bytes, b.size);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "Huffman table");
    free(b.bytes);
}

/* A scan naming Huffman tables no DHT defined: stb_image 2.27 would decode
 * with uninitialised memory. Found by fuzz_image. */
static void test_image_jpeg_undefined_table(void **state)
{
    (void)state;
    byte_buffer b = encode_jpeg(16, 16, 1);
    size_t at = 0;
    for (size_t i = 2; i + 8 < b.size && !at; i++)
        if (b.bytes[i] == 0xff && b.bytes[i + 1] == 0xda)
            at = i;
    assert_true(at > 0);
    /* marker (2), length (2), component count (1), component id (1), then
     * the DC and AC table numbers: 3 and 3, which the file never defines */
    b.bytes[at + 6] = 0x33;
    lf_error err;
    const char *path = write_bytes("undefined table.jpg", b.bytes, b.size);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "Huffman table",
                "not defined");
    free(b.bytes);
}

static void test_image_other_formats(void **state)
{
    (void)state;
    lf_error err;
    /* The smallest GIF: a 1x1 image with a two-colour table. */
    static const unsigned char gif[] = {
        'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
        0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3b};
    const char *path = write_bytes("photo.gif", gif, sizeof gif);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "GIF", "only PNG and JPEG");
    /* The same GIF under a .png name: the contents decide. */
    path = write_bytes("gif in disguise.png", gif, sizeof gif);
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "GIF");

    unsigned char *pixels = noise_pixels(8, 8, 3, 3);
    path = temp_path("photo.bmp");
    assert_true(stbi_write_bmp(path, 8, 8, 3, pixels));
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "BMP", "only PNG and JPEG");
    /* TGA has no signature to recognise: it is simply not a PNG or JPEG. */
    path = temp_path("photo.tga");
    assert_true(stbi_write_tga(path, 8, 8, 3, pixels));
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "not a PNG or JPEG");
    free(pixels);
}

static void test_image_text_named_png(void **state)
{
    (void)state;
    lf_error err;
    const char *path = write_text("notes.png", "these are my holiday notes\n");
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "not a PNG or JPEG");
}

static void test_image_missing_and_folder(void **state)
{
    (void)state;
    lf_error err;
    const char *path = temp_path("no such photo.png");
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "no such file");
    make_folder("a folder.png");
    path = temp_path("a folder.png");
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, path, "folder");
}

static void test_image_unreadable(void **state)
{
    (void)state;
    const char *path = write_good_png("locked.png", 16, 16);
    assert_int_equal(chmod(path, 0), 0);
    lf_error err;
    lf_status st = load_image(path, &err);
    /* root reads anything, so only an ordinary user sees the refusal. */
    if (geteuid() != 0)
        check_error(st, LF_ERR_IO, &err, path, "Permission denied");
    else
        assert_int_equal(st, LF_OK);
    chmod(path, 0600);
}

static void test_image_names_with_spaces_and_unicode(void **state)
{
    (void)state;
    lf_error err;
    const char *names[] = {"photo with spaces.png", "café crème.jpg", "写真 1.png",
                           "ÆØÅ-ñ.JPEG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *path = strstr(names[i], "jp") || strstr(names[i], "JP")
                               ? write_good_jpeg(names[i], 40, 30)
                               : write_good_png(names[i], 40, 30);
        lf_image img;
        lf_error_clear(&err);
        lf_status st = lf_image_load(&img, path, &err);
        if (st != LF_OK)
            fail_msg("%s: %s", path, err.message);
        assert_int_equal(img.width, 40);
        assert_int_equal(img.height, 30);
        lf_image_deinit(&img);
    }
    /* A bad file under such a name is reported with the name intact. */
    const char *path = write_text("日記 notes.png", "text");
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, "日記 notes.png", "not a PNG");
    /* A line break in a name (legal on POSIX) cannot split the message. */
    path = write_text("two\nlines.png", "text");
    check_error(load_image(path, &err), LF_ERR_INPUT, &err, "two?lines.png", "not a PNG");
}

/* ============================================================= datasets */

typedef struct warnings {
    int count;
    char last[LF_ERROR_MESSAGE_MAX + 64];
} warnings;

static void record_warning(void *user, const char *message)
{
    warnings *w = user;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", message);
}

static lf_status load_dataset(lf_dataset *ds, const char *path, warnings *w, lf_error *err)
{
    const char *paths[1] = {path};
    lf_dataset_options o = {.paths = paths, .path_count = 1, .patch_size = 16,
                            .warn = record_warning, .user = w};
    return lf_dataset_load(ds, &o, err);
}

static void test_dataset_empty_folder(void **state)
{
    (void)state;
    make_folder("no images");
    /* Files of other kinds do not count as images. */
    write_text("no images/readme.txt", "nothing here");
    write_text("no images/.hidden.png", "not even looked at");
    lf_dataset ds;
    warnings w = {0};
    lf_error err;
    const char *folder = temp_path("no images");
    check_error(load_dataset(&ds, folder, &w, &err), LF_ERR_INPUT, &err, folder,
                "no .png, .jpg or .jpeg images");
    assert_int_equal(w.count, 0);
    assert_null(ds.inputs);
}

static void test_dataset_skips_bad_image(void **state)
{
    (void)state;
    make_folder("mixed");
    write_good_png("mixed/a good.png", 32, 32);
    write_bytes("mixed/b broken.png", "\x89PNG\r\n\x1a\n\0\0", 10);
    write_good_jpeg("mixed/c good.jpg", 32, 32);
    lf_dataset ds;
    warnings w = {0};
    lf_error err;
    lf_status st = load_dataset(&ds, temp_path("mixed"), &w, &err);
    if (st != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(w.count, 1);
    assert_non_null(strstr(w.last, "b broken.png"));
    assert_non_null(strstr(w.last, "PNG header"));
    assert_int_equal(ds.file_count, 2);
    assert_int_equal(ds.skipped_count, 1);
    assert_int_equal(ds.patch_count, 8); /* two 32x32 images, four 16x16 patches each */
    for (int i = 0; i < ds.file_count; i++)
        assert_null(strstr(ds.file_names[i], "broken"));
    lf_dataset_deinit(&ds);
}

/* A file that decodes but cannot be cut into patches: a 1x2000 strip
 * would have to become 16x32000 for 16-pixel patches, past the side limit.
 * The warning names it. */
static void test_dataset_unscalable_image(void **state)
{
    (void)state;
    make_folder("strip");
    write_good_png("strip/a good.png", 16, 16);
    write_good_png("strip/b thin.png", 1, 2000);
    lf_dataset ds;
    warnings w = {0};
    lf_error err;
    lf_status st = load_dataset(&ds, temp_path("strip"), &w, &err);
    if (st != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(w.count, 1);
    assert_non_null(strstr(w.last, "b thin.png: 1x2000 cannot be scaled for 16-pixel patches"));
    assert_int_equal(ds.file_count, 1);
    lf_dataset_deinit(&ds);
}

static void test_dataset_no_usable_image(void **state)
{
    (void)state;
    make_folder("all bad");
    write_text("all bad/one.png", "text");
    write_bytes("all bad/two.jpg", "", 0);
    unsigned char png[64];
    size_t n = craft_png_header(png, 100000, 100000);
    write_bytes("all bad/three.png", png, n);
    lf_dataset ds;
    warnings w = {0};
    lf_error err;
    const char *folder = temp_path("all bad");
    /* One line that says why, without the warnings: files are taken in name
     * order, so the first reason is one.png's. */
    check_error(load_dataset(&ds, folder, &w, &err), LF_ERR_INPUT, &err, folder, "none of the 3",
                "the first: ", "one.png: not a PNG or JPEG");
    assert_int_equal(w.count, 3);
    assert_null(ds.inputs);
}

static void test_dataset_unreadable_file_is_skipped(void **state)
{
    (void)state;
    make_folder("locked");
    write_good_png("locked/open.png", 16, 16);
    const char *locked = write_good_png("locked/shut.png", 16, 16);
    assert_int_equal(chmod(locked, 0), 0);
    lf_dataset ds;
    warnings w = {0};
    lf_error err;
    lf_status st = load_dataset(&ds, temp_path("locked"), &w, &err);
    if (st != LF_OK)
        fail_msg("%s", err.message);
    if (geteuid() != 0) {
        assert_int_equal(w.count, 1);
        assert_non_null(strstr(w.last, "shut.png"));
        assert_int_equal(ds.file_count, 1);
    } else {
        assert_int_equal(ds.file_count, 2);
    }
    lf_dataset_deinit(&ds);
    chmod(locked, 0600);
}

static void test_dataset_missing_path_and_unicode_folder(void **state)
{
    (void)state;
    lf_dataset ds;
    warnings w = {0};
    lf_error err;
    const char *missing = temp_path("nowhere/at all");
    check_error(load_dataset(&ds, missing, &w, &err), LF_ERR_INPUT, &err, missing,
                "no such file or folder");

    make_folder("фото с пробелами");
    write_good_jpeg("фото с пробелами/снимок 1.jpg", 16, 32);
    lf_status st = load_dataset(&ds, temp_path("фото с пробелами"), &w, &err);
    if (st != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(ds.patch_count, 2);
    assert_non_null(strstr(ds.file_names[0], "снимок 1.jpg"));
    lf_dataset_deinit(&ds);
}

/* ============================================================== kernels */

static lf_status load_kernel(const char *path, lf_error *err)
{
    lf_kernel k;
    return lf_kernel_load(&k, path, err);
}

static void test_kernel_text_errors(void **state)
{
    (void)state;
    lf_error err;
    const char *p;
    p = write_text("empty.txt", "");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "no numbers");
    p = write_text("comments.txt", "# only a comment\n\n   \n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "no numbers");
    p = write_text("ragged.txt", "1 2 3\n4 5\n6 7 8\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "line 2", "2 numbers", "has 3");
    p = write_text("words.txt", "1 2\n3 four\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "line 2", "'four' is not a number");
    p = write_text("nan.txt", "1 nan\n0 1\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "'nan'", "not a finite");
    p = write_text("inf.txt", "1 0\n-inf 1\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "'-inf'", "not a finite");
    p = write_text("overflow.txt", "1e39 0\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "'1e39'", "not a finite");
    p = write_text("long.txt", "1.00000000000000000000000000000000000000000000000000000000000000001\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "number too long");
    p = write_bytes("binary.txt", "1 2\n3 4\0junk\n", 13);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "NUL");

    /* 65 columns; then 65 rows. */
    char line[65 * 2 + 2] = {0};
    for (int i = 0; i < 65; i++)
        strcat(line, "1 ");
    strcat(line, "\n");
    p = write_text("wide.txt", line);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "larger than 64x64");
    char *tall = calloc(65, 3);
    assert_non_null(tall);
    for (int i = 0; i < 65; i++)
        strcat(tall, "1\n");
    p = write_text("tall.txt", tall);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "larger than 64x64");
    free(tall);

    /* All zeros: a text kernel is used as written (nothing is normalised),
     * so it is accepted, and the relative error stays finite. */
    lf_kernel k, learned = {0};
    p = write_text("zeros.txt", "0 0 0\n0 0 0\n0 0 0\n");
    assert_int_equal(lf_kernel_load(&k, p, &err), LF_OK);
    assert_int_equal(k.height, 3);
    learned.height = learned.width = 3;
    learned.weights[0] = 0.5f;
    assert_float_equal(lf_kernel_relative_error(&learned, &k), 0.5, 1e-9);
}

/* A .npy file: magic, version, header length, header, data. */
static size_t craft_npy(unsigned char *out, size_t capacity, int major, const char *header,
                        const void *data, size_t data_size)
{
    size_t start = major == 1 ? 10 : 12;
    size_t header_len = strlen(header);
    assert_true(start + header_len + data_size <= capacity);
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)major;
    out[7] = 0;
    out[8] = (unsigned char)header_len;
    out[9] = (unsigned char)(header_len >> 8);
    if (major != 1) {
        out[10] = (unsigned char)(header_len >> 16);
        out[11] = (unsigned char)(header_len >> 24);
    }
    memcpy(out + start, header, header_len);
    memcpy(out + start + header_len, data, data_size);
    return start + header_len + data_size;
}

static void test_kernel_npy_errors(void **state)
{
    (void)state;
    lf_error err;
    unsigned char buf[4096];
    const float four[4] = {1, 2, 3, 4};
    const char *p;
    size_t n;

    /* The good file first, so the failures below are the fault of their
     * one change. */
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n",
                  four, sizeof four);
    lf_kernel k;
    p = write_bytes("good.npy", buf, n);
    assert_int_equal(lf_kernel_load(&k, p, &err), LF_OK);
    assert_int_equal(k.height, 2);
    assert_float_equal(k.weights[3], 4.0f, 0);

    p = write_bytes("empty.npy", "", 0);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "not a NumPy");
    p = write_bytes("magic.npy", "\x93NUMPX\x01\x00\x10\x00", 10);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "not a NumPy");
    p = write_bytes("version.npy", "\x93NUMPY\x09\x00\x10\x00", 10);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "version 9");
    /* A header length far beyond the file (and beyond any sane header). */
    p = write_bytes("huge header.npy", "\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "truncated .npy header");
    p = write_bytes("long header.npy", "\x93NUMPY\x01\x00\xff\xff{'descr'", 18);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "truncated .npy header");
    n = craft_npy(buf, sizeof buf, 1, "{'fortran_order': False, 'shape': (2, 2), }\n", four,
                  sizeof four);
    p = write_bytes("no descr.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "no 'descr'");
    n = craft_npy(buf, sizeof buf, 1, "{'descr':", "", 0);
    p = write_bytes("cut descr.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "descr");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }\n",
                  four, sizeof four);
    p = write_bytes("int.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "dtype '<i4'", "float32");
    /* A dtype with a line break and an escape in it: quoted, but the
     * message stays one printable line. Found by fuzz_kernel. */
    n = craft_npy(buf, sizeof buf, 1, "{'descr': 'a\r\nb\x1b[2J', 'shape': (2, 2), }\n", four,
                  sizeof four);
    p = write_bytes("odd dtype.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "dtype 'a??b?[2J'");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }\n",
                  four, sizeof four);
    p = write_bytes("cube.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "3 dimensions", "needs 2");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n",
                  four, sizeof four);
    p = write_bytes("vector.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "1 dimensions");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }\n",
                  four, sizeof four);
    p = write_bytes("negative.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "shape");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }\n",
                  four, sizeof four);
    p = write_bytes("zero.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "empty");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (65, 2), }\n",
                  four, sizeof four);
    p = write_bytes("big.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "65x2", "64x64");
    n = craft_npy(buf, sizeof buf, 1,
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 2), }\n",
                  four, sizeof four);
    p = write_bytes("overflow.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "64x64");
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n",
                  four, sizeof four - 1);
    p = write_bytes("short.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "truncated", "15 of 16 bytes");
    const float nan_in[4] = {1, 2, NAN, 4};
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n",
                  nan_in, sizeof nan_in);
    p = write_bytes("nan.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "row 2, column 1", "not finite");
    const double huge[1] = {1e300};
    n = craft_npy(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }\n",
                  huge, sizeof huge);
    p = write_bytes("huge value.npy", buf, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "not finite");
}

static void test_kernel_png_errors(void **state)
{
    (void)state;
    lf_error err;
    const char *p = write_bytes("empty kernel.png", "", 0);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "empty");
    /* All black: there is no norm to scale to 1. */
    unsigned char black[9] = {0};
    p = temp_path("black.png");
    assert_true(stbi_write_png(p, 3, 3, 1, black, 3));
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "all black", "unit L2 norm");
    p = write_good_png("big kernel.png", 65, 65);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "65x65", "64x64");
    /* Refused from the header alone, before any pixel data is read. */
    unsigned char header[64];
    size_t n = craft_png_header(header, 100, 100);
    p = write_bytes("header only kernel.png", header, n);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "100x100", "64x64");
    byte_buffer b = encode_png(8, 8, 1);
    p = write_bytes("cut kernel.png", b.bytes, b.size - 20);
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "PNG");
    free(b.bytes);
    p = write_text("text kernel.png", "1 0\n0 1\n");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "not a PNG image", "a grayscale PNG");
    p = temp_path("missing kernel.npy");
    check_error(load_kernel(p, &err), LF_ERR_INPUT, &err, p, "no such file");
}

/* The parsers also take bytes without a file; the name is only for the
 * message, and an empty buffer is refused by each. */
static void test_kernel_parsers_in_memory(void **state)
{
    (void)state;
    lf_kernel k;
    lf_error err;
    check_error(lf_kernel_parse_text(&k, "", 0, "mem.txt", &err), LF_ERR_INPUT, &err, "mem.txt",
                "no numbers");
    check_error(lf_kernel_parse_npy(&k, (const unsigned char *)"", 0, "mem.npy", &err),
                LF_ERR_INPUT, &err, "mem.npy", "not a NumPy");
    check_error(lf_kernel_parse_png(&k, (const unsigned char *)"", 0, "mem.png", &err),
                LF_ERR_INPUT, &err, "mem.png", "empty");
    /* Text is read only up to size: a number past it is not seen. */
    assert_int_equal(lf_kernel_parse_text(&k, "1 2 3", 3, "mem.txt", &err), LF_OK);
    assert_int_equal(k.width, 2);
}

/* ============================================================== exports */

/* A full disk, simulated with the file size limit: the write fails, the
 * message names the file, and neither the final name nor a temporary file
 * is left behind. */
static void test_export_full_disk(void **state)
{
    (void)state;
    make_folder("full");
    const char *path = temp_path("full/weights.npy");
    float w[9] = {0};
    size_t shape[2] = {3, 3};
    struct rlimit old, limit;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    limit = old;
    limit.rlim_cur = 64; /* room for the header, not the data */
    void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
    lf_error err;
    lf_status st = lf_npy_write_f32(path, w, shape, 2, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, previous);
    check_error(st, LF_ERR_IO, &err, path, "write failed");
    struct stat info;
    assert_int_not_equal(stat(path, &info), 0);
    /* rmdir succeeds only on an empty folder: no temporary file is left. */
    assert_int_equal(rmdir(temp_path("full")), 0);
}

static void test_export_unwritable_folder(void **state)
{
    (void)state;
    float w[4] = {1, 2, 3, 4};
    size_t shape[2] = {2, 2};
    lf_error err;
    /* A folder that does not exist, and a "folder" that is a file: both
     * fail for root too. */
    const char *path = temp_path("missing folder/w.npy");
    check_error(lf_npy_write_f32(path, w, shape, 2, &err), LF_ERR_IO, &err, path,
                "cannot write");
    const char *file = write_text("plain file", "x");
    char inside[600];
    snprintf(inside, sizeof inside, "%s/w.npy", file);
    check_error(lf_npy_write_f32(inside, w, shape, 2, &err), LF_ERR_IO, &err, inside,
                "cannot write");
    if (geteuid() != 0) {
        make_folder("read only");
        assert_int_equal(chmod(temp_path("read only"), 0500), 0);
        path = temp_path("read only/w.npy");
        check_error(lf_npy_write_f32(path, w, shape, 2, &err), LF_ERR_IO, &err, path,
                    "Permission denied");
        chmod(temp_path("read only"), 0700);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_empty_file),
        cmocka_unit_test(test_image_truncated_png),
        cmocka_unit_test(test_image_truncated_jpeg),
        cmocka_unit_test(test_image_huge_png_header),
        cmocka_unit_test(test_image_png_bad_chunks),
        cmocka_unit_test(test_image_jpeg_bomb),
        cmocka_unit_test(test_image_jpeg_bad_huffman_table),
        cmocka_unit_test(test_image_jpeg_undefined_table),
        cmocka_unit_test(test_image_other_formats),
        cmocka_unit_test(test_image_text_named_png),
        cmocka_unit_test(test_image_missing_and_folder),
        cmocka_unit_test(test_image_unreadable),
        cmocka_unit_test(test_image_names_with_spaces_and_unicode),
        cmocka_unit_test(test_dataset_empty_folder),
        cmocka_unit_test(test_dataset_skips_bad_image),
        cmocka_unit_test(test_dataset_unscalable_image),
        cmocka_unit_test(test_dataset_no_usable_image),
        cmocka_unit_test(test_dataset_unreadable_file_is_skipped),
        cmocka_unit_test(test_dataset_missing_path_and_unicode_folder),
        cmocka_unit_test(test_kernel_text_errors),
        cmocka_unit_test(test_kernel_npy_errors),
        cmocka_unit_test(test_kernel_png_errors),
        cmocka_unit_test(test_kernel_parsers_in_memory),
        cmocka_unit_test(test_export_full_disk),
        cmocka_unit_test(test_export_unwritable_folder),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
