/*
 * ctl/xuejictl.c - the administrator's command line.
 *
 *   xuejictl migrate             apply pending migrations
 *   xuejictl check-id NUMBER     validate a resident ID number (GB 11643) offline
 *   xuejictl demo [--students N] load the demo province (idempotent), and
 *                                generated students up to N
 *   xuejictl rekey [--batch N]   re-encrypt personal data under the current key
 *   xuejictl audit verify        check the audit trail's hash chain
 *   xuejictl gen-import ...      a file of new valid students in the import
 *                                template's layout (benchmarks, tests)
 *
 * Reads XUEJI_DATABASE_URL like xuejid, and for students the data keys
 * (XUEJI_DATA_KEY, XUEJI_DATA_KEYS_OLD, or their _FILE forms) as xuejid does.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/csv.h"
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/files.h"
#include "core/grade.h"
#include "core/idnum.h"
#include "core/import.h"
#include "core/mask.h"
#include "core/password.h"
#include "core/pii.h"
#include "core/pwhash.h"
#include "core/rekey.h"
#include "core/student.h"
#include "formats/xlsx.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/school.h"
#include "db/settings.h"
#include "db/student.h"
#include "db/user.h"

static int
usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  xuejictl migrate           apply pending migrations (XUEJI_DATABASE_URL)\n"
                 "  xuejictl check-id NUMBER   validate a resident ID number offline\n"
                 "  xuejictl demo              load the demo province: schools, classes,\n"
                 "                             accounts (XUEJI_DATABASE_URL; idempotent)\n"
                 "      --students N           and generated enrolled students until the demo\n"
                 "                             schools hold N (tops up: a rerun adds none)\n"
                 "      --jobs J               loader threads and connections (default 2)\n"
                 "      --print-sample K       print K loaded students: id, number, school\n"
                 "  xuejictl rekey [--batch N] re-encrypt every student row under the current\n"
                 "                             key XUEJI_DATA_KEY (old keys: XUEJI_DATA_KEYS_OLD),\n"
                 "                             then the stored files (uploads, evidence, photos)\n"
                 "  xuejictl audit verify      check the audit trail's hash chain; exit 1\n"
                 "                             naming the first broken row\n"
                 "  xuejictl gen-import --rows N --school CODE --format csv|xlsx\n"
                 "                             N new valid students of school CODE in the\n"
                 "                             import template's layout, on stdout\n"
                 "      --grade G              their grade (default 14)\n"
                 "      --classes A-B          their classes, in turn (default 91-98)\n"
                 "      --out FILE             write FILE instead of stdout\n");
    return out == stdout ? 0 : 2;
}

static db_conn *
connect_env(app_err *err)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    return db_conn_open(url ? url : "postgresql:///xueji", err);
}

static int
cmd_audit_verify(void)
{
    app_err err = {0};
    db_conn *db = connect_env(&err);
    long long rows = 0, bad = 0;
    int rc = db_conn_ok(db) ? db_audit_verify(db, &rows, &bad, &err) : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: audit verify: %s\n", err.detail);
        return 2;
    }
    if (bad != 0) {
        printf("audit chain BROKEN at row %lld (%lld rows checked): the row or the one before "
               "it was changed or deleted\n",
               bad, rows);
        return 1;
    }
    printf("audit chain intact: %lld rows\n", rows);
    return 0;
}

static int
cmd_migrate(void)
{
    app_err err = {0};
    db_conn *db = connect_env(&err);
    int applied = 0;
    int rc = db_conn_ok(db) ? db_migrate(db, &applied, &err) : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: migrate: %s\n", err.detail);
        return 1;
    }
    printf("migrations up to date (%d applied)\n", applied);
    return 0;
}

static int
cmd_check_id(const char *number)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    core_idnum id;
    app_err err = {0};
    if (core_idnum_parse(number, strlen(number), today, NULL, NULL, &id, &err) != 0) {
        printf("invalid: %s (%s)\n", err.slug ? err.slug : "invalid", err.param);
        return 1;
    }
    char masked[32];
    core_mask_id(id.number, masked, sizeof(masked));
    printf("valid: %s born %04d-%02d-%02d %s region %s%s\n", masked, id.year, id.month, id.day,
           id.gender == 1 ? "male" : "female", id.region, id.legacy15 ? " (converted from 15)" : "");
    return 0;
}

/* ------------------------------------------------------------------ demo */

/*
 * The demo province (API.md "Bootstrap and demo"): 河南 with 郑州 and 洛阳, two
 * counties each, twenty schools (one managed directly by the city of 郑州),
 * classes for every grade each school teaches, and accounts at every level
 * sharing one password. Loading is idempotent: rows that exist are left as
 * they are, so a second run changes nothing.
 */
#define DEMO_PASSWORD "Xueji-Demo-2026!"

typedef struct demo_school {
    const char *code, *name, *county, *authority, *system;
} demo_school;

static const demo_school demo_schools[] = {
    /* 郑州市中原区 */
    {"2141010201", "郑州市中原区建设路第一小学", "410102", "410102", "63"},
    {"2141010202", "郑州市中原区伊河路小学", "410102", "410102", "63"},
    {"2141010203", "郑州市中原区棉纺路小学", "410102", "410102", "63"},
    {"3141010201", "郑州市中原区第一初级中学", "410102", "410102", "63"},
    {"3441010201", "郑州市第一中学", "410102", "410100", "63"}, /* 市直管 */
    {"5141010201", "郑州市中原区特殊教育学校", "410102", "410102", "63"},
    /* 郑州市金水区 */
    {"2141010501", "郑州市金水区文化路第一小学", "410105", "410105", "63"},
    {"2141010502", "郑州市金水区纬五路第一小学", "410105", "410105", "63"},
    {"2141010503", "郑州市金水区农科路小学", "410105", "410105", "63"},
    {"3141010501", "郑州市第八中学", "410105", "410105", "63"},
    {"3441010501", "郑州市第十一中学", "410105", "410105", "63"},
    /* 洛阳市老城区: 五四制 */
    {"2141030201", "洛阳市老城区西大街小学", "410302", "410302", "54"},
    {"2141030202", "洛阳市老城区青年宫小学", "410302", "410302", "54"},
    {"3141030201", "洛阳市第二十三中学", "410302", "410302", "54"},
    {"3441030201", "洛阳市第一高级中学", "410302", "410302", "63"},
    /* 洛阳市涧西区 */
    {"2141030501", "洛阳市涧西区东升第二小学", "410305", "410305", "63"},
    {"2141030502", "洛阳市涧西区天津路小学", "410305", "410305", "63"},
    {"3141030501", "洛阳市第二十二中学", "410305", "410305", "63"},
    {"3441030501", "洛阳市第二高级中学", "410305", "410305", "63"},
    {"5141030501", "洛阳市涧西区特殊教育学校", "410305", "410305", "63"},
};

