/*
 * Pillow's BILINEAR resize of an 8-bit picture (grey, or RGB), with the same result byte for byte, for the
 * region signature's working copy (footprint.hashers.resample); and, at the end, the bar test of the
 * working copy's edges (footprint.hashers.regions.trim_box), with numpy's results.
 *
 * Pillow resizes in two passes, along rows and then down columns. Each output sample is a weighted sum of
 * the input samples under the filter, in integers: the weights are the filter's values rounded to 22
 * fractional bits, the sum starts at one half, and the result is the sum shifted down by 22 bits and
 * clamped to 0..255 (then stored as a byte, which the second pass reads). Integer sums do not depend on
 * their order, so here they run side by side: along the rows, eight rows at once (their samples
 * interleaved, so that each weight multiplies eight samples in one instruction; where the CPU has AVX2,
 * the interleaving, the shifts and clamps and the way back into rows run in vectors too, by 8x8
 * transposes: the pass along the rows of an 816x612 picture in 0.45 ms instead of 1.3); down the
 * columns, a whole output row at once. The weights are computed in double exactly as Pillow computes
 * them, in the same order. Which pass runs first is Pillow's choice, and has changed between its versions: the
 * caller says which (footprint.hashers.resample finds out which its Pillow makes).
 *
 * footprint.hashers.resample compares the result with Pillow's on test pictures before it uses it, and
 * tests/hashers compares them on many sizes.
 */

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_lanes.h"

#define PRECISION_BITS 22 /* Pillow's, for 8-bit pictures: 32 - 8 - 2 */
#define GROUP 8 /* rows resampled side by side along the rows */

