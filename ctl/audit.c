/*
 * ctl/audit.c - xuejictl audit verify and audit pubkey (docs/decisions/0023).
 *
 * The public keys verify accepts: XUEJI_AUDIT_PUBLIC_KEY (64 hex digits,
 * comma-separated for several, e.g. across a key change), else the one of
 * XUEJI_AUDIT_SIGNING_KEY (or _FILE), the seed xuejid signs with.
 */
#include "core/seal.h"
#include "ctl/ctl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 50 /* problems printed; the rest are counted */

/* The signing key of XUEJI_AUDIT_SIGNING_KEY(_FILE): 0, 1 when unset, -1
   (printed) when unreadable or malformed. */
static int
signing_key(core_seal_key *k)
{
    char buf[256];
    int dev = 0, rc = 1;
    if (ctl_secret("XUEJI_AUDIT_SIGNING_KEY", buf, sizeof(buf)) != 0)
        rc = -1;
    else if (buf[0] != '\0' && core_seal_key_parse(buf, k, &dev) != 0) {
        fprintf(stderr, "xuejictl: XUEJI_AUDIT_SIGNING_KEY must be 64 hex digits (a 32-byte "
                        "Ed25519 seed)\n");
        rc = -1;
    } else if (buf[0] != '\0')
        rc = 0;
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

/* The public keys verify accepts into pks; their number, or -1 (printed). */
static int
public_keys(unsigned char (*pks)[32])
{
    const char *v = getenv("XUEJI_AUDIT_PUBLIC_KEY");
    if (v != NULL && *v != '\0') {
        char buf[CORE_SEAL_MAX_KEYS * 66];
        snprintf(buf, sizeof(buf), "%s", v);
        int n = 0;
        for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok;
             tok = strtok_r(NULL, ", ", &save)) {
            if (n == CORE_SEAL_MAX_KEYS || core_seal_pubkey_parse(tok, pks[n]) != 0) {
                fprintf(stderr,
                        "xuejictl: XUEJI_AUDIT_PUBLIC_KEY: up to %d public keys of 64 hex "
                        "digits, comma-separated\n",
                        CORE_SEAL_MAX_KEYS);
                return -1;
            }
            n++;
        }
        return n;
    }
    core_seal_key k;
    int rc = signing_key(&k);
    if (rc == 0)
        memcpy(pks[0], k.pk, 32);
    sodium_memzero(&k, sizeof(k));
    if (rc == 1)
        fprintf(stderr, "xuejictl: audit verify needs XUEJI_AUDIT_PUBLIC_KEY (or the signing key "
                        "XUEJI_AUDIT_SIGNING_KEY)\n");
    return rc == 0 ? 1 : -1;
}

static void
show(void *ctx, const char *what)
{
    long long *shown = ctx;
    if (++*shown <= SHOW_MAX)
        printf("FAILED: %s\n", what);
}

int
ctl_cmd_audit_verify(void)
{
    unsigned char pks[CORE_SEAL_MAX_KEYS][32];
    int npk = public_keys(pks);
    if (npk < 0)
        return 2;
    app_err err = {0};
    db_conn *db = ctl_connect(&err);
    core_seal_report rep;
    long long shown = 0;
    int rc = db_conn_ok(db) ? core_seal_verify(db, (const unsigned char(*)[32])pks, npk, show,
                                               &shown, &rep, &err)
                            : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: audit verify: %s\n", err.detail);
        return 2;
    }
    if (rep.problems > SHOW_MAX)
        printf("FAILED: ... %lld problems in all\n", rep.problems);
    printf("audit trail %s: %lld seals, %lld sealed rows (seq 1..%lld); %lld rows not yet sealed"
           ", the oldest %.0f s old\n",
           rep.problems ? "BROKEN" : "intact", rep.seals, rep.rows_sealed, rep.last_seq,
           rep.rows_unsealed, rep.oldest_unsealed_s);
    return rep.problems ? 1 : 0;
}

int
ctl_cmd_audit_pubkey(void)
{
    core_seal_key k;
    int rc = signing_key(&k);
    if (rc == 1)
        fprintf(stderr, "xuejictl: audit pubkey: XUEJI_AUDIT_SIGNING_KEY (or _FILE) is not set\n");
    if (rc != 0)
        return 2;
    char hex[65];
    core_seal_pubkey_hex(k.pk, hex);
    sodium_memzero(&k, sizeof(k));
    printf("%s\n", hex);
    return 0;
}
