/*
 * PDQ's steps (the reference's jaroszFilterFloat, its blur; dct64To16, its DCT; its luma,
 * fillFloatLumaFromRGB; and the small steps after them), arranged for a modern CPU, with the same
 * results bit for bit.
 *
 * The blur. The reference blurs with two rounds of a box filter along every row, then along every
 * column. Each line is one running sum: add the sample entering the window, subtract the one leaving
 * it, divide by the window's length. Run one line at a time, as the reference does, the CPU waits on
 * that sum at every sample, and along a column every sample is a full row away in memory: 90% of
 * PDQ's time on a 1000x750 picture.
 *
 * Here many lines run side by side: columns all at once, row after row (contiguous, so the
 * compiler vectorises it); and rows, where the CPU has AVX2, sixteen at a time: eight rows turned
 * into the eight lanes of each vector (8x8 transposes), two such sums in flight, each sum divided
 * as it is written, then turned back into rows (2.3 times the scalar pass's speed on a 384x288 box).
 * Elsewhere, and for rows left over, eight rows at a time in scalar sums (eight independent
 * sums), with the divisions done afterwards over each row in one vectorisable sweep. Every line
 * still sees exactly the reference's operations in the reference's order (float32 add, subtract,
 * divide by the count as a float; nothing fused or reassociated: built with -ffp-contract=off and
 * without -ffast-math, and the lanes' intrinsics are those same single operations), so every output
 * value is the reference's.
 *
 * Only 64x64 points of the blurred picture are read (the reference's decimation), so the blur's last
 * pass along the rows divides and writes only the 64 columns read, and its last pass down the columns
 * only the 64 rows: the same sums, fewer divisions (8% of a region signature's boxes).
 *
 * The DCT. The reference takes the 16x16 corner of the 64x64 picture's DCT as two matrix products,
 * each output one dot product of 64 terms summed in order; here each product runs a whole output row
 * side by side, term after term, so every output sees the same sums in the same order.
 *
 * The luma. The reference weighs each pixel's three channels one pixel at a time, through three
 * pointers; here a picture of packed RGB pixels runs as one loop the compiler vectorises, with the
 * reference's own three float coefficients (read off its conversion) in the reference's order. A grey
 * picture's pixel has one value, so its luma is one of 256, looked up.
 *
 * The rest of a hash (footprint_pdq_boxes, at the end): the reference's decimation, quality metric,
 * dihedral transforms and median bits written again, so that many boxes of one picture hash in one call.
 *
 * footprint.hashers.pdq_native compares each with the reference on test patterns
 * before it uses them, and tests/hashers compares them on many shapes, windows, boxes and pictures.
 *
 * Plain C, no Python API: it is built as an extension by setup.py (so that pip compiles it where the
 * package goes) but loaded with ctypes, never imported.
 */

#include <stddef.h>
#include <stdlib.h>

#include "_lanes.h"

#define GROUP 8 /* rows summed side by side */
#define SIDE 64  /* the decimated picture's side */

/* Where one line's box filter adds, writes and subtracts (the reference's four phases). */
typedef struct {
    int lead; /* samples added before the first write */
    int grow; /* writes while the window grows */
    int full; /* writes with the whole window */
    int tail; /* writes while the window shrinks at the end */
} Phases;

static Phases phases(int length, int window)
{
    int half = (window + 2) / 2;
    Phases p = {half - 1, window - half + 1, length - window, half - 1};
    return p;
}

/* The length of the window the running sum at output o is divided by. */
static int window_at(Phases p, int o)
{
    int whole = p.lead + p.grow;
    return o < p.grow ? p.lead + o + 1 : o < p.grow + p.full ? whole : whole - (o - p.grow - p.full + 1);
}

/* Row o of box_columns' sums divided by n, written at *out, which moves on a row: for every row, or with
 * `at` once for each of its entries equal to o, from `next` (the first entry not yet written). Returns
 * the entry to look at next. */
static inline __attribute__((always_inline)) int column_sums_out(const float *sum, int cols, float n, int o,
                                                                 const int *at, int next, float **out)
{
    int times = 0;
    if (at == NULL)
        times = 1;
    else
        while (next + times < SIDE && at[next + times] == o) times++;
    for (int t = 0; t < times; t++, *out += cols)
        for (int c = 0; c < cols; c++) (*out)[c] = sum[c] / n;
    return next + times;
}