static double bilinear(double x)
{
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

/* The weights of one axis, `in_size` samples to `out_size`, as Pillow computes them. */
typedef struct {
    int width;      /* weights stored for each output (the filter's longest reach) */
    int *first;     /* per output: its first input sample */
    int *count;     /* per output: how many input samples it weighs */
    int32_t *kk;    /* per output: `width` weights, 22 fractional bits */
} Axis;

static void axis_free(Axis *a)
{
    free(a->first), free(a->count), free(a->kk);
}

static int axis_weights(Axis *a, int in_size, int out_size)
{
    double scale = (double)((float)in_size - 0.0f) / out_size; /* Pillow's box edges are floats */
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = 1.0 * filterscale; /* the bilinear filter reaches 1 */
    int width = (int)ceil(support) * 2 + 1;
    double *k = malloc((size_t)width * sizeof(double));
    a->width = width;
    a->first = malloc((size_t)out_size * sizeof(int));
    a->count = malloc((size_t)out_size * sizeof(int));
    a->kk = calloc((size_t)out_size * width, sizeof(int32_t));
    if (k == NULL || a->first == NULL || a->count == NULL || a->kk == NULL) {
        free(k);
        return -1;
    }
    for (int i = 0; i < out_size; i++) {
        double center = 0.0 + (i + 0.5) * scale;
        double ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
            double w = bilinear((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (int x = 0; x < xmax; x++) {
            if (ww != 0.0) k[x] /= ww;
            a->kk[(size_t)i * width + x] = k[x] < 0 ? (int32_t)(-0.5 + k[x] * (1 << PRECISION_BITS))
                                                    : (int32_t)(0.5 + k[x] * (1 << PRECISION_BITS));
        }
        a->first[i] = xmin;
        a->count[i] = xmax;
    }
    free(k);
    return 0;
}

static inline uint8_t clip8(int32_t sum)
{
    int32_t v = sum >> PRECISION_BITS;
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/* Along the rows: `lines` (at most GROUP) rows of `in`, `stride` bytes apart, each of cols pixels `pixel`
 * bytes apart (channels, or more: RGB as Pillow holds it, in four bytes), into rows of out_cols * channels
 * samples `out_stride` bytes apart. `block` holds GROUP * cols * channels. */
WITH_AVX2 static void row_group(const uint8_t *in, ptrdiff_t stride, int pixel, int lines, int cols, int channels,
                                const Axis *x, int out_cols, int32_t *block, uint8_t *out, ptrdiff_t out_stride)
{
    size_t n = (size_t)cols * channels;
    if (pixel == channels)
        for (size_t j = 0; j < n; j++)
            for (int r = 0; r < GROUP; r++) block[j * GROUP + r] = r < lines ? in[(ptrdiff_t)r * stride + j] : 0;
    else if (lines == GROUP && pixel == 4 && channels == 3)
        for (size_t q = 0; q < (size_t)cols; q++)
            for (int r = 0; r < GROUP; r++) {
                const uint8_t *p = in + (ptrdiff_t)r * stride + q * 4;
                block[(q * 3) * GROUP + r] = p[0];
                block[(q * 3 + 1) * GROUP + r] = p[1];
                block[(q * 3 + 2) * GROUP + r] = p[2];
            }
    else
        for (int q = 0; q < cols; q++)
            for (int c = 0; c < channels; c++) {
                size_t j = (size_t)q * channels + c, at = (size_t)q * pixel + c;
                for (int r = 0; r < GROUP; r++) block[j * GROUP + r] = r < lines ? in[(ptrdiff_t)r * stride + at] : 0;
            }
    for (int i = 0; i < out_cols; i++) {
        const int32_t *k = x->kk + (size_t)i * x->width;
        for (int c = 0; c < channels; c++) {
            int32_t sum[GROUP];
            for (int r = 0; r < GROUP; r++) sum[r] = 1 << (PRECISION_BITS - 1);
            const int32_t *s = block + ((size_t)x->first[i] * channels + c) * GROUP;
            for (int t = 0; t < x->count[i]; t++, s += (size_t)channels * GROUP)
                for (int r = 0; r < GROUP; r++) sum[r] += s[r] * k[t];
            for (int r = 0; r < lines; r++) out[(ptrdiff_t)r * out_stride + (size_t)i * channels + c] = clip8(sum[r]);
        }
    }
}

#ifdef LANES
/* row_group for eight whole rows in AVX2 lanes, where the samples are bytes packed (`pixel` == channels)
 * or RGB in four bytes: the rows turned into lanes by 8x8 transposes, each weight times eight rows' samples
 * in one instruction, each result shifted and clamped eight at a time, collected in `done` (out_cols *
 * channels * GROUP) and turned back into rows. */
AVX2 static void row_group_in_lanes(const uint8_t *in, ptrdiff_t stride, int pixel, int cols, int channels,
                                    const Axis *x, int out_cols, int32_t *block, int32_t *done, uint8_t *out,
                                    ptrdiff_t out_stride)
{
    size_t n = (size_t)cols * channels, j = 0;
    if (pixel == 4 && channels == 3)
        for (int q = 0; q + 8 <= cols; q += 8, j += 24) { /* eight RGBX pixels of each row */
            __m256i v[8];
            for (int r = 0; r < GROUP; r++) v[r] = _mm256_loadu_si256((const __m256i *)(in + r * stride + (size_t)q * 4));
            transpose8i(v);
            for (int k = 0; k < 8; k++)
                for (int c = 0; c < 3; c++)
                    _mm256_storeu_si256((__m256i *)(block + (j + 3 * k + c) * GROUP),
                                        _mm256_and_si256(_mm256_srli_epi32(v[k], 8 * c), _mm256_set1_epi32(255)));
        }
    else
        for (; j + 8 <= n; j += 8) { /* eight samples of each row */
            __m256i v[8];
            for (int r = 0; r < GROUP; r++)
                v[r] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(in + r * stride + j)));
            transpose8i(v);
            for (int k = 0; k < 8; k++) _mm256_storeu_si256((__m256i *)(block + (j + k) * GROUP), v[k]);
        }
    for (; j < n; j++) {
        size_t at = j / channels * pixel + j % channels;
        for (int r = 0; r < GROUP; r++) block[j * GROUP + r] = in[r * stride + at];
    }
    __m256i half = _mm256_set1_epi32(1 << (PRECISION_BITS - 1)), low = _mm256_setzero_si256();
    __m256i high = _mm256_set1_epi32(255);
    for (int i = 0; i < out_cols; i++) {
        const int32_t *k = x->kk + (size_t)i * x->width;
        for (int c = 0; c < channels; c++) {
            __m256i sum = half;
            const int32_t *s = block + ((size_t)x->first[i] * channels + c) * GROUP;
            for (int t = 0; t < x->count[i]; t++, s += (size_t)channels * GROUP)
                sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)s),
                                                               _mm256_set1_epi32(k[t])));
            sum = _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(sum, PRECISION_BITS), low), high);
            _mm256_storeu_si256((__m256i *)(done + ((size_t)i * channels + c) * GROUP), sum);
        }
    }
    size_t m = (size_t)out_cols * channels;
    __m256i gather = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0); /* the packed bytes of both halves */
    for (j = 0; j + 8 <= m; j += 8) {
        __m256i v[8];
        for (int k = 0; k < 8; k++) v[k] = _mm256_loadu_si256((const __m256i *)(done + (j + k) * GROUP));
        transpose8i(v);
        for (int r = 0; r < GROUP; r++) {
            __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(v[r], v[r]), low);
            long long eight = _mm_cvtsi128_si64(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(bytes, gather)));
            memcpy(out + r * out_stride + j, &eight, 8);
        }
    }
    for (; j < m; j++)
        for (int r = 0; r < GROUP; r++) out[r * out_stride + j] = (uint8_t)done[j * GROUP + r];
}
#endif

