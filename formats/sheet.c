/*
 * formats/sheet.c - column letters, A1 references and lost-digit detection.
 */
#include "formats/sheet.h"

void
fmt_sheet_col_name(int col, char out[4])
{
    char tmp[4];
    int n = 0;

    if (col < 0 || col >= FMT_SHEET_MAX_COLS) {
        out[0] = '?';
        out[1] = '\0';
        return;
    }
    col++; /* bijective base 26: A=1 .. Z=26, AA=27 */
    while (col > 0 && n < 3) {
        int r = (col - 1) % 26;
        tmp[n++] = (char)('A' + r);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

int
fmt_sheet_ref_parse(const char *p, size_t n, int *out_col, long *out_row)
{
    size_t i = 0;
    long col = 0, row = 0;

    while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z'))) {
        if (i >= 3)
            return -1;
        col = col * 26 + ((p[i] | 0x20) - 'a' + 1);
        i++;
    }
    if (i == 0 || col > FMT_SHEET_MAX_COLS)
        return -1;
    if (i < n && p[i] == '0')
        return -1; /* no leading zeros: "A01" is not a reference */
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        row = row * 10 + (p[i] - '0');
        if (row > FMT_SHEET_MAX_ROWS)
            return -1;
    }
    *out_col = (int)col - 1;
    *out_row = row;
    return 0;
}

int
fmt_sheet_lost_digits(const char *p, size_t n, int exponent_only)
{
    size_t i = 0;
    long int_sig = 0;    /* significant digits before the point */
    long frac_zeros = 0; /* zeros after the point before the first significant digit */
    int digits = 0, nonzero = 0;

    if (i < n && (p[i] == '+' || p[i] == '-'))
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        digits = 1;
        if (nonzero || p[i] != '0') {
            nonzero = 1;
            if (int_sig < 100000)
                int_sig++;
        }
    }
    if (i < n && p[i] == '.') {
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
            digits = 1;
            if (!nonzero && p[i] == '0' && frac_zeros < 100000)
                frac_zeros++;
            else
                nonzero = 1;
        }
    }
    if (!digits)
        return 0;
    long exp = 0;
    int has_exp = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        int neg = 0;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            neg = p[i++] == '-';
        if (i >= n || p[i] < '0' || p[i] > '9')
            return 0;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            if (exp < 100000)
                exp = exp * 10 + (p[i] - '0');
        if (neg)
            exp = -exp;
        has_exp = 1;
    }
    if (i != n || !nonzero || (exponent_only && !has_exp))
        return 0;
    /* power of ten of the first significant digit */
    long order = int_sig > 0 ? int_sig - 1 : -(frac_zeros + 1);
    return order + exp >= 15;
}
