/*
 * core/env.c - code tables and data keys at start (see core/env.h).
 */
#include "core/env.h"

#include "db/refdata.h"

#include <sodium.h>
#include <string.h>

static void
add_code(void *ctx, const char *table, const char *code, const char *label)
{
    core_codes_add(ctx, table, code, label);
}

int
core_codes_load(db_conn *db, core_codes **out, app_err *err)
{
    core_codes *c = core_codes_new();
    int rc = db_code_values_all(db, add_code, c, err);
    if (rc != 0) {
        core_codes_free(c);
        return rc;
    }
    core_codes_seal(c);
    *out = c;
    return 0;
}

int
core_key_parse(const char *text, unsigned char out[CORE_PII_KEY_BYTES], int *out_dev)
{
    static const char marker[] = "xueji-dev-";
    size_t got = 0;
    *out_dev = strncmp(text, marker, sizeof(marker) - 1) == 0;
    if (*out_dev)
        text += sizeof(marker) - 1;
    if (strlen(text) != 2 * CORE_PII_KEY_BYTES ||
        sodium_hex2bin(out, CORE_PII_KEY_BYTES, text, strlen(text), NULL, &got, NULL) != 0 ||
        got != CORE_PII_KEY_BYTES)
        return APP_EINVAL;
    return 0;
}