static int row_pass(const uint8_t *in, ptrdiff_t stride, int pixel, int rows, int cols, int channels, const Axis *x,
                    int out_cols, uint8_t *out)
{
    int32_t *block = malloc((size_t)GROUP * ((size_t)cols + out_cols) * channels * sizeof(int32_t));
    if (block == NULL) return -1;
    int32_t *done = block + (size_t)GROUP * cols * channels; /* the lanes' results */
    ptrdiff_t out_stride = (ptrdiff_t)out_cols * channels;
    int top = 0;
#ifdef LANES
    if (footprint_use_lanes() && (pixel == channels || (pixel == 4 && channels == 3)))
        for (; top + GROUP <= rows; top += GROUP)
            row_group_in_lanes(in + (ptrdiff_t)top * stride, stride, pixel, cols, channels, x, out_cols, block, done,
                               out + top * out_stride, out_stride);
#else
    (void)done;
#endif
    for (; top < rows; top += GROUP)
        row_group(in + (ptrdiff_t)top * stride, stride, pixel, rows - top < GROUP ? rows - top : GROUP, cols, channels,
                  x, out_cols, block, out + top * out_stride, out_stride);
    free(block);
    return 0;
}

/* Down the columns: each output row from the input rows its weights reach (`in` is the input's row 0,
 * rows `stride` bytes apart, n samples each). */
WITH_AVX2 static int column_pass(const uint8_t *in, ptrdiff_t stride, size_t n, const Axis *y, int out_rows,
                                 uint8_t *out)
{
    int32_t *sum = malloc(n * sizeof(int32_t));
    if (sum == NULL) return -1;
    for (int i = 0; i < out_rows; i++) {
        const int32_t *k = y->kk + (size_t)i * y->width;
        for (size_t j = 0; j < n; j++) sum[j] = 1 << (PRECISION_BITS - 1);
        for (int t = 0; t < y->count[i]; t++) {
            const uint8_t *line = in + (ptrdiff_t)(y->first[i] + t) * stride;
            int32_t w = k[t];
            for (size_t j = 0; j < n; j++) sum[j] += (int32_t)line[j] * w;
        }
        uint8_t *row = out + (size_t)i * n;
        for (size_t j = 0; j < n; j++) row[j] = clip8(sum[j]);
    }
    free(sum);
    return 0;
}

/*
 * Image.resize((out_cols, out_rows), BILINEAR) of a picture of `channels` (1 or 3) interleaved 8-bit
 * channels, rows x cols, rows `row_stride` bytes apart and pixels `pixel` bytes apart, as Pillow makes it
 * when it shrinks no side by a factor of 4 or more (else it first box-reduces): the pass along the rows
 * first, or down the columns first when `vertical_first`. out is out_rows x out_cols x channels, packed.
 * Pixels further apart than their channels (RGB in four bytes, as Pillow holds it) are read only by a
 * first pass along the rows: the width must change, and the height not, or not first.
 * Returns 0, -1 when memory cannot be had, or -2 for spaced pixels another pass would read first.
 */
