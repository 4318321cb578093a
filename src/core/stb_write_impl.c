/*
 * stb_write_impl.c: the one place stb_image_write is compiled.
 *
 * Apart from stb_impl.c because its JPEG writer shifts a negative int left
 * (stbiw__jpg_writeBits, 'bitBuf <<= 8'), which UndefinedBehaviorSanitizer
 * rightly reports; CMakeLists.txt turns that one check off for this file
 * alone, so the decoder, which reads untrusted files, keeps every check.
 * The writer only ever encodes pixels we made. Built without our warning
 * flags: it is third-party code.
 */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBIW_WINDOWS_UTF8
#include <stb/stb_image_write.h>