/* The box filter down every column at once: in is rows x cols, row-major; out is rows x cols, or with `at`
 * (SIDE rows, in order) only those rows, SIDE x cols: the reference's decimation reads no others. */
WITH_AVX2 static void box_columns(const float *in, float *out, float *sum, int rows, int cols, int window,
                                  const int *at)
{
    Phases p = phases(rows, window);
    const float *add = in, *drop = in;
    int count = 0, o = 0, next = 0;
    for (int c = 0; c < cols; c++) sum[c] = 0.0f;
    for (int k = 0; k < p.lead; k++, add += cols, count++)
        for (int c = 0; c < cols; c++) sum[c] += add[c];
    for (int k = 0; k < p.grow; k++, add += cols, o++) {
        count++;
        for (int c = 0; c < cols; c++) sum[c] += add[c];
        next = column_sums_out(sum, cols, (float)count, o, at, next, &out);
    }
    for (int k = 0; k < p.full; k++, add += cols, drop += cols, o++) {
        for (int c = 0; c < cols; c++) { sum[c] += add[c]; sum[c] -= drop[c]; }
        next = column_sums_out(sum, cols, (float)count, o, at, next, &out);
    }
    for (int k = 0; k < p.tail; k++, drop += cols, o++) {
        count--;
        for (int c = 0; c < cols; c++) sum[c] -= drop[c];
        next = column_sums_out(sum, cols, (float)count, o, at, next, &out);
    }
}

/* The running sums (not yet divided) along `lines` rows side by side; inlined for lines == GROUP so
 * the sums stay in registers. */
static inline __attribute__((always_inline)) void row_sums(const float *in, size_t stride, float *out, int lines,
                                                           int cols, Phases p)
{
    float sum[GROUP] = {0};
    int add = 0, drop = 0, o = 0;
    for (int k = 0; k < p.lead; k++, add++)
        for (int r = 0; r < lines; r++) sum[r] += in[r * stride + add];
    for (int k = 0; k < p.grow; k++, add++, o++)
        for (int r = 0; r < lines; r++) { sum[r] += in[r * stride + add]; out[(size_t)r * cols + o] = sum[r]; }
    for (int k = 0; k < p.full; k++, add++, drop++, o++)
        for (int r = 0; r < lines; r++) {
            sum[r] += in[r * stride + add];
            sum[r] -= in[r * stride + drop];
            out[(size_t)r * cols + o] = sum[r];
        }
    for (int k = 0; k < p.tail; k++, drop++, o++)
        for (int r = 0; r < lines; r++) { sum[r] -= in[r * stride + drop]; out[(size_t)r * cols + o] = sum[r]; }
}

/* Each running sum divided by the window length it was taken over. */
static void divide_row(float *row, Phases p)
{
    int count = p.lead, o = 0;
    for (int k = 0; k < p.grow; k++, o++) row[o] = row[o] / (float)++count;
    float n = (float)count;
    for (int k = 0; k < p.full; k++) row[o + k] = row[o + k] / n;
    o += p.full;
    for (int k = 0; k < p.tail; k++, o++) row[o] = row[o] / (float)--count;
}

#ifdef LANES
/* Eight rows (`stride` floats apart) of cols samples into lanes: lane r of strip[c] is row r's sample c. */
AVX2 static void into_lanes(const float *in, size_t stride, int cols, float *strip)
{
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 v[8];
        for (int r = 0; r < 8; r++) v[r] = _mm256_loadu_ps(in + r * stride + c);
        transpose8(v);
        for (int k = 0; k < 8; k++) _mm256_storeu_ps(strip + (size_t)(c + k) * 8, v[k]);
    }
    for (; c < cols; c++)
        for (int r = 0; r < 8; r++) strip[(size_t)c * 8 + r] = in[r * stride + c];
}

/* The lanes back into eight rows of out (cols floats apart). */
AVX2 static void out_of_lanes(const float *strip, int cols, float *out)
{
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 v[8];
        for (int k = 0; k < 8; k++) v[k] = _mm256_loadu_ps(strip + (size_t)(c + k) * 8);
        transpose8(v);
        for (int r = 0; r < 8; r++) _mm256_storeu_ps(out + (size_t)r * cols + c, v[r]);
    }
    for (; c < cols; c++)
        for (int r = 0; r < 8; r++) out[(size_t)r * cols + c] = strip[(size_t)c * 8 + r];
}