typedef struct demo_account {
    const char *username, *display_name, *role, *org, *staff_role;
    int grade;       /* grade leaders */
    int class_grade; /* head teachers: class (class_grade, 1) of the school */
} demo_account;

static const demo_account demo_accounts[] = {
    {"henan", "河南省教育厅学籍管理员", "province", "410000", NULL, 0, 0},
    {"zhengzhou", "郑州市教育局学籍管理员", "city", "410100", NULL, 0, 0},
    {"luoyang", "洛阳市教育局学籍管理员", "city", "410300", NULL, 0, 0},
    {"zhongyuan", "中原区教育局学籍管理员", "county", "410102", NULL, 0, 0},
    {"jinshui", "金水区教育局学籍管理员", "county", "410105", NULL, 0, 0},
    {"laocheng", "老城区教育局学籍管理员", "county", "410302", NULL, 0, 0},
    {"jianxi", "涧西区教育局学籍管理员", "county", "410305", NULL, 0, 0},
    {"jianshe.registrar", "建设路第一小学 学籍管理员", "school", "2141010201", "registrar", 0, 0},
    {"jianshe.grade13", "建设路第一小学 三年级组长", "school", "2141010201", "grade_leader", 13, 0},
    {"jianshe.teacher", "建设路第一小学 三年级(1)班班主任", "school", "2141010201", "head_teacher",
     0, 13},
    {"zz1z.registrar", "郑州市第一中学 学籍管理员", "school", "3441010201", "registrar", 0, 0},
    {"zz1z.grade31", "郑州市第一中学 高一年级组长", "school", "3441010201", "grade_leader", 31, 0},
    {"zz1z.teacher", "郑州市第一中学 高一(1)班班主任", "school", "3441010201", "head_teacher", 0,
     31},
    {"ly1g.registrar", "洛阳市第一高级中学 学籍管理员", "school", "3441030201", "registrar", 0, 0},
    {"ly1g.grade32", "洛阳市第一高级中学 高二年级组长", "school", "3441030201", "grade_leader", 32,
     0},
    {"ly1g.teacher", "洛阳市第一高级中学 高二(1)班班主任", "school", "3441030201", "head_teacher",
     0, 32},
};

/* Overrides the demo stores (only where none exist yet). */
static const struct {
    const char *region, *settings;
} demo_settings[] = {
    {"410000", "{\"entry_age_cutoff\":\"08-31\",\"entry_min_age\":6,"
               "\"holidays\":[\"2026-01-01\",\"2026-05-01\",\"2026-10-01\",\"2026-10-02\","
               "\"2026-10-03\"]}"},
    {"410100", "{\"transfer_blackout\":{\"from\":\"07-10\",\"until\":\"08-20\"}}"},
};

/* Classes per grade and their size limit, by school category. */
static void
demo_class_plan(int category, int *out_per_grade, int *out_size)
{
    switch (category) {
    case 21: *out_per_grade = 3, *out_size = 45; break;
    case 31: *out_per_grade = 4, *out_size = 50; break;
    case 34: *out_per_grade = 4, *out_size = 50; break;
    default: *out_per_grade = 1, *out_size = 12; break;
    }
}

typedef struct demo_counts {
    int schools, classes, accounts, settings;
} demo_counts;

static int
demo_load(db_conn *db, app_arena *a, demo_counts *made, app_err *err)
{
    int rc = 0;
    char hash[CORE_PWHASH_LEN] = "";

    for (size_t i = 0; rc == 0 && i < sizeof(demo_schools) / sizeof(demo_schools[0]); i++) {
        const demo_school *d = &demo_schools[i];
        db_school s = {.name = d->name, .system = d->system};
        snprintf(s.code, sizeof(s.code), "%s", d->code);
        snprintf(s.county, sizeof(s.county), "%s", d->county);
        snprintf(s.authority, sizeof(s.authority), "%s", d->authority);
        snprintf(s.province, sizeof(s.province), "%.2s0000", d->county);
        s.category = (d->code[0] - '0') * 10 + (d->code[1] - '0');
        int created = 0;
        rc = db_school_insert(db, &s, &created, a, NULL, err);
        made->schools += created;

        int per_grade, size;
        demo_class_plan(s.category, &per_grade, &size);
        for (int g = 11; rc == 0 && g <= 33; g++) {
            /* special education and other categories: the primary grades */
            int fits = s.category == 21 || s.category == 31 || s.category == 34
                           ? core_grade_fits_school(s.category, s.system, g)
                           : g >= 11 && g <= 16;
            for (int n = 1; rc == 0 && fits && n <= per_grade; n++) {
                db_class k = {.grade = g, .number = n, .size_limit = size};
                char name[CORE_CLASS_NAME_MAX];
                core_class_default_name(g, n, name, sizeof(name));
                k.name = name;
                memcpy(k.school, s.code, sizeof(k.school));
                rc = db_class_insert(db, &k, &created, a, NULL, err);
                made->classes += created;
            }
        }
    }

    for (size_t i = 0; rc == 0 && i < sizeof(demo_settings) / sizeof(demo_settings[0]); i++) {
        int version;
        app_err e2 = {0};
        int r = db_settings_put(db, demo_settings[i].region, demo_settings[i].settings, 0, 0,
                                &version, &e2);
        if (r == 0)
            made->settings++;
        else if (r != APP_EPRECOND) /* EPRECOND: the region has overrides already */
            rc = app_err_set(err, (app_code)r, e2.slug, "%s", e2.detail);
    }

    for (size_t i = 0; rc == 0 && i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
        const demo_account *d = &demo_accounts[i];
        db_user u;
        int found = 0;
        if ((rc = db_user_by_username(db, d->username, a, &u, &found, err)) != 0 || found)
            continue;
        if (core_password_check(DEMO_PASSWORD, d->username, err) != 0) {
            rc = APP_EINVAL;
            break;
        }
        /* one hash for every demo account: they share the password anyway */
        if (hash[0] == '\0' && core_pwhash(DEMO_PASSWORD, hash) != 0) {
            rc = app_err_set(err, APP_EINTERNAL, NULL, "pwhash: out of memory");
            break;
        }
        db_user nu = {.username = d->username,
                      .display_name = d->display_name,
                      .role = d->role,
                      .org = d->org,
                      .staff_role = d->staff_role,
                      .grade = d->grade,
                      .password_hash = hash,
                      .must_change_password = 0};
        if (d->class_grade != 0) {
            long long id = 0;
            if ((rc = db_class_id(db, d->org, d->class_grade, 1, &id, err)) != 0)
                break;
            if (id == 0) {
                rc = app_err_set(err, APP_EINTERNAL, NULL, "no class %d-1 at %s", d->class_grade,
                                 d->org);
                break;
            }
            nu.classes[0] = id;
            nu.nclasses = 1;
        }
        long long id;
        if ((rc = db_user_insert(db, &nu, &id, err)) == 0)
            made->accounts++;
    }

    int total = made->schools + made->classes + made->accounts + made->settings;
    if (rc == 0 && total > 0) {
        char detail[160];
        snprintf(detail, sizeof(detail),
                 "{\"schools\":%d,\"classes\":%d,\"accounts\":%d,\"settings\":%d}", made->schools,
                 made->classes, made->accounts, made->settings);
        db_audit e = {.action = "demo_load", .target_type = "region", .target_id = "410000",
                      .detail_json = detail};
        rc = db_audit_insert(db, &e, err);
    }
    return rc;
}

