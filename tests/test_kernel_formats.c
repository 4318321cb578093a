/*
 * test_kernel_formats.c: kernel files that are not what their names or
 * first bytes suggest, as users hand them over.
 *
 * A text kernel saved with a UTF-8 byte order mark; a photo, an archive or
 * a document given as a kernel, which must be named as what it is together
 * with what a kernel may be; a PNG saved under another name; and a 16-bit
 * grayscale PNG, whose steps of 1/65535 must survive (8 bits would round
 * them to steps of 1/255). The 16-bit PNG is built byte by byte here (stored
 * deflate blocks, CRC-32 and Adler-32 written out) because the PNG writer
 * we link only writes 8 bits.
 */
#include "test_util.h"

#include "learnfilter/kernel.h"

#define ACCEPTED "a kernel is a text matrix, a NumPy .npy array or a grayscale PNG"

static void expect_load_error(const char *path, const char *expected)
{
    lf_kernel k;
    lf_error err;
    lf_error_clear(&err);
    assert_int_equal(lf_kernel_load(&k, path, &err), LF_ERR_INPUT);
    assert_string_equal(err.message, expected);
}

/* ================================================================ text */

static void test_text_with_byte_order_mark(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBF-1 0 1\n-2 0 2\n-1 0 1\n";
    lf_kernel k;
    lf_error err;
    if (lf_kernel_parse_text(&k, text, strlen(text), "bom.txt", &err) != LF_OK)
        fail_msg("%s", err.message);
    const float want[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    assert_int_equal(k.height, 3);
    assert_int_equal(k.width, 3);
    for (int i = 0; i < 9; i++)
        assert_true(k.weights[i] == want[i]);
    /* Only at the very start: the same bytes inside a line are not a number. */
    const char inside[] = "1 \xEF\xBB\xBF" "2\n";
    assert_int_equal(lf_kernel_parse_text(&k, inside, strlen(inside), "mid.txt", &err),
                     LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "is not a number"));
}

/* ============================================================= binaries */

static void test_binary_files_named(void **state)
{
    (void)state;
    char dir[512], path[600], want[900];
    tu_make_temp_dir(dir, sizeof dir);
    static const struct { const char *file; const char *bytes; size_t size; const char *what; }
        cases[] = {
            {"photo.jpg", "\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0", 14, "a JPEG image"},
            {"photo.txt", "\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0", 14, "a JPEG image"},
            {"photo.png", "\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0", 14, "a JPEG image"},
            {"anim.gif", "GIF89a\1\0\1\0\0\0\0", 13, "a GIF image"},
            {"scan.tif", "II*\0\x08\0\0\0", 8, "a TIFF image"},
            {"pic.bmp", "BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", 14, "a BMP image"},
            {"pic.webp", "RIFF\x24\0\0\0WEBPVP8 ", 16, "a WebP image"},
            {"k.npz", "PK\x03\x04\x14\0\0\0", 8, "a ZIP archive (a NumPy .npz?)"},
            {"k.txt.gz", "\x1f\x8b\x08\0\0\0\0\0", 8, "a gzip file"},
            {"paper.pdf", "%PDF-1.7\n", 9, "a PDF document"},
        };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].file);
        tu_write_file(path, cases[i].bytes, cases[i].size);
        snprintf(want, sizeof want, "%s: %s; " ACCEPTED, path, cases[i].what);
        expect_load_error(path, want);
    }
    /* Some other binary file: the first NUL gives it away. */
    snprintf(path, sizeof path, "%s/blob.bin", dir);
    tu_write_file(path, "12 3\n4\0\1\2", 9);
    snprintf(want, sizeof want, "%s: line 2: a NUL byte, so a binary file; " ACCEPTED, path);
    expect_load_error(path, want);
    /* A text line that happens to start with "BM" is text, and not a number. */
    snprintf(path, sizeof path, "%s/bm.txt", dir);
    tu_write_file(path, "BM 1 2 3 4 5 6\n", 15);
    snprintf(want, sizeof want, "%s: line 1: 'BM' is not a number", path);
    expect_load_error(path, want);
    tu_remove_tree(dir);
}

/* ============================================================== 16-bit */

