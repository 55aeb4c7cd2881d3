/*
 * core/stuno.c - student numbers.
 */
#include "core/stuno.h"

#include "core/idnum.h"

#include <assert.h>
#include <string.h>

#define SLUG "invalid_student_number"

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
fail(app_err *err, const char *reason, const char *detail)
{
    /* No number in the detail: a G number contains an ID number. */
    app_err_set(err, APP_EINVAL, SLUG, "%s", detail);
    app_err_param(err, reason);
    return APP_EINVAL;
}

int
core_stuno_parse(const char *in, size_t len, char out[20], app_err *err)
{
    char buf[20];

    assert(in != NULL || len == 0);
    assert(out != NULL);
    if (len != 19)
        return fail(err, "length", "student number is not 19 characters long");

    char p = in[0];
    if (p == 'g' || p == 'j' || p == 'l')
        p = (char)(p - 'a' + 'A');
    if (p != 'G' && p != 'J' && p != 'L')
        return fail(err, "prefix", "student number does not start with G, J or L");

    buf[0] = p;
    for (size_t i = 1; i < 19; i++) {
        char c = in[i];
        if (i == 18 && p != 'L' && (c == 'X' || c == 'x'))
            c = 'X';
        else if (!is_digit(c))
            return fail(err, "chars", "student number has a character that is not allowed");
        buf[i] = c;
    }
    buf[19] = '\0';
    memcpy(out, buf, sizeof(buf));
    return 0;
}

/* Write the last `n` decimal digits of `v`, zero-padded, at `dst`. */
static void
put_digits(char *dst, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        dst[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* out[0..14] = letter + county + birth date: shared by L and J numbers. */
static void
put_prefix(char *out, char letter, const char *county6, int birth_yyyymmdd)
{
    assert(out != NULL && county6 != NULL);
    for (int i = 0; i < 6; i++)
        assert(is_digit(county6[i]));
    assert(birth_yyyymmdd >= 10000101 && birth_yyyymmdd <= 99991231);
    out[0] = letter;
    memcpy(out + 1, county6, 6);
    put_digits(out + 7, (unsigned)birth_yyyymmdd, 8);
}

void
core_stuno_make_l(const char *county6, int birth_yyyymmdd, unsigned rand4, char out[20])
{
    assert(rand4 <= 9999);
    put_prefix(out, 'L', county6, birth_yyyymmdd);
    put_digits(out + 15, rand4, 4);
    out[19] = '\0';
}

void
core_stuno_make_j(const char *county6, int birth_yyyymmdd, unsigned seq3, char out[20])
{
    assert(seq3 <= 999);
    put_prefix(out, 'J', county6, birth_yyyymmdd);
    put_digits(out + 15, seq3, 3);
    out[18] = core_idnum_check_digit(out + 1);
    out[19] = '\0';
}

void
core_stuno_make_g(const char *id18, char out[20])
{
    assert(id18 != NULL && out != NULL);
    for (int i = 0; i < 17; i++)
        assert(is_digit(id18[i]));
    assert(is_digit(id18[17]) || id18[17] == 'X');
    out[0] = 'G';
    memcpy(out + 1, id18, 18);
    out[19] = '\0';
}