static const char *
demo_org_name(const char *org)
{
    static const struct {
        const char *code, *name;
    } regions[] = {{"410000", "河南省"},     {"410100", "郑州市"},     {"410300", "洛阳市"},
                   {"410102", "郑州市中原区"}, {"410105", "郑州市金水区"}, {"410302", "洛阳市老城区"},
                   {"410305", "洛阳市涧西区"}};
    for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
        if (strcmp(regions[i].code, org) == 0)
            return regions[i].name;
    for (size_t i = 0; i < sizeof(demo_schools) / sizeof(demo_schools[0]); i++)
        if (strcmp(demo_schools[i].code, org) == 0)
            return demo_schools[i].name;
    return "";
}

/* ------------------------------------------------------------ data keys */

/* A secret from NAME or NAME_FILE (as xuejid reads it), trailing blanks removed. */
static int
secret(const char *name, char *buf, size_t cap)
{
    char fname[64];
    snprintf(fname, sizeof(fname), "%s_FILE", name);
    const char *v = getenv(name), *path = getenv(fname);
    buf[0] = '\0';
    if (v != NULL) {
        if (strlen(v) >= cap)
            return -1;
        snprintf(buf, cap, "%s", v);
    } else if (path != NULL) {
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            fprintf(stderr, "xuejictl: %s: cannot read %s\n", fname, path);
            return -1;
        }
        size_t n = fread(buf, 1, cap - 1, f);
        fclose(f);
        buf[n] = '\0';
    }
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

/*
 * The key ring xuejid builds (api/config.c, api/registry.c): XUEJI_DATA_KEY
 * is the current key, XUEJI_DATA_KEYS_OLD (comma-separated) the older ones.
 * Development keys ("xueji-dev-...") only when XUEJI_ENV=development.
 */
static core_pii_ring *
load_ring(void)
{
    unsigned char keys[CORE_PII_MAX_KEYS][CORE_PII_KEY_BYTES];
    char buf[1024];
    int n = 0, dev = 0, any_dev = 0;
    core_pii_ring *ring = NULL;
    if (secret("XUEJI_DATA_KEY", buf, sizeof(buf)) != 0 || buf[0] == '\0') {
        fprintf(stderr, "xuejictl: XUEJI_DATA_KEY (or XUEJI_DATA_KEY_FILE) is required: it "
                        "encrypts ID and phone numbers\n");
        goto done;
    }
    if (core_key_parse(buf, keys[n++], &dev) != 0) {
        fprintf(stderr, "xuejictl: XUEJI_DATA_KEY must be 64 hex digits (32 bytes)\n");
        goto done;
    }
    any_dev |= dev;
    sodium_memzero(buf, sizeof(buf));
    if (secret("XUEJI_DATA_KEYS_OLD", buf, sizeof(buf)) != 0)
        goto done;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == CORE_PII_MAX_KEYS || core_key_parse(tok, keys[n], &dev) != 0) {
            fprintf(stderr, "xuejictl: XUEJI_DATA_KEYS_OLD: up to %d keys of 64 hex digits\n",
                    CORE_PII_MAX_KEYS - 1);
            goto done;
        }
        n++;
        any_dev |= dev;
    }
    const char *mode = getenv("XUEJI_ENV");
    if (any_dev && (mode == NULL || strcmp(mode, "development") != 0)) {
        fprintf(stderr, "xuejictl: development keys (xueji-dev-...) need XUEJI_ENV=development\n");
        goto done;
    }
    if ((ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])keys, n)) == NULL)
        fprintf(stderr, "xuejictl: data keys: a key is given twice\n");
done:
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(keys, sizeof(keys));
    return ring;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ demo students */

/*
 * `xuejictl demo --students N` tops the demo schools up to N students, all
 * enrolled with G numbers, spread over the demo classes in proportion to
 * their size limits (beyond the demo's capacity, 12,974, classes go
 * over their limits: the limit is a registration rule, not a constraint).
 * Rows go in with COPY, BATCH rows per statement (each its own
 * transaction), from --jobs threads with a connection each: one generates
 * and encrypts while the other's COPY runs. A failed batch stops the load;
 * the batches before it stay, and a rerun continues from there.
 */
