/*
 * The bar test of the region signature (footprint.hashers.regions.trim_box) in C: a uniform edge of a
 * screenshot or a sky, 90 lines, in 0.05 ms instead of numpy's 1.8; tests/hashers holds it to numpy's
 * boxes on pictures with bars of every width, level and spread.
 */

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The region signature's bar test (footprint.hashers.regions.trim_box) on one edge of the picture:
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
