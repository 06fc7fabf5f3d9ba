/*
 * What footprint's C needs to run lines side by side in AVX2 lanes, where the compiler
 * targets x86-64 and the CPU has AVX2 (checked when first asked): the builds for AVX2 beside the plain
 * ones (WITH_AVX2), the 8x8 transpose that turns eight rows of eight samples into eight vectors whose
 * lanes are the rows, and the one switch, footprint_lanes, that the tests turn to compare the lanes and
 * the scalar code with the reference. Elsewhere (or built with -DFOOTPRINT_NO_LANES) LANES is undefined
 * and only the scalar code is built.
 */

#ifndef FOOTPRINT_LANES_H
#define FOOTPRINT_LANES_H

/* A build for AVX2 beside the plain one, chosen when the library loads (GCC's function multiversioning, on
 * x86-64 Linux), for loops the compiler vectorises itself: wider vectors, and AVX2's byte-to-float and
 * byte-to-integer conversions. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define WITH_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define WITH_AVX2
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FOOTPRINT_NO_LANES)
#include <immintrin.h>
#define LANES 1
#define AVX2 __attribute__((target("avx2")))

/* Eight vectors of eight 32-bit samples (eight rows of eight) turned into eight of eight (columns). */
AVX2 static inline void transpose8(__m256 *v)
{
    __m256 a0 = _mm256_unpacklo_ps(v[0], v[1]), a1 = _mm256_unpackhi_ps(v[0], v[1]);
    __m256 a2 = _mm256_unpacklo_ps(v[2], v[3]), a3 = _mm256_unpackhi_ps(v[2], v[3]);
    __m256 a4 = _mm256_unpacklo_ps(v[4], v[5]), a5 = _mm256_unpackhi_ps(v[4], v[5]);
    __m256 a6 = _mm256_unpacklo_ps(v[6], v[7]), a7 = _mm256_unpackhi_ps(v[6], v[7]);
    __m256 b0 = _mm256_shuffle_ps(a0, a2, 0x44), b1 = _mm256_shuffle_ps(a0, a2, 0xEE);
    __m256 b2 = _mm256_shuffle_ps(a1, a3, 0x44), b3 = _mm256_shuffle_ps(a1, a3, 0xEE);
    __m256 b4 = _mm256_shuffle_ps(a4, a6, 0x44), b5 = _mm256_shuffle_ps(a4, a6, 0xEE);
    __m256 b6 = _mm256_shuffle_ps(a5, a7, 0x44), b7 = _mm256_shuffle_ps(a5, a7, 0xEE);
    v[0] = _mm256_permute2f128_ps(b0, b4, 0x20), v[1] = _mm256_permute2f128_ps(b1, b5, 0x20);
    v[2] = _mm256_permute2f128_ps(b2, b6, 0x20), v[3] = _mm256_permute2f128_ps(b3, b7, 0x20);
    v[4] = _mm256_permute2f128_ps(b0, b4, 0x31), v[5] = _mm256_permute2f128_ps(b1, b5, 0x31);
    v[6] = _mm256_permute2f128_ps(b2, b6, 0x31), v[7] = _mm256_permute2f128_ps(b3, b7, 0x31);
}

#endif

/* Whether the lanes run (_pdqc.c). */
int footprint_use_lanes(void);

#endif