#define BATCH 10000
#define SAMPLE_MAX 10000

typedef struct demo_class_slot {
    core_demo_class k;
    long long id;
    long long weight_end; /* cumulative size limits */
} demo_class_slot;

typedef struct loader {
    pthread_mutex_t lock;
    const char *url;
    const core_env *env;
    core_demo_ids *ids;
    demo_class_slot *classes;
    int nclasses;
    long long weight;
    int school_year, today;
    long long key_id;
    const char *copy_sql;
    long long target, claimed, done;
    int failed;
    app_err err;
    double t0, last_print;
    int want_sample, nsample;
    char (*sample)[2][20]; /* G number, school: a uniform sample of the load */
    int validated;
} loader;

/* Append `s` in COPY text format (NULL -> \N). */
static void
copy_field(char **buf, size_t *len, size_t *cap, const char *s, int first)
{
    size_t need = *len + (s ? 2 * strlen(s) : 2) + 2;
    if (need > *cap) {
        *cap = need * 2;
        *buf = xrealloc(*buf, *cap);
    }
    char *p = *buf + *len;
    if (!first)
        *p++ = '\t';
    if (s == NULL) {
        *p++ = '\\';
        *p++ = 'N';
    } else {
        for (; *s; s++) {
            switch (*s) {
            case '\\': *p++ = '\\', *p++ = '\\'; break;
            case '\t': *p++ = '\\', *p++ = 't'; break;
            case '\n': *p++ = '\\', *p++ = 'n'; break;
            case '\r': *p++ = '\\', *p++ = 'r'; break;
            default: *p++ = *s;
            }
        }
    }
    *len = (size_t)(p - *buf);
}

static const demo_class_slot *
pick_class(const loader *L, core_demo_rng *rng)
{
    long long w = (long long)core_demo_rand(rng, (uint32_t)L->weight);
    int lo = 0, hi = L->nclasses - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (L->classes[mid].weight_end > w)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &L->classes[lo];
}

/* One student as a COPY line. Returns 0 or an APP_E* code. */
static int
student_line(loader *L, const core_op *op, core_demo_rng *rng, long long index, int validate,
             char **buf, size_t *len, size_t *cap, app_err *err)
{
    const demo_class_slot *c = pick_class(L, rng);
    core_demo_student st;
    if (core_demo_student_make(rng, L->ids, &c->k, L->school_year, &st) != 0)
        return app_err_set(err, APP_ECONFLICT, "id_space_full",
                           "no free ID number left for grade %d in county %s", c->k.grade,
                           c->k.county);
    if (validate) {
        core_record copy = st.rec;
        core_record_rules rules = {op->env->codes, L->today, NULL, 0};
        if (core_record_validate(&copy, &rules, op->arena, NULL, err) != 0)
            return app_err_set(err, APP_EINTERNAL, NULL,
                               "generated record invalid: %s %s (%s)", err->items[0].field,
                               err->items[0].code, err->items[0].param);
    }
    int ncols = 0;
    core_record_columns(&ncols);
    const char **vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
    int rc = core_student_row(op, &st.rec, vals, err);
    if (rc != 0)
        return rc;

    /* the G number: encrypted (it contains the ID number), masked, indexed */
    const char *num = st.student_number;
    unsigned char enc[20 + CORE_PII_OVERHEAD];
    size_t enc_len = 0;
    if (core_pii_encrypt(op->env->ring, num, strlen(num), enc, sizeof(enc), &enc_len) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "encrypt failed");
    char enc_hex[2 * sizeof(enc) + 3] = "\\x", masked[24], province[7], cls[24], key[24];
    sodium_bin2hex(enc_hex + 2, sizeof(enc_hex) - 2, enc, enc_len);
    core_mask_stuno(num, masked, sizeof(masked));
    snprintf(province, sizeof(province), "%.2s0000", c->k.county);
    snprintf(cls, sizeof(cls), "%lld", c->id);
    snprintf(key, sizeof(key), "%lld", L->key_id);
    const char *fixed[] = {province,
                           c->k.school,
                           cls,
                           "enrolled",
                           "G",
                           masked,
                           enc_hex,
                           core_student_bidx(op, "stuno", num),
                           core_student_bidx(op, "id:1", st.rec.v[CORE_R_ID_NUMBER]),
                           key,
                           NULL};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        copy_field(buf, len, cap, fixed[i], i == 0);
    for (int i = 0; i < ncols; i++)
        copy_field(buf, len, cap, vals[i], 0);
    (*buf)[(*len)++] = '\n'; /* copy_field always leaves room for two more bytes */

    if (L->sample) {
        /* reservoir sampling over the rows in load order (`index`) */
        uint32_t seen = index + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(index + 1);
        long long slot = index < L->want_sample ? index : (long long)core_demo_rand(rng, seen);
        if (slot < L->want_sample) {
            pthread_mutex_lock(&L->lock);
            snprintf(L->sample[slot][0], 20, "%s", num);
            snprintf(L->sample[slot][1], 20, "%s", c->k.school);
            if (L->nsample <= slot)
                L->nsample = (int)slot + 1;
            pthread_mutex_unlock(&L->lock);
        }
    }
    return 0;
}