int footprint_resample(const uint8_t *in, int rows, int cols, ptrdiff_t row_stride, int pixel, int channels,
                       uint8_t *out, int out_rows, int out_cols, int vertical_first)
{
    Axis x = {0}, y = {0};
    uint8_t *middle = NULL;
    int status = -1;
    int along = out_cols != cols, down = out_rows != rows;
    size_t out_line = (size_t)out_cols * channels, in_line = (size_t)cols * channels;
    if (pixel != channels && (!along || (down && vertical_first))) return -2;
    if (axis_weights(&x, cols, out_cols) || axis_weights(&y, rows, out_rows)) goto done;
    if (!along && !down) {
        for (int r = 0; r < rows; r++) memcpy(out + r * out_line, in + (ptrdiff_t)r * row_stride, out_line);
        status = 0;
    } else if (!along) {
        status = column_pass(in, row_stride, in_line, &y, out_rows, out);
    } else if (!down) {
        status = row_pass(in, row_stride, pixel, rows, cols, channels, &x, out_cols, out);
    } else if (vertical_first) {
        middle = malloc((size_t)out_rows * in_line);
        status = middle == NULL || column_pass(in, row_stride, in_line, &y, out_rows, middle)
                     ? -1 : row_pass(middle, (ptrdiff_t)in_line, channels, out_rows, cols, channels, &x, out_cols, out);
    } else {
        /* only the rows the column pass reads, as Pillow */
        int top = y.first[0], bottom = y.first[out_rows - 1] + y.count[out_rows - 1];
        middle = malloc((size_t)(bottom - top) * out_line);
        if (middle != NULL && !row_pass(in + (ptrdiff_t)top * row_stride, row_stride, pixel, bottom - top, cols,
                                        channels, &x, out_cols, middle)) {
            for (int i = 0; i < out_rows; i++) y.first[i] -= top;
            status = column_pass(middle, (ptrdiff_t)out_line, out_line, &y, out_rows, out);
        }
    }
done:
    axis_free(&x), axis_free(&y), free(middle);
    return status;
}

/*
 * The region signature's bar test (footprint.hashers.regions.trim_box) on one edge of the working copy:
 * how many lines from the edge form one uniform bar. A line is `n` pixels `pixel_step` bytes apart, lines
 * `line_step` bytes apart (either sign, so rows and columns from either end); a pixel's grey is
 * (r + g + b) / 3 of `channels` 3, or its byte of `channels` 1. A line belongs to the bar while its greys
 * spread (max - min) by at most `spread` and their mean stays within `spread` of the first line's; at
 * most `limit` lines; a bar of one line is none. The means are exact sums divided once in double, as
 * numpy's mean of the same integers gives them. Returns the count, 0 when there is no bar.
 */
static double grey_line(const uint8_t *line, ptrdiff_t pixel_step, int n, int channels, int *spread)
{
    int64_t sum = 0;
    int low = 255, high = 0;
    for (int i = 0; i < n; i++) {
        const uint8_t *p = line + (ptrdiff_t)i * pixel_step;
        int grey = channels == 3 ? (p[0] + p[1] + p[2]) / 3 : p[0];
        sum += grey;
        if (grey < low) low = grey;
        if (grey > high) high = grey;
    }
    *spread = high - low;
    return (double)sum / n;
}

int footprint_bar(const uint8_t *edge, ptrdiff_t line_step, ptrdiff_t pixel_step, int n, int limit, int channels,
                  int spread)
{
    if (n <= 0 || limit <= 0) return 0;
    int line_spread;
    double first = grey_line(edge, pixel_step, n, channels, &line_spread);
    int count = 0;
    while (count < limit) {
        double mean = grey_line(edge + (ptrdiff_t)count * line_step, pixel_step, n, channels, &line_spread);
        if (line_spread > spread || fabs(mean - first) > spread) break;
        count++;
    }
    return count >= 2 ? count : 0;
}
