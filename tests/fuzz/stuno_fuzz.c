/*
 * tests/fuzz/stuno_fuzz.c - libFuzzer target for student numbers
 * (core_stuno_parse, 学籍号; make fuzz). The input is the number as typed.
 *
 * Promises (core/stuno.h): the answer is 0 or invalid_student_number with
 * reason length, prefix or chars, and `out` is untouched on error; an
 * accepted number is G, J or L and 18 digits (G and J may end in X), the
 * input with the prefix and a final x upper-cased, and parses again to
 * itself; the numbers core/stuno.c builds from its parts parse.
 */
#include "core/idnum.h"
#include "core/stuno.h"
#include "tests/fuzz/fuzz.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_valid(const char *out, const uint8_t *in)
{
    FUZZ_CHECK(strlen(out) == 19);
    FUZZ_CHECK(out[0] == 'G' || out[0] == 'J' || out[0] == 'L');
    for (int i = 1; i < 18; i++)
        FUZZ_CHECK(out[i] >= '0' && out[i] <= '9');
    FUZZ_CHECK((out[18] >= '0' && out[18] <= '9') || (out[18] == 'X' && out[0] != 'L'));
    for (int i = 0; i < 19; i++) {
        char c = (char)in[i];
        if ((i == 0 || i == 18) && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        FUZZ_CHECK(out[i] == c);
    }
    char again[20];
    FUZZ_CHECK(core_stuno_parse(out, 19, again, NULL) == 0 && strcmp(again, out) == 0);
}

/* The builders, fed from the input's bytes, make numbers the parser takes. */
static void
check_builders(const uint8_t *d, size_t n)
{
    if (n < 8)
        return;
    char county[7], out[20], back[20];
    for (int i = 0; i < 6; i++)
        county[i] = (char)('0' + d[i] % 10);
    county[6] = '\0';
    int birth = 19000101 + (int)(d[6] % 100) * 10000 + (d[7] % 12) * 100 + d[6] % 28;
    unsigned r = (unsigned)d[6] * 256u + d[7];
    core_stuno_make_l(county, birth, r % 10000, out);
    FUZZ_CHECK(core_stuno_parse(out, 19, back, NULL) == 0 && strcmp(back, out) == 0);
    core_stuno_make_j(county, birth, r % 1000, out);
    FUZZ_CHECK(core_stuno_parse(out, 19, back, NULL) == 0 && strcmp(back, out) == 0);
    FUZZ_CHECK(out[18] == core_idnum_check_digit(out + 1));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[20];
    memset(out, '#', sizeof(out));
    app_err e = {0};
    int rc = core_stuno_parse((const char *)data, size, out, &e);
    if (rc == 0) {
        check_valid(out, data);
    } else {
        FUZZ_CHECK(rc == APP_EINVAL && strcmp(e.slug, "invalid_student_number") == 0);
        FUZZ_CHECK(strcmp(e.param, "length") == 0 || strcmp(e.param, "prefix") == 0 ||
                   strcmp(e.param, "chars") == 0);
        for (size_t i = 0; i < sizeof(out); i++)
            FUZZ_CHECK(out[i] == '#');
    }
    check_builders(data, size);
    return 0;
}