static void *
loader_thread(void *arg)
{
    loader *L = arg;
    app_err err = {0};
    db_conn *db = db_conn_open(L->url, &err);
    core_demo_rng rng;
    uint64_t seed;
    randombytes_buf(&seed, sizeof(seed));
    core_demo_rng_seed(&rng, seed);
    size_t cap = 1 << 20, len = 0;
    char *buf = xmalloc(cap);
    int rc = db_conn_ok(db) ? 0 : APP_EUNAVAIL;

    while (rc == 0) {
        pthread_mutex_lock(&L->lock);
        long long first = L->claimed, n = L->target - L->claimed;
        if (L->failed)
            n = 0;
        if (n > BATCH)
            n = BATCH;
        /* the first rows of a run are validated against the catalog and code tables */
        int validate_first = L->validated < 2000 ? 2000 - L->validated : 0;
        L->validated += validate_first;
        L->claimed += n;
        pthread_mutex_unlock(&L->lock);
        if (n <= 0)
            break;

        app_arena *a = app_arena_new();
        core_op op = {.env = L->env, .arena = a, .today = L->today};
        len = 0;
        for (long long i = 0; rc == 0 && i < n; i++)
            rc = student_line(L, &op, &rng, first + i, i < validate_first, &buf, &len, &cap,
                              &err);
        app_arena_free(a);
        if (rc == 0)
            rc = db_copy_in(db, L->copy_sql, buf, len, &err);

        pthread_mutex_lock(&L->lock);
        if (rc == 0) {
            L->done += n;
            double t = now_s();
            if (t - L->last_print >= 5 && L->done < L->target) {
                L->last_print = t;
                fprintf(stderr, "demo: %lld/%lld students loaded (%.0f rows/s)\n", L->done,
                        L->target, (double)L->done / (t - L->t0));
            }
        } else if (!L->failed) {
            L->failed = 1;
            L->err = err;
        }
        pthread_mutex_unlock(&L->lock);
    }
    if (rc == APP_EUNAVAIL) {
        pthread_mutex_lock(&L->lock);
        if (!L->failed) {
            L->failed = 1;
            L->err = err;
        }
        pthread_mutex_unlock(&L->lock);
    }
    free(buf);
    db_conn_close(db);
    return NULL;
}

/* db_idmask_fn: stored numbers the generator must not hand out again. */
static void
mark_stored(void *ctx, const char *prefix4, const char *birth, const char *seqs)
{
    int b = atoi(birth);
    for (const char *p = seqs; strlen(p) >= 3; p += 3) {
        char d[4] = {p[0], p[1], p[2], 0};
        core_demo_ids_mark(ctx, prefix4, b, atoi(d));
    }
}

/* The demo classes, weighted by their size limits (none: 45). */
static int
demo_classes(db_conn *db, app_arena *a, demo_class_slot **out, int *out_n, long long *out_weight,
             app_err *err)
{
    size_t nschools = sizeof(demo_schools) / sizeof(demo_schools[0]);
    int cap = 0, n = 0;
    demo_class_slot *v = NULL;
    long long w = 0;
    for (size_t i = 0; i < nschools; i++) {
        const demo_school *d = &demo_schools[i];
        db_class *k;
        int nk = 0;
        int rc = db_class_list(db, d->code, 0, 0, 2000, a, &k, &nk, err);
        if (rc != 0)
            return rc;
        for (int j = 0; j < nk; j++) {
            if (n == cap) { /* the arena frees the old array with the rest */
                demo_class_slot *old = v;
                cap = cap ? 2 * cap : 256;
                v = app_arena_alloc(a, sizeof(*v) * (size_t)cap);
                if (n)
                    memcpy(v, old, sizeof(*v) * (size_t)n);
            }
            demo_class_slot *c = &v[n++];
            memset(c, 0, sizeof(*c));
            snprintf(c->k.school, sizeof(c->k.school), "%s", d->code);
            snprintf(c->k.county, sizeof(c->k.county), "%s", d->county);
            snprintf(c->k.system, sizeof(c->k.system), "%s", d->system);
            c->k.category = (d->code[0] - '0') * 10 + (d->code[1] - '0');
            c->k.grade = k[j].grade;
            c->k.number = k[j].number;
            c->id = k[j].id;
            w += k[j].size_limit > 0 ? k[j].size_limit : 45;
            c->weight_end = w;
        }
    }
    *out = v;
    *out_n = n;
    *out_weight = w;
    return 0;
}

