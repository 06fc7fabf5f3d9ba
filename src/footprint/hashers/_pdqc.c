/*
 * Three of PDQ's steps (the reference's jaroszFilterFloat, its blur; dct64To16, its DCT; and its luma,
 * fillFloatLumaFromRGB), arranged for a modern CPU, with the same results bit for bit.
 *
 * The blur. The reference blurs with two rounds of a box filter along every row, then along every
 * column. Each line is one running sum: add the sample entering the window, subtract the one leaving
 * it, divide by the window's length. Run one line at a time, as the reference does, the CPU waits on
 * that sum at every sample, and along a column every sample is a full row away in memory: 90% of
 * PDQ's time on a 1000x750 picture.
 *
 * Here many lines run side by side: columns all at once, row after row (contiguous, so the
 * compiler vectorises it), and rows eight at a time (eight independent sums), with the divisions
 * done afterwards over each row in one vectorisable sweep. Every line still sees exactly the
 * reference's operations in the reference's order (float32 add, subtract, divide by the count as
 * a float; nothing fused or reassociated: built with -ffp-contract=off and without -ffast-math),
 * so every output value is the reference's.
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
 * footprint.hashers.pdq_native compares each with the reference on test patterns
 * before it uses them, and tests/hashers compares all three on many shapes, windows and pictures.
 *
 * Plain C, no Python API: it is built as an extension by setup.py (so that pip compiles it where the
 * package goes) but loaded with ctypes, never imported.
 */

#include <stddef.h>
#include <stdlib.h>

#define GROUP 8 /* rows summed side by side */

/* A build for AVX2 beside the plain one, chosen when the library loads (GCC's function multiversioning, on
 * x86-64 Linux): what the compiler can vectorise only with AVX2's byte-to-float conversions. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define WITH_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define WITH_AVX2
#endif

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

/* The box filter down every column at once: out and in are rows x cols, row-major. */
static void box_columns(const float *in, float *out, float *sum, int rows, int cols, int window)
{
    Phases p = phases(rows, window);
    const float *add = in, *drop = in;
    int count = 0;
    for (int c = 0; c < cols; c++) sum[c] = 0.0f;
    for (int k = 0; k < p.lead; k++, add += cols, count++)
        for (int c = 0; c < cols; c++) sum[c] += add[c];
    for (int k = 0; k < p.grow; k++, add += cols, out += cols) {
        float n = (float)++count;
        for (int c = 0; c < cols; c++) { sum[c] += add[c]; out[c] = sum[c] / n; }
    }
    float n = (float)count;
    for (int k = 0; k < p.full; k++, add += cols, drop += cols, out += cols)
        for (int c = 0; c < cols; c++) { sum[c] += add[c]; sum[c] -= drop[c]; out[c] = sum[c] / n; }
    for (int k = 0; k < p.tail; k++, drop += cols, out += cols) {
        n = (float)--count;
        for (int c = 0; c < cols; c++) { sum[c] -= drop[c]; out[c] = sum[c] / n; }
    }
}

/* The running sums (not yet divided) along `lines` rows side by side; inlined for lines == GROUP so
 * the sums stay in registers. */
static inline __attribute__((always_inline)) void row_sums(const float *in, float *out, int lines, int cols,
                                                           Phases p)
{
    float sum[GROUP] = {0};
    int add = 0, drop = 0, o = 0;
    for (int k = 0; k < p.lead; k++, add++)
        for (int r = 0; r < lines; r++) sum[r] += in[(size_t)r * cols + add];
    for (int k = 0; k < p.grow; k++, add++, o++)
        for (int r = 0; r < lines; r++) { sum[r] += in[(size_t)r * cols + add]; out[(size_t)r * cols + o] = sum[r]; }
    for (int k = 0; k < p.full; k++, add++, drop++, o++)
        for (int r = 0; r < lines; r++) {
            sum[r] += in[(size_t)r * cols + add];
            sum[r] -= in[(size_t)r * cols + drop];
            out[(size_t)r * cols + o] = sum[r];
        }
    for (int k = 0; k < p.tail; k++, drop++, o++)
        for (int r = 0; r < lines; r++) { sum[r] -= in[(size_t)r * cols + drop]; out[(size_t)r * cols + o] = sum[r]; }
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

/* The box filter along every row: out and in are rows x cols, row-major. */
static void box_rows(const float *in, float *out, int rows, int cols, int window)
{
    Phases p = phases(cols, window);
    int top = 0;
    for (; top + GROUP <= rows; top += GROUP)
        row_sums(in + (size_t)top * cols, out + (size_t)top * cols, GROUP, cols, p);
    if (top < rows)
        row_sums(in + (size_t)top * cols, out + (size_t)top * cols, rows - top, cols, p);
    for (int r = 0; r < rows; r++) divide_row(out + (size_t)r * cols, p);
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
    float *sum = malloc((size_t)cols * sizeof(float));
    if (sum == NULL) return -1;
    for (int i = 0; i < reps; i++) {
        box_rows(buffer1, buffer2, rows, cols, window_along_rows);
        box_columns(buffer2, buffer1, sum, rows, cols, window_along_cols);
    }
    free(sum);
    return 0;
}

/*
 * The reference's dct64To16(A, T, B) with its DCT matrix `dct` (16 rows of 64, row-major, as the
 * reference holds it): T = dct A (16x64), then B = T dct' (16x16). A, T and B are row-major.
 */
void footprint_dct64to16(const float *dct, const float *a, float *t, float *b)
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
        else
            for (int c = 0; c < cols; c++) {
                const unsigned char *p = line + (ptrdiff_t)c * col_stride;
                row[c] = red * (float)p[0] + green * (float)p[1] + blue * (float)p[2];
            }
    }
}
