/*
 * core/idnum.c - GB 11643-1999 resident ID numbers.
 */
#include "core/idnum.h"

#include "core/region.h"

#include <assert.h>
#include <string.h>

#define SLUG "invalid_id_number"

static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
digits_value(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
real_date(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static int
fail(app_err *err, const char *reason, const char *detail)
{
    /* Never put the number itself in the detail: it is logged. */
    app_err_set(err, APP_EINVAL, SLUG, "%s", detail);
    app_err_param(err, reason);
    return APP_EINVAL;
}

char
core_idnum_check_digit(const char *first17)
{
    int sum = 0;

    assert(first17 != NULL);
    for (int i = 0; i < 17; i++) {
        assert(is_digit(first17[i]));
        sum += (first17[i] - '0') * weights[i];
    }
    return "10X98765432"[sum % 11];
}

int
core_idnum_parse(const char *in, size_t len, int today_yyyymmdd, core_region_known_fn known,
                 void *known_ctx, core_idnum *out, app_err *err)
{
    core_idnum id;

    assert(in != NULL || len == 0);
    assert(out != NULL);
    assert(today_yyyymmdd >= 19000101 && today_yyyymmdd <= 99991231);

    if (len != 18 && len != 15)
        return fail(err, "length", "id number is not 15 or 18 characters long");

    memset(&id, 0, sizeof(id));
    /* Digits only, except that the 18th character (index 17, which a
       15-character number does not have) may be X. */
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (is_digit(c))
            continue;
        if (i == 17 && (c == 'X' || c == 'x'))
            continue;
        return fail(err, "chars", "id number has a character that is not allowed");
    }

    if (len == 18) {
        memcpy(id.number, in, 18);
        if (id.number[17] == 'x')
            id.number[17] = 'X';
        if (core_idnum_check_digit(id.number) != id.number[17])
            return fail(err, "checksum", "id number check digit does not match");
    } else {
        memcpy(id.number, in, 6);
        memcpy(id.number + 6, "19", 2);
        memcpy(id.number + 8, in + 6, 9);
        id.number[17] = core_idnum_check_digit(id.number);
        id.legacy15 = 1;
    }
    id.number[18] = '\0';

    id.year = digits_value(id.number + 6, 4);
    id.month = digits_value(id.number + 10, 2);
    id.day = digits_value(id.number + 12, 2);
    int birth = id.year * 10000 + id.month * 100 + id.day;
    if (!real_date(id.year, id.month, id.day) || id.year < 1900 || birth > today_yyyymmdd)
        return fail(err, "birth_date", "id number birth date is not a real past date");

    int pp = digits_value(id.number, 2);
    if (!core_region_province_valid(pp) && pp != 83)
        return fail(err, "region", "id number address code has no valid province");

    memcpy(id.region, id.number, 6);
    id.region[6] = '\0';
    id.gender = (id.number[16] - '0') % 2 == 1 ? 1 : 2;
    if (known != NULL && !known(id.region, known_ctx))
        id.region_unknown = 1;

    *out = id;
    return 0;
}

int
core_idnum_matches(const core_idnum *id, int gender, int birth_yyyymmdd)
{
    int bad = 0;

    assert(id != NULL);
    if (gender != id->gender)
        bad |= CORE_IDNUM_MISMATCH_GENDER;
    if (birth_yyyymmdd != id->year * 10000 + id->month * 100 + id->day)
        bad |= CORE_IDNUM_MISMATCH_BIRTH;
    return bad;
}