static int
demo_students(db_conn *db, const char *url, long long want, int jobs, int sample)
{
    app_err err = {0};
    core_pii_ring *ring = load_ring();
    if (ring == NULL)
        return 1;
    core_codes *codes = NULL;
    app_arena *a = app_arena_new();
    loader L;
    memset(&L, 0, sizeof(L));
    pthread_mutex_init(&L.lock, NULL);
    int rc = core_codes_load(db, &codes, &err);
    if (rc == 0 && core_student_init() != 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "field catalog columns");
    core_env env = {codes, ring};

    size_t nschools = sizeof(demo_schools) / sizeof(demo_schools[0]);
    const char *codes_of[sizeof(demo_schools) / sizeof(demo_schools[0])];
    const char *counties[sizeof(demo_schools) / sizeof(demo_schools[0])];
    int ncounties = 0;
    for (size_t i = 0; i < nschools; i++) {
        codes_of[i] = demo_schools[i].code;
        int seen = 0;
        for (int j = 0; j < ncounties; j++)
            seen |= strcmp(counties[j], demo_schools[i].county) == 0;
        if (!seen)
            counties[ncounties++] = demo_schools[i].county;
    }
    long long have = 0;
    if (rc == 0)
        rc = db_student_count_in_schools(db, codes_of, (int)nschools, &have, &err);
    if (rc == 0 && have >= want) {
        printf("demo: the demo schools hold %lld students already (--students %lld)\n", have,
               want);
        goto done;
    }
    if (rc == 0)
        rc = demo_classes(db, a, &L.classes, &L.nclasses, &L.weight, &err);
    if (rc == 0 && L.nclasses == 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "the demo schools have no classes");
    if (rc != 0)
        goto done;

    /* every birth date a student of any grade can have this school year */
    L.today = core_today();
    L.school_year = core_demo_school_year(L.today);
    int from, until, f2, u2;
    core_demo_birth_window(12, L.school_year, &from, &u2);
    core_demo_birth_window(1, L.school_year, &f2, &until);
    L.ids = core_demo_ids_new(counties, ncounties, from, until);
    double t = now_s();
    if ((rc = db_student_id_masks(db, mark_stored, L.ids, &err)) != 0)
        goto done;
    if (have > 0)
        fprintf(stderr, "demo: %lld students there already (their ID numbers read in %.1f s)\n",
                have, now_s() - t);

    int ncols = 0;
    const char *const *cols = core_record_columns(&ncols);
    size_t sqlcap = 4096;
    char *sql = app_arena_alloc(a, sqlcap);
    size_t off = (size_t)snprintf(sql, sqlcap,
                                  "COPY student (province, school, class_id, state, stuno_kind, "
                                  "stuno_text, stuno_enc, stuno_bidx, id_bidx, key_id, "
                                  "verification");
    for (int i = 0; i < ncols && off < sqlcap; i++)
        off += (size_t)snprintf(sql + off, sqlcap - off, ", %s", cols[i]);
    if (off < sqlcap)
        snprintf(sql + off, sqlcap - off, ") FROM STDIN");
    L.copy_sql = sql;
    L.url = url;
    L.env = &env;
    L.key_id = (long long)core_pii_key_id(ring, 0);
    L.target = want - have;
    if (sample > 0)
        L.sample = app_arena_alloc(a, sizeof(*L.sample) * (size_t)sample);
    L.want_sample = sample;
    L.t0 = L.last_print = now_s();

    if (jobs < 1)
        jobs = 1;
    if (jobs > 8)
        jobs = 8;
    pthread_t th[8];
    int started = 0;
    for (int i = 0; i < jobs; i++)
        if (pthread_create(&th[i], NULL, loader_thread, &L) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    double secs = now_s() - L.t0;
    if (started == 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "cannot start a loader thread");
    else if (L.failed) {
        err = L.err;
        rc = err.code ? err.code : APP_EINTERNAL;
    }
    if (L.done > 0) {
        char detail[96];
        snprintf(detail, sizeof(detail), "{\"students\":%lld}", L.done);
        db_audit e = {.action = "demo_students", .target_type = "region", .target_id = "410000",
                      .detail_json = detail};
        app_err e2 = {0};
        if (db_audit_insert(db, &e, &e2) != 0)
            fprintf(stderr, "xuejictl: demo: audit entry: %s\n", e2.detail);
    }
    printf("demo: %lld students added in %.1f s (%.0f rows/s, %d jobs), the demo schools hold "
           "%lld\n",
           L.done, secs, secs > 0 ? (double)L.done / secs : 0.0, started, have + L.done);
    if (rc != 0)
        goto done;

    /* a sample for benchmarks: record id, full student number, school */
    for (int i = 0; i < sample && i < L.nsample; i++) {
        app_arena *x = app_arena_new();
        core_op op = {.env = &env, .arena = x};
        db_student s;
        int found = 0;
        const char *bidx = core_student_bidx(&op, "stuno", L.sample[i][0]);
        if (db_student_get_by_stuno(db, bidx, 0, x, &s, &found, &err) == 0 && found)
            printf("%lld\t%s\t%s\n", s.id, L.sample[i][0], L.sample[i][1]);
        app_arena_free(x);
    }

done:
    if (rc != 0)
        fprintf(stderr, "xuejictl: demo: students: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
    core_demo_ids_free(L.ids);
    pthread_mutex_destroy(&L.lock);
    app_arena_free(a);
    core_codes_free(codes);
    core_pii_ring_free(ring);
    return rc == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ gen-import */

/*
 * `xuejictl gen-import` writes an upload for POST /imports?mode=create: the
 * template's header row and `rows` students of `school` in grade `grade`,
 * classes first..last in turn, made by core/demo.h (so every record passes
 * core_record_validate, the first ones are checked here). Their ID numbers
 * have the school's county as address code and are unique in the file and
 * against the students stored (read from their masks, as `demo` does), so a
 * second file made after the first was imported is new as well. The data
 * keys are not needed: nothing is decrypted or written.
 */
static int
cmd_gen_import(long long rows, const char *school, const char *format, int grade, int first,
               int last, const char *out_path)
{
    app_err err = {0};
    db_conn *db = connect_env(&err);
    app_arena *a = app_arena_new();
    core_codes *codes = NULL;
    core_demo_ids *ids = NULL;
    base_buf csv = {0};
    fmt_xlsx_writer *w = NULL;
    unsigned char *file = NULL;
    size_t file_len = 0;
    db_school sc;
    int found = 0, rc = db_conn_ok(db) ? 0 : APP_EUNAVAIL;
    if (rc == 0)
        rc = db_school_get(db, school, a, &sc, &found, &err);
    if (rc == 0 && !found)
        rc = app_err_set(&err, APP_ENOTFOUND, "school_not_found", "no school %s", school);
    if (rc == 0)
        rc = core_codes_load(db, &codes, &err);
    if (rc != 0)
        goto done;

    int today = core_today(), school_year = core_demo_school_year(today);
    core_demo_class k;
    memset(&k, 0, sizeof(k));
    snprintf(k.school, sizeof(k.school), "%s", sc.code);
    snprintf(k.county, sizeof(k.county), "%s", sc.county);
    snprintf(k.system, sizeof(k.system), "%s", sc.system ? sc.system : "63");
    k.category = sc.category;
    k.grade = grade;
    int schooling = core_demo_schooling_year(grade, k.system);
    if (schooling == 0) {
        rc = app_err_set(&err, APP_EINVAL, "invalid_grade", "grade %d does not exist in system %s",
                         grade, k.system);
        goto done;
    }
    int from, until;
    core_demo_birth_window(schooling, school_year, &from, &until);
    const char *county = k.county;
    ids = core_demo_ids_new(&county, 1, from, until);
    if ((rc = db_student_id_masks(db, mark_stored, ids, &err)) != 0)
        goto done;

    int ncols = core_template_ncols();
    const char *cells[CORE_TEMPLATE_MAX_COLS];
    char titles[CORE_TEMPLATE_MAX_COLS][64];
    for (int c = 0; c < ncols; c++) {
        core_template_title(c, titles[c], sizeof(titles[c]));
        cells[c] = titles[c];
    }
    int xlsx = strcmp(format, "xlsx") == 0;
    if (xlsx) {
        w = fmt_xlsx_writer_new();
        fmt_xlsx_sheet_opts o = {NULL, 0, 1, 0};
        rc = fmt_xlsx_writer_sheet(w, CORE_TEMPLATE_SHEET, &o, &err);
        if (rc == 0)
            rc = fmt_xlsx_writer_row(w, cells, (size_t)ncols, &err);
    } else {
        fmt_csv_write_bom(&csv);
        fmt_csv_write_row(&csv, cells, (size_t)ncols);
    }
    core_demo_rng rng;
    uint64_t seed;
    randombytes_buf(&seed, sizeof(seed));
    core_demo_rng_seed(&rng, seed);
    for (long long i = 0; rc == 0 && i < rows; i++) {
        k.number = first + (int)(i % (last - first + 1));
        core_demo_student st;
        if (core_demo_student_make(&rng, ids, &k, school_year, &st) != 0) {
            rc = app_err_set(&err, APP_ECONFLICT, "id_space_full",
                             "no free ID number left for grade %d in county %s after %lld rows "
                             "(use another grade)",
                             grade, k.county, i);
            break;
        }
        if (i < 200) {
            core_record copy = st.rec;
            core_record_rules rules = {codes, today, NULL, 0};
            app_arena *x = app_arena_new();
            rc = core_record_validate(&copy, &rules, x, NULL, &err);
            app_arena_free(x);
            if (rc != 0) {
                fprintf(stderr, "xuejictl: gen-import: generated record invalid: %s %s\n",
                        err.items[0].field, err.items[0].code);
                break;
            }
        }
        for (int c = 0; c < ncols; c++) {
            int f = core_template_field(c);
            cells[c] = f >= 0 ? st.rec.v[f] : NULL;
        }
        if (xlsx)
            rc = fmt_xlsx_writer_row(w, cells, (size_t)ncols, &err);
        else
            fmt_csv_write_row(&csv, cells, (size_t)ncols);
    }
    if (rc != 0)
        goto done;
    if (xlsx) {
        if ((rc = fmt_xlsx_writer_finish(w, &file, &file_len, &err)) != 0)
            goto done;
    } else {
        file = base_buf_steal(&csv, &file_len);
    }
    FILE *out = out_path ? fopen(out_path, "wb") : stdout;
    if (out == NULL || fwrite(file, 1, file_len, out) != file_len ||
        (out_path ? fclose(out) : fflush(out)) != 0) {
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "cannot write %s",
                         out_path ? out_path : "stdout");
        goto done;
    }
    fprintf(stderr, "gen-import: %lld students of %s (county %s), grade %d classes %d-%d: %zu bytes of %s\n",
            rows, sc.code, sc.county, grade, first, last, file_len, format);
done:
    if (rc != 0)
        fprintf(stderr, "xuejictl: gen-import: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
    free(file);
    base_buf_free(&csv);
    fmt_xlsx_writer_free(w);
    core_demo_ids_free(ids);
    core_codes_free(codes);
    app_arena_free(a);
    db_conn_close(db);
    return rc == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ rekey */

#define REKEY_FILE_BYTES (64u << 20) /* stored bytes of files re-encrypted per transaction */

/* Stored files (import uploads, evidence, photos; docs/decisions/0013):
   those in clear and those under an old key, `batch` files or about
   REKEY_FILE_BYTES per transaction. Adds to *done and *left. */
static int
rekey_files(db_conn *db, const core_pii_ring *ring, int batch, long long *done, long long *left,
            app_err *err)
{
    long long total = 0, n0 = *done;
    int rc = core_files_count_to_seal(db, ring, &total, err);
    if (rc == 0)
        printf("rekey: %lld stored files to seal under key %08llx\n", total,
               (long long)core_pii_key_id(ring, 0));
    while (rc == 0) {
        int n = 0;
        rc = core_files_seal(db, ring, 0, batch, REKEY_FILE_BYTES, &n, err);
        if (rc != 0 || n == 0)
            break;
        *done += n;
    }
    long long rest = 0;
    if (rc == 0)
        rc = core_files_count_to_seal(db, ring, &rest, err);
    if (rc == 0)
        printf("rekey: %lld stored files sealed\n", *done - n0);
    *left += rest;
    return rc;
}

/*
 * Key rotation, step 2 (docs/decisions/0005): with XUEJI_DATA_KEY = the new
 * key and XUEJI_DATA_KEYS_OLD = the old ones, re-encrypt the rows still
 * under an old key, `batch` rows per transaction, until none is left; then
 * the stored files the same way (and those still in clear).
 */
static int
cmd_rekey(int batch)
{
    app_err err = {0};
    core_pii_ring *ring = load_ring();
    if (ring == NULL)
        return 1;
    db_conn *db = connect_env(&err);
    core_env env = {NULL, ring};
    long long key = (long long)core_pii_key_id(ring, 0), total = 0, done = 0, left = 0;
    long long files = 0;
    int rc = db_conn_ok(db) ? 0 : APP_EUNAVAIL;
    if (rc == 0 && core_student_init() != 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "field catalog columns");
    if (rc == 0)
        rc = db_student_count_not_under(db, key, &total, &err);
    if (rc == 0)
        printf("rekey: %lld rows to re-encrypt under key %08llx (%d keys in the ring)\n", total,
               key, core_pii_ring_count(ring));
    double t0 = now_s(), last = t0;
    while (rc == 0) {
        int n = 0;
        rc = core_student_rekey(db, &env, batch, &n, &err);
        if (rc != 0 || n == 0)
            break;
        done += n;
        double t = now_s();
        if (t - last >= 5) {
            last = t;
            fprintf(stderr, "rekey: %lld/%lld rows (%.0f rows/s)\n", done, total,
                    (double)done / (t - t0));
        }
    }
    double secs = now_s() - t0;
    if (rc == 0)
        rc = db_student_count_not_under(db, key, &left, &err);
    if (rc == 0)
        rc = rekey_files(db, ring, batch, &files, &left, &err);
    if (done + files > 0) {
        char detail[128], target[16];
        snprintf(detail, sizeof(detail), "{\"rows\":%lld,\"files\":%lld,\"left\":%lld}", done,
                 files, left);
        snprintf(target, sizeof(target), "%08llx", key);
        db_audit e = {.action = "data_rekey", .target_type = "data_key", .target_id = target,
                      .detail_json = detail};
        app_err e2 = {0};
        if (db_audit_insert(db, &e, &e2) != 0)
            fprintf(stderr, "xuejictl: rekey: audit entry: %s\n", e2.detail);
    }
    db_conn_close(db);
    core_pii_ring_free(ring);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: rekey: %s after %lld rows and %lld files%s\n",
                err.detail[0] ? err.detail : app_code_name(err.code), done, files,
                strstr(err.detail, "decrypt") ? " (a row is under a key that is not in the "
                                                "ring: add it to XUEJI_DATA_KEYS_OLD)"
                                              : "");
        return 1;
    }
    printf("rekey: %lld rows re-encrypted in %.1f s (%.0f rows/s)\n", done, secs,
           secs > 0 ? (double)done / secs : 0.0);
    if (left > 0) {
        printf("rekey: %lld rows or files are left (locked by running transactions): run it "
               "again\n",
               left);
        return 1;
    }
    printf("rekey: 0 rows left: every row and stored file is under key %08llx; the old keys "
           "may now be removed from XUEJI_DATA_KEYS_OLD\n",
           key);
    return 0;
}

static int
cmd_demo(long long students, int jobs, int sample)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    url = url ? url : "postgresql:///xueji";
    app_err err = {0};
    db_conn *db = db_conn_open(url, &err);
    int applied = 0;
    int rc = db_conn_ok(db) ? db_migrate(db, &applied, &err) : APP_EUNAVAIL;
    app_arena *a = app_arena_new();
    demo_counts made = {0};
    if (rc == 0)
        rc = db_begin(db, &err);
    if (rc == 0)
        rc = demo_load(db, a, &made, &err);
    if (rc == 0)
        rc = db_commit(db, &err);
    if (rc != 0) {
        db_rollback(db);
        fprintf(stderr, "xuejictl: demo: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
        app_arena_free(a);
        db_conn_close(db);
        return 1;
    }
    printf("demo: %d schools, %d classes, %d accounts, %d region settings created%s\n",
           made.schools, made.classes, made.accounts, made.settings,
           made.schools + made.classes + made.accounts + made.settings == 0
               ? " (already loaded)"
               : "");
    printf("\n  %-20s %-9s %-18s %-11s %s\n", "username", "role", "staff_role", "org", "org name");
    for (size_t i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
        const demo_account *d = &demo_accounts[i];
        char staff[32];
        if (d->grade)
            snprintf(staff, sizeof(staff), "%s %d", d->staff_role, d->grade);
        else if (d->class_grade)
            snprintf(staff, sizeof(staff), "%s %d-1", d->staff_role, d->class_grade);
        else
            snprintf(staff, sizeof(staff), "%s", d->staff_role ? d->staff_role : "-");
        printf("  %-20s %-9s %-18s %-11s %s\n", d->username, d->role, staff, d->org,
               demo_org_name(d->org));
    }
    printf("\n  demo password (every account above): %s\n", DEMO_PASSWORD);
    app_arena_free(a);
    int status = students > 0 ? demo_students(db, url, students, jobs, sample) : 0;
    db_conn_close(db);
    return status;
}

/* A whole number option value from 0 to max, or -1. */
static long long
number_arg(const char *s, long long max)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && *end == '\0' && v >= 0 && v <= max ? v : -1;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "migrate") == 0)
        return cmd_migrate();
    if (strcmp(argv[1], "check-id") == 0 && argc == 3)
        return cmd_check_id(argv[2]);
    if (strcmp(argv[1], "demo") == 0) {
        long long students = 0, jobs = 2, sample = 0;
        for (int i = 2; i < argc; i += 2) {
            long long *v = strcmp(argv[i], "--students") == 0 ? &students
                           : strcmp(argv[i], "--jobs") == 0   ? &jobs
                           : strcmp(argv[i], "--print-sample") == 0 ? &sample
                                                                    : NULL;
            if (v == NULL || i + 1 >= argc || (*v = number_arg(argv[i + 1], 100000000)) < 0)
                return usage(stderr);
        }
        if (sample > SAMPLE_MAX || jobs < 1 || jobs > 8) {
            fprintf(stderr, "xuejictl: demo: --jobs 1..8, --print-sample up to %d\n", SAMPLE_MAX);
            return 2;
        }
        return cmd_demo(students, (int)jobs, (int)sample);
    }
    if (strcmp(argv[1], "rekey") == 0) {
        long long batch = 1000;
        if (argc == 4 && strcmp(argv[2], "--batch") == 0)
            batch = number_arg(argv[3], 100000);
        else if (argc != 2)
            return usage(stderr);
        if (batch < 1)
            return usage(stderr);
        return cmd_rekey((int)batch);
    }
    if (strcmp(argv[1], "gen-import") == 0) {
        long long rows = -1, grade = 14;
        int first = 91, last = 98;
        const char *school = NULL, *format = NULL, *out_path = NULL;
        for (int i = 2; i < argc; i += 2) {
            if (i + 1 >= argc)
                return usage(stderr);
            const char *v = argv[i + 1];
            if (strcmp(argv[i], "--rows") == 0)
                rows = number_arg(v, 1048575);
            else if (strcmp(argv[i], "--grade") == 0)
                grade = number_arg(v, 99);
            else if (strcmp(argv[i], "--school") == 0)
                school = v;
            else if (strcmp(argv[i], "--format") == 0)
                format = v;
            else if (strcmp(argv[i], "--out") == 0)
                out_path = v;
            else if (strcmp(argv[i], "--classes") == 0) {
                int n = 0;
                if (sscanf(v, "%d-%d%n", &first, &last, &n) != 2 || v[n] != '\0')
                    return usage(stderr);
            } else
                return usage(stderr);
        }
        if (rows < 0 || grade < 0 || school == NULL || format == NULL ||
            (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) || first < 1 ||
            last > 99 || first > last) {
            fprintf(stderr, "xuejictl: gen-import: --rows N (up to 1048575), --school CODE, "
                            "--format csv|xlsx; --classes A-B within 1-99\n");
            return 2;
        }
        return cmd_gen_import(rows, school, format, (int)grade, first, last, out_path);
    }
    if (strcmp(argv[1], "audit") == 0 && argc == 3 && strcmp(argv[2], "verify") == 0)
        return cmd_audit_verify();
    return usage(stderr);
}