/* The box filter along `groups` (1 or 2) strips of eight rows in lanes, `apart` floats from one another,
 * each sum divided as it is written (the division leaves the sum as it was, as in the reference); or,
 * without `divide`, each sum written as it is, for sampled_out_of_lanes to divide where it is read. */
AVX2 static inline __attribute__((always_inline)) void lane_sums(const float *in, float *out, size_t apart,
                                                                 int groups, Phases p, int divide)
{
    __m256 sum[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    size_t add = 0, drop = 0, o = 0;
    int count = 0;
    for (int k = 0; k < p.lead; k++, add += 8, count++)
        for (int g = 0; g < groups; g++) sum[g] = _mm256_add_ps(sum[g], _mm256_loadu_ps(in + g * apart + add));
    for (int k = 0; k < p.grow; k++, add += 8, o += 8) {
        __m256 n = _mm256_set1_ps((float)++count);
        for (int g = 0; g < groups; g++) {
            sum[g] = _mm256_add_ps(sum[g], _mm256_loadu_ps(in + g * apart + add));
            _mm256_storeu_ps(out + g * apart + o, divide ? _mm256_div_ps(sum[g], n) : sum[g]);
        }
    }
    __m256 n = _mm256_set1_ps((float)count);
    for (int k = 0; k < p.full; k++, add += 8, drop += 8, o += 8)
        for (int g = 0; g < groups; g++) {
            sum[g] = _mm256_add_ps(sum[g], _mm256_loadu_ps(in + g * apart + add));
            sum[g] = _mm256_sub_ps(sum[g], _mm256_loadu_ps(in + g * apart + drop));
            _mm256_storeu_ps(out + g * apart + o, divide ? _mm256_div_ps(sum[g], n) : sum[g]);
        }
    for (int k = 0; k < p.tail; k++, drop += 8, o += 8) {
        n = _mm256_set1_ps((float)--count);
        for (int g = 0; g < groups; g++) {
            sum[g] = _mm256_sub_ps(sum[g], _mm256_loadu_ps(in + g * apart + drop));
            _mm256_storeu_ps(out + g * apart + o, divide ? _mm256_div_ps(sum[g], n) : sum[g]);
        }
    }
}

/* The undivided sums of eight rows in lanes (lane_sums), read at the SIDE columns `at` and divided by their
 * windows' lengths `n`, into eight rows of out (SIDE floats apart). */
AVX2 static void sampled_out_of_lanes(const float *strip, const int *at, const float *n, float *out)
{
    for (int j = 0; j < SIDE; j += 8) {
        __m256 v[8];
        for (int k = 0; k < 8; k++)
            v[k] = _mm256_div_ps(_mm256_loadu_ps(strip + (size_t)at[j + k] * 8), _mm256_set1_ps(n[j + k]));
        transpose8(v);
        for (int r = 0; r < 8; r++) _mm256_storeu_ps(out + (size_t)r * SIDE + j, v[r]);
    }
}

/* box_rows for the rows that fill groups of eight, sixteen at a time where they can (two independent
 * sums in flight); `lanes` holds LANE_FLOATS(cols). With `at`, only the columns it names (see box_rows).
 * Returns how many rows it did. */
AVX2 static int box_rows_in_lanes(const float *in, size_t stride, float *out, int rows, int cols, int window,
                                  float *lanes, const int *at, const float *n)
{
    Phases p = phases(cols, window);
    size_t apart = (size_t)cols * 8;
    float *summed = lanes + 2 * apart;
    int top = 0, divide = at == NULL, width = at == NULL ? cols : SIDE;
    while (rows - top >= 8) {
        int groups = rows - top >= 16 ? 2 : 1;
        for (int g = 0; g < groups; g++) into_lanes(in + (top + 8 * g) * stride, stride, cols, lanes + g * apart);
        if (groups == 2) /* a constant count, so that the two sums stay in registers */
            lane_sums(lanes, summed, apart, 2, p, divide);
        else
            lane_sums(lanes, summed, apart, 1, p, divide);
        for (int g = 0; g < groups; g++) {
            float *rows_out = out + (size_t)(top + 8 * g) * width;
            if (divide)
                out_of_lanes(summed + g * apart, cols, rows_out);
            else
                sampled_out_of_lanes(summed + g * apart, at, n, rows_out);
        }
        top += 8 * groups;
    }
    return top;
}

#endif

static int lanes_on = -1; /* whether the lanes may be used: -1 until asked */

static int cpu_has_lanes(void)
{
#ifdef LANES
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

int footprint_use_lanes(void)
{
    if (lanes_on < 0) lanes_on = cpu_has_lanes();
    return lanes_on;
}

/* Floats of scratch that box_rows takes beside a picture `cols` wide: four strips of eight rows. */
#define LANE_FLOATS(cols) ((size_t)(cols) * 32)

/*
 * Whether footprint's C may run lines side by side in AVX2 lanes (PDQ's blur along the rows, the working
 * copy's resize along the rows) (on: 1, off: 0; -1 leaves it as it is), for the tests to compare both
 * ways with the reference; returns whether it now does (never where the CPU or the build cannot).
 */
int footprint_lanes(int wanted)
{
    if (wanted >= 0) lanes_on = wanted && cpu_has_lanes();
    return footprint_use_lanes();
}

/* The box filter along every row: in is rows x cols with rows `stride` floats apart, out is rows x
 * cols, row-major, or with `at` (SIDE columns) only those columns, rows x SIDE: the reference's
 * decimation reads no others, and a sum read nowhere need not be divided. lanes is scratch of
 * LANE_FLOATS(cols). In AVX2 lanes where the CPU has them, rows in groups of eight; the rest eight rows
 * at a time in scalar sums, divided afterwards. */
static void box_rows(const float *in, size_t stride, float *out, int rows, int cols, int window, float *lanes,
                     const int *at)
{
    Phases p = phases(cols, window);
    float n[SIDE];
    if (at != NULL)
        for (int j = 0; j < SIDE; j++) n[j] = (float)window_at(p, at[j]);
    int top = 0;
#ifdef LANES
    if (footprint_use_lanes()) top = box_rows_in_lanes(in, stride, out, rows, cols, window, lanes, at, n);
#endif
    if (at != NULL) { /* the sums of eight rows in the lanes' scratch, read at the columns wanted */
        for (; top < rows; top += GROUP) {
            int lines = rows - top < GROUP ? rows - top : GROUP;
            row_sums(in + (size_t)top * stride, stride, lanes, lines, cols, p);
            for (int r = 0; r < lines; r++)
                for (int j = 0; j < SIDE; j++) out[(size_t)(top + r) * SIDE + j] = lanes[(size_t)r * cols + at[j]] / n[j];
        }
        return;
    }
    int first = top;
    for (; top + GROUP <= rows; top += GROUP)
        row_sums(in + (size_t)top * stride, stride, out + (size_t)top * cols, GROUP, cols, p);
    if (top < rows)
        row_sums(in + (size_t)top * stride, stride, out + (size_t)top * cols, rows - top, cols, p);
    for (int r = first; r < rows; r++) divide_row(out + (size_t)r * cols, p);
}

/*
 * The reference's jaroszFilterFloat(buffer1, buffer2, rows, cols, window_along_rows,
 * window_along_cols, reps): the result is in buffer1, buffer2 is scratch. Returns 0; or -1, with
 * buffer1 unchanged, for a window longer than its side or under 1 (the reference would read past
 * the line) or when memory for the column sums cannot be had.
 */
int footprint_jarosz(float *buffer1, float *buffer2, int rows, int cols, int window_along_rows,
                     int window_along_cols, int reps)
{
    if (window_along_rows < 1 || window_along_rows > cols || window_along_cols < 1 || window_along_cols > rows)
        return -1;
    float *sum = malloc(((size_t)cols + LANE_FLOATS(cols)) * sizeof(float));
    if (sum == NULL) return -1;
    float *lanes = sum + cols;
    for (int i = 0; i < reps; i++) {
        box_rows(buffer1, (size_t)cols, buffer2, rows, cols, window_along_rows, lanes, NULL);
        box_columns(buffer2, buffer1, sum, rows, cols, window_along_cols, NULL);
    }
    free(sum);
    return 0;
}

/*
 * The reference's dct64To16(A, T, B) with its DCT matrix `dct` (16 rows of 64, row-major, as the
 * reference holds it): T = dct A (16x64), then B = T dct' (16x16). A, T and B are row-major.
 */
WITH_AVX2 void footprint_dct64to16(const float *dct, const float *a, float *t, float *b)
{
    float dct_t[64][16]; /* dct transposed, so the second product also runs along contiguous rows */
    for (int i = 0; i < 16; i++) {
        float *row = t + i * 64;
        for (int j = 0; j < 64; j++) row[j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            float d = dct[i * 64 + k];
            const float *in = a + k * 64;
            for (int j = 0; j < 64; j++) row[j] += d * in[j];
        }
    }
    for (int k = 0; k < 64; k++)
        for (int j = 0; j < 16; j++) dct_t[k][j] = dct[j * 64 + k];
    for (int i = 0; i < 16; i++) {
        float *row = b + i * 16;
        for (int j = 0; j < 16; j++) row[j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            float v = t[i * 64 + k];
            for (int j = 0; j < 16; j++) row[j] += v * dct_t[k][j];
        }
    }
}

/*
 * The reference's luma of a grey picture (its three channels one plane): `levels` holds the
 * reference's own luma of each of the 256 grey levels, so each pixel is one lookup. The plane is read
 * through its strides (in bytes, either sign); out is rows x cols, row-major.
 */
void footprint_grey_luma(const unsigned char *plane, int rows, int cols, ptrdiff_t row_stride,
                         ptrdiff_t col_stride, const float *levels, float *out)
{
    for (int r = 0; r < rows; r++) {
        const unsigned char *line = plane + (ptrdiff_t)r * row_stride;
        float *row = out + (size_t)r * cols;
        if (col_stride == 1)
            for (int c = 0; c < cols; c++) row[c] = levels[line[c]];
        else
            for (int c = 0; c < cols; c++) row[c] = levels[line[(ptrdiff_t)c * col_stride]];
    }
}

/*
 * The reference's luma of an RGB picture: each pixel's red, green and blue (bytes 0, 1 and 2 of a pixel,
 * pixels `col_stride` bytes apart, rows `row_stride` bytes apart, either sign) weighed by `coeffs` (the
 * reference's three) and summed in the reference's order, in float. out is rows x cols, row-major.
 */
WITH_AVX2 void footprint_rgb_luma(const unsigned char *pixels, int rows, int cols, ptrdiff_t row_stride,
                                  ptrdiff_t col_stride, const float *coeffs, float *out)
{
    const float red = coeffs[0], green = coeffs[1], blue = coeffs[2];
    for (int r = 0; r < rows; r++) {
        const unsigned char *restrict line = pixels + (ptrdiff_t)r * row_stride;
        float *restrict row = out + (size_t)r * cols;
        if (col_stride == 3) /* packed RGB: vectorised */
            for (int c = 0; c < cols; c++)
                row[c] = red * (float)line[3 * c] + green * (float)line[3 * c + 1] + blue * (float)line[3 * c + 2];
        else if (col_stride == 4) /* RGB in four bytes, as Pillow holds it (hashers.lent): vectorised */
            for (int c = 0; c < cols; c++)
                row[c] = red * (float)line[4 * c] + green * (float)line[4 * c + 1] + blue * (float)line[4 * c + 2];
        else
            for (int c = 0; c < cols; c++) {
                const unsigned char *p = line + (ptrdiff_t)c * col_stride;
                row[c] = red * (float)p[0] + green * (float)p[1] + blue * (float)p[2];
            }
    }
}

/*
 * PDQ of boxes of one picture, as the reference's pdqDihedralHash256esFromFloatLuma gives it on a copy
 * of each box's luma, bit for bit, in one call (the region signature hashes twenty boxes a picture, and
 * each step through ctypes cost about a microsecond of glue). For each box: footprint's blur, read
 * straight from the box (no copy); the reference's decimation (the blurred value at 64x64 points); its
 * quality metric; its DCT (footprint_dct64to16 with `dct`, the reference's matrix); and the hash of each
 * dihedral variant asked for, each coefficient's bit set when it exceeds the median.
 *
 * Two shortcuts, neither changing a value. The blur's last pass down the columns runs only on the 64
 * columns the decimation reads (each column's running sum is its own), and writes only the 64 rows it
 * reads. The reference's median (Torben's search, over 256 coefficients) always returns the 128th
 * smallest of them: its loop stops with at most 128 below its guess and at most 128 above, and it returns
 * the largest below when 128 are below, else the guess, which then equals a coefficient. Here the 128th
 * smallest comes from a selection.
 *
 * luma: rows x cols, row-major. boxes: count x (left, top, right, bottom). variants: bit k set for the k-th
 * of the reference's order (original, rotate90, rotate180, rotate270, flipx, flipy, flipplus1, flipminus1).
 * words: count x 8 x 16, the reference's Hash256 of each variant asked for (others left as they were).
 * quality: count. A box under 5 pixels on a side gets zero hashes and quality 0, as in the reference.
 * in_place: the luma may be overwritten, and a single box (count 1) as wide as the picture (and 64 or
 * more) is blurred in its own place: a whole picture's hash then needs one buffer its size, not two, as
 * in the reference. With more boxes it is ignored: a box blurred in place would spoil the luma the next
 * box reads.
 * Returns 0; -1 for a box outside the picture; -2 when memory cannot be had.
 */

#define MIN_HASHABLE 5 /* the reference's MIN_HASHABLE_DIM */

/* Whether each variant is transposed, and which coefficients change sign: those of the source's row i and
 * column j where i * by_row + j * by_col + odd is odd (the reference's dct16OriginalTo... functions). */
static const struct { int transposed, by_row, by_col, odd; } VARIANT[8] = {
    {0, 0, 0, 0}, /* original */
    {1, 0, 1, 1}, /* rotate90: negated where j is even */
    {0, 1, 1, 0}, /* rotate180: where i + j is odd */
    {1, 1, 0, 1}, /* rotate270: where i is even */
    {0, 1, 0, 1}, /* flipx: where i is even */
    {0, 0, 1, 1}, /* flipy: where j is even */
    {1, 0, 0, 0}, /* flipplus1 */
    {1, 1, 1, 0}, /* flipminus1: where i + j is odd */
};

static int window(int dimension) { return (dimension + 2 * SIDE - 1) / (2 * SIDE); }

/* The k-th smallest (from 0) of v[0..n-1], which it reorders (Wirth's selection). */
static float select_kth(float *v, int n, int k)
{
    int low = 0, high = n - 1;
    while (low < high) {
        float pivot = v[k];
        int i = low, j = high;
        do {
            while (v[i] < pivot) i++;
            while (pivot < v[j]) j--;
            if (i <= j) {
                float t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        } while (i <= j);
        if (j < k) low = i;
        if (k < i) high = j;
    }
    return v[k];
}

/* The reference's pdqImageDomainQualityMetric of a 64x64 picture. */
static int quality_metric(const float *a)
{
    int gradients = 0;
    for (int i = 0; i < SIDE - 1; i++)
        for (int j = 0; j < SIDE; j++) {
            int d = (int)(((a[i * SIDE + j] - a[(i + 1) * SIDE + j]) * 100) / 255);
            gradients += abs(d);
        }
    for (int i = 0; i < SIDE; i++)
        for (int j = 0; j < SIDE - 1; j++) {
            int d = (int)(((a[i * SIDE + j] - a[i * SIDE + j + 1]) * 100) / 255);
            gradients += abs(d);
        }
    int quality = gradients / 90;
    return quality > 100 ? 100 : quality;
}

/* One dihedral variant's hash of a 16x16 DCT: the reference's sixteen 16-bit words. */
static void variant_bits(const float *dct16, int variant, unsigned short *words)
{
    float b[256], scratch[256];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float x = dct16[i * 16 + j];
            if ((i * VARIANT[variant].by_row + j * VARIANT[variant].by_col + VARIANT[variant].odd) & 1) x = -x;
            b[VARIANT[variant].transposed ? j * 16 + i : i * 16 + j] = x;
        }
    for (int k = 0; k < 256; k++) scratch[k] = b[k];
    float median = select_kth(scratch, 256, 127);
    for (int i = 0; i < 16; i++) {
        unsigned short word = 0;
        for (int j = 0; j < 16; j++)
            if (b[i * 16 + j] > median) word |= (unsigned short)(1u << j);
        words[i] = word;
    }
}

/* The reference's blur (two rounds) of a rows x cols box whose rows lie `stride` floats apart, read at
 * the reference decimation's 64x64 points into out. b1 and b2 hold rows x max(cols, 64) floats, sum as
 * many; b1 may be the box itself when its rows are contiguous (it is read only before b1 is written). */
static void blur_decimated(const float *box, size_t stride, int rows, int cols, float *b1, float *b2,
                           float *sum, float *lanes, float *out)
{
    int at_row[SIDE], at_col[SIDE];
    for (int i = 0; i < SIDE; i++) {
        at_row[i] = (int)(((i + 0.5) * rows) / SIDE);
        at_col[i] = (int)(((i + 0.5) * cols) / SIDE);
    }
    int along_rows = window(cols), along_cols = window(rows);
    box_rows(box, stride, b2, rows, cols, along_rows, lanes, NULL);
    box_columns(b2, b1, sum, rows, cols, along_cols, NULL);
    box_rows(b1, (size_t)cols, b2, rows, cols, along_rows, lanes, at_col); /* rows x SIDE */
    box_columns(b2, out, sum, rows, SIDE, along_cols, at_row);             /* SIDE x SIDE */
}

/* The reference's decimation of a rows x cols box whose rows lie `stride` floats apart: its 64x64 points. */
static void decimated(const float *box, size_t stride, int rows, int cols, float *out)
{
    for (int i = 0; i < SIDE; i++) {
        const float *row = box + (size_t)(int)(((i + 0.5) * rows) / SIDE) * stride;
        for (int j = 0; j < SIDE; j++) out[i * SIDE + j] = row[(int)(((j + 0.5) * cols) / SIDE)];
    }
}

/*
 * PDQ of many boxes (left, top, right, bottom) of one luma: for each, the dihedral variants whose bits
 * are set in `variants` (sixteen words each, 8 slots a box) and the quality. Each box is blurred as the
 * reference blurs a picture of its size, unless `blurred`: then the luma is the whole picture already
 * blurred (the reference's blur, with the whole picture's windows) and each box is read at its 64x64
 * points from it. Returns 0, -1 for a box outside the picture, -2 without memory.
 */
int footprint_pdq_boxes(float *luma, int rows, int cols, const int *boxes, int count, const float *dct,
                        int variants, unsigned short *words, int *quality, int in_place, int blurred)
{
    size_t largest = SIDE, largest_apart = SIDE; /* any box's buffer; a box's not blurred in place */
    for (int n = 0; n < count; n++) {
        const int *box = boxes + 4 * n;
        if (box[0] < 0 || box[1] < 0 || box[2] > cols || box[3] > rows || box[2] < box[0] || box[3] < box[1])
            return -1;
        int width = box[2] - box[0];
        size_t area = (size_t)(box[3] - box[1]) * (size_t)(width > SIDE ? width : SIDE); /* the blur's, then 64 columns */
        if (blurred) continue; /* nothing to blur */
        if (area > largest) largest = area;
        if (!(in_place && count == 1 && width == cols && width >= SIDE) && area > largest_apart) largest_apart = area;
    }
    float *b1 = malloc(largest_apart * sizeof(float)), *b2 = malloc(largest * sizeof(float));
    size_t wide = (size_t)(cols > SIDE ? cols : SIDE);
    float *sum = malloc((wide + LANE_FLOATS(cols)) * sizeof(float));
    if (b1 == NULL || b2 == NULL || sum == NULL) {
        free(b1), free(b2), free(sum);
        return -2;
    }
    float *lanes = sum + wide;
    float a64[SIDE * SIDE], t[16 * SIDE], dct16[256];
    for (int n = 0; n < count; n++) {
        const int *box = boxes + 4 * n;
        int width = box[2] - box[0], height = box[3] - box[1];
        unsigned short *out = words + (size_t)n * 8 * 16;
        if (width < MIN_HASHABLE || height < MIN_HASHABLE) {
            for (int v = 0; v < 8; v++)
                if (variants & (1 << v))
                    for (int k = 0; k < 16; k++) out[v * 16 + k] = 0;
            quality[n] = 0;
            continue;
        }
        float *start = luma + (size_t)box[1] * cols + box[0];
        int own_place = in_place && count == 1 && width == cols && width >= SIDE; /* rows contiguous, luma spent */
        if (blurred)
            decimated(start, (size_t)cols, height, width, a64);
        else
            blur_decimated(start, (size_t)cols, height, width, own_place ? start : b1, b2, sum, lanes, a64);
        quality[n] = quality_metric(a64);
        footprint_dct64to16(dct, a64, t, dct16);
        for (int v = 0; v < 8; v++)
            if (variants & (1 << v)) variant_bits(dct16, v, out + v * 16);
    }
    free(b1), free(b2), free(sum);
    return 0;
}
