/*
 * stb_impl.c: the one place stb_image is compiled (stb_image_write has its
 * own file, stb_write_impl.c).
 *
 * We compile Debian's header ourselves rather than link its prebuilt libstb,
 * so we choose what is in it: only the PNG and JPEG decoders (every other
 * decoder is attack surface we do not need) and a lower dimension limit.
 * The area limit lives in image.c, which checks the header before decoding.
 * This file is built without our warning flags: it is third-party code.
 *
 * The sanitizer builds leave out one check here, -fsanitize=shift: stb_image
 * 2.27's JPEG bit reader (stbi__grow_buffer_unsafe) lets its bit count go
 * negative when a marker cuts a scan short and then shifts by 32 or more.
 * That is undefined but only yields wrong bits, which a corrupt file has
 * anyway; catching it would take a second Huffman decoder in image.c. The
 * faults that do reach memory (Huffman tables past 256 codes, oversized
 * PNG chunks) image.c refuses before the decoder runs, and AddressSanitizer
 * still watches every access made here.
 */
#include "learnfilter/image.h"

#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO /* we read files ourselves, with our own size limit */
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STBI_MAX_DIMENSIONS LF_IMAGE_MAX_SIDE
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
