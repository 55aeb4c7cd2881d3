/*
 * tests/fuzz/record_fuzz.c - libFuzzer target for the student record in a
 * request body (make fuzz): POST /students and PATCH /students/{key} take
 * it with api_record_from_json (api/h_students.c) and the job validates it
 * with core_record_validate (core/record.c) against the code tables and
 * regions (here those compiled into the binary) and the default required
 * fields.
 *
 * Input: byte 0 even: required fields as a registration has them, odd: none
 * (a correction); the rest is the JSON body.
 *
 * Promises: a shape problem or a bad field is an item with a JSON pointer
 * and a code (APP_EINVAL), never anything else; a record that passes holds
 * valid UTF-8 without control characters in every field, a resident ID of
 * type 1 that core_idnum_parse accepts as it stands, and validates again
 * unchanged (normalising twice changes nothing).
 */
#include "api/handlers.h"
#include "core/idnum.h"
#include "tests/fuzz/fuzz_api.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const required[] = {"name",        "gender",     "birth_date", "ethnicity",
                                       "nationality", "id_type",    "id_number",  "hukou_region",
                                       "hukou_type",  "grade",      "class",      "enrolled_month",
                                       "entry_mode",  "study_mode", "source",     "distance_km",
                                       "transport",   "school_bus", "family"};

static void
check_items(const app_err *e)
{
    FUZZ_CHECK(e->nitems > 0 && e->nitems <= APP_ERR_MAX_ITEMS);
    for (int i = 0; i < e->nitems; i++) {
        FUZZ_CHECK(e->items[i].code != NULL && e->items[i].code[0] != '\0');
        FUZZ_CHECK(e->items[i].field[0] == '\0' || e->items[i].field[0] == '/');
    }
}

static void
check_record(const core_record *r, const core_record_rules *rules, app_arena *a)
{
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const char *v = r->v[i];
        if (v == NULL)
            continue;
        FUZZ_CHECK(base_utf8_valid(v, strlen(v)));
        for (const char *p = v; *p; p++)
            FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
    }
    const char *type = r->v[CORE_R_ID_TYPE], *num = r->v[CORE_R_ID_NUMBER];
    if (type && num && strcmp(type, "1") == 0) {
        core_idnum id;
        FUZZ_CHECK(strlen(num) == 18);
        FUZZ_CHECK(core_idnum_parse(num, 18, FUZZ_TODAY, NULL, NULL, &id, NULL) == 0);
    }
    core_record again = *r;
    app_err e = {0};
    FUZZ_CHECK(core_record_validate(&again, rules, a, NULL, &e) == 0);
    for (int i = 0; i < CORE_NFIELDS; i++) {
        FUZZ_CHECK((again.v[i] == NULL) == (r->v[i] == NULL));
        FUZZ_CHECK(again.v[i] == NULL || strcmp(again.v[i], r->v[i]) == 0);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_api_init();
    if (size < 1)
        return 0;
    fuzz_call f;
    fuzz_call_init(&f);
    api_call *c = &f.c;
    c->json = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (c->json == NULL) {
        fuzz_call_free(&f);
        return 0;
    }
    core_record r;
    unsigned char present[CORE_NFIELDS];
    app_err e = {0};
    int shape = api_record_from_json(c, &r, present, &e);
    FUZZ_CHECK(shape == 0 ? e.nitems == 0 : e.nitems > 0);
    if (shape != 0)
        check_items(&e);
    core_record_rules rules = {fuzz_codes, FUZZ_TODAY, required,
                               (int)(sizeof(required) / sizeof(required[0]))};
    if (data[0] & 1)
        rules.nrequired = 0;
    app_err ve = {0};
    int warnings = 0;
    int rc = core_record_validate(&r, &rules, c->arena, &warnings, &ve);
    FUZZ_CHECK(rc == 0 || rc == APP_EINVAL);
    FUZZ_CHECK((warnings & ~CORE_RECORD_WARN_ID_REGION) == 0);
    if (rc != 0)
        check_items(&ve);
    else if (shape == 0)
        check_record(&r, &rules, c->arena);
    json_decref(c->json);
    fuzz_call_free(&f);
    return 0;
}
