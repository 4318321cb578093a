/*
 * simd.h: building a routine for several instruction sets at once.
 *
 * The binaries stay portable (no -march=native): LF_VECTOR_CLONES before a
 * function makes GCC build it for AVX-512, AVX2 and the baseline and pick
 * one at load time. Only for the few hot loops; ThreadSanitizer builds
 * define LF_NO_CLONES because the load-time resolvers run before TSan is
 * ready.
 */
#ifndef LEARNFILTER_SIMD_H
#define LEARNFILTER_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(LF_NO_CLONES)
#define LF_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LF_VECTOR_CLONES
#endif

#endif
