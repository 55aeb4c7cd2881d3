/*
 * tests/fuzz/idnum_fuzz.c - libFuzzer target for resident ID numbers
 * (core_idnum_parse, GB 11643; make fuzz). The input is the number as typed
 * into a form or an import cell.
 *
 * Promises (core/idnum.h): the answer is 0 or invalid_id_number with one of
 * the documented reasons; an accepted number is 18 characters, 17 digits and
 * its check character, with a real birth date from 1900-01-01 to today, the
 * gender of its 17th digit, the region of its first six; it validates again
 * to the same result, and its legacy form (15 digits, when it has one)
 * converts back to it.
 */
#include "core/idnum.h"
#include "tests/fuzz/fuzz.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TODAY 20261207

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
known(const char *code6, void *ctx)
{
    (void)ctx;
    FUZZ_CHECK(strlen(code6) == 6);
    return code6[5] != '9'; /* some codes are not in the list */
}

static void
check_error(const app_err *e)
{
    static const char *const reasons[] = {"length", "chars", "checksum", "birth_date", "region"};
    FUZZ_CHECK(e->code == APP_EINVAL && strcmp(e->slug, "invalid_id_number") == 0);
    int ok = 0;
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        ok |= strcmp(e->param, reasons[i]) == 0;
    FUZZ_CHECK(ok);
}

static void
check_valid(const core_idnum *id, size_t len)
{
    FUZZ_CHECK(strlen(id->number) == 18);
    for (int i = 0; i < 17; i++)
        FUZZ_CHECK(id->number[i] >= '0' && id->number[i] <= '9');
    FUZZ_CHECK(id->number[17] == core_idnum_check_digit(id->number));
    FUZZ_CHECK(memcmp(id->region, id->number, 6) == 0 && id->region[6] == '\0');
    int birth = id->year * 10000 + id->month * 100 + id->day;
    FUZZ_CHECK(birth >= 19000101 && birth <= TODAY);
    FUZZ_CHECK(id->month >= 1 && id->month <= 12 && id->day >= 1 && id->day <= 31);
    char ymd[9];
    snprintf(ymd, sizeof(ymd), "%08d", birth);
    FUZZ_CHECK(memcmp(id->number + 6, ymd, 8) == 0);
    FUZZ_CHECK(id->gender == ((id->number[16] - '0') % 2 ? 1 : 2));
    FUZZ_CHECK(id->legacy15 == (len == 15));
    FUZZ_CHECK(core_idnum_matches(id, id->gender, birth) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    core_idnum id, again;
    memset(&id, 0xa5, sizeof(id));
    core_idnum before = id;
    app_err e = {0};
    int rc = core_idnum_parse((const char *)data, size, TODAY, known, NULL, &id, &e);
    if (rc != 0) {
        FUZZ_CHECK(rc == APP_EINVAL);
        check_error(&e);
        FUZZ_CHECK(memcmp(&id, &before, sizeof(id)) == 0); /* untouched */
        return 0;
    }
    check_valid(&id, size);
    FUZZ_CHECK(core_idnum_parse(id.number, 18, TODAY, known, NULL, &again, NULL) == 0);
    FUZZ_CHECK(strcmp(again.number, id.number) == 0 && again.gender == id.gender);
    FUZZ_CHECK(again.region_unknown == id.region_unknown && !again.legacy15);
    if (id.year >= 1900 && id.year <= 1999) {
        /* the 15-digit form: 6 + YYMMDD + 3, without century and check */
        char old[15];
        memcpy(old, id.number, 6);
        memcpy(old + 6, id.number + 8, 9);
        FUZZ_CHECK(core_idnum_parse(old, 15, TODAY, known, NULL, &again, NULL) == 0);
        FUZZ_CHECK(strcmp(again.number, id.number) == 0 && again.legacy15);
    }
    return 0;
}