static uint32_t crc32_of(const unsigned char *b, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= b[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static size_t put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24), b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8), b[3] = (unsigned char)v;
    return 4;
}

/* Appends a chunk (length, type, data, CRC over type and data). */
static size_t put_chunk(unsigned char *out, const char *type, const unsigned char *data,
                        size_t n)
{
    size_t at = put32(out, (uint32_t)n);
    memcpy(out + at, type, 4);
    if (n > 0)
        memcpy(out + at + 4, data, n);
    at += 4 + n;
    return at + put32(out + at, crc32_of(out + 4, 4 + n));
}

/* A width x height 16-bit grayscale PNG (colour type 0, depth 16) of the
 * given samples, its image data one stored (uncompressed) deflate block. */
static size_t png16_build(unsigned char *out, const uint16_t *samples, int width, int height)
{
    unsigned char raw[512], z[600], ihdr[13];
    size_t n = 0;
    for (int y = 0; y < height; y++) {
        raw[n++] = 0; /* filter: none */
        for (int x = 0; x < width; x++) {
            raw[n++] = (unsigned char)(samples[y * width + x] >> 8);
            raw[n++] = (unsigned char)samples[y * width + x];
        }
    }
    uint32_t a = 1, b = 0; /* Adler-32 of the raw bytes */
    for (size_t i = 0; i < n; i++)
        a = (a + raw[i]) % 65521, b = (b + a) % 65521;
    size_t zn = 0;
    z[zn++] = 0x78, z[zn++] = 0x01;                  /* zlib header, no dictionary */
    z[zn++] = 1;                                     /* final stored block */
    z[zn++] = (unsigned char)n, z[zn++] = (unsigned char)(n >> 8);
    z[zn++] = (unsigned char)~n, z[zn++] = (unsigned char)(~n >> 8);
    memcpy(z + zn, raw, n);
    zn += n;
    zn += put32(z + zn, b << 16 | a);
    put32(ihdr, (uint32_t)width);
    put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 16, ihdr[9] = 0, ihdr[10] = ihdr[11] = ihdr[12] = 0;
    size_t at = 0;
    memcpy(out, "\x89PNG\r\n\x1a\n", 8);
    at = 8;
    at += put_chunk(out + at, "IHDR", ihdr, 13);
    at += put_chunk(out + at, "IDAT", z, zn);
    at += put_chunk(out + at, "IEND", NULL, 0);
    return at;
}

static void test_png_16_bit_full_precision(void **state)
{
    (void)state;
    /* Neighbours 1/65535 apart, which an 8-bit decode makes equal. */
    const uint16_t samples[6] = {40000, 40001, 40002, 65535, 12345, 12346};
    unsigned char png[1024];
    size_t size = png16_build(png, samples, 3, 2);
    char dir[512], path[600];
    tu_make_temp_dir(dir, sizeof dir);
    double norm = 0;
    for (int i = 0; i < 6; i++)
        norm += (samples[i] / 65535.0) * (samples[i] / 65535.0);
    norm = sqrt(norm);
    /* Under its own name, and under a name that says text: the bytes decide. */
    const char *names[2] = {"deep.png", "deep.txt"};
    for (int n = 0; n < 2; n++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[n]);
        tu_write_file(path, png, size);
        lf_kernel k;
        lf_error err;
        if (lf_kernel_load(&k, path, &err) != LF_OK)
            fail_msg("%s", err.message);
        assert_int_equal(k.height, 2);
        assert_int_equal(k.width, 3);
        assert_string_equal(k.name, names[n]);
        for (int i = 0; i < 6; i++) {
            double want = samples[i] / 65535.0 / norm;
            if (!(fabs(k.weights[i] - want) <= 2e-7 * want))
                fail_msg("weight %d: %.9g, want %.9g", i, (double)k.weights[i], want);
        }
        assert_true(k.weights[0] < k.weights[1] && k.weights[1] < k.weights[2]);
        assert_true(k.weights[4] < k.weights[5]);
    }
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_with_byte_order_mark),
        cmocka_unit_test(test_binary_files_named),
        cmocka_unit_test(test_png_16_bit_full_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
