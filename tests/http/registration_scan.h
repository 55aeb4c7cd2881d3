/*
 * tests/http/registration_scan.h - the plaintext scan that ends each
 * registration suite (no plaintext ID or phone number that the suite sent is
 * in the database, the uploads at rest or the server's log), and the uploads
 * it sends first. Part of tests/http/registration_world.h (included there,
 * after the world).
 */
#ifndef TESTS_HTTP_REGISTRATION_SCAN_H
#define TESTS_HTTP_REGISTRATION_SCAN_H

/* Every plaintext value noted so far (malloc'd array of malloc'd strings). */
static char **
noted_pii(int *out_n)
{
    FILE *f = fopen(pii_path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", pii_path);
    int n = 0, cap = 64;
    char **v = malloc(sizeof(char *) * (size_t)cap);
    char line[64];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (n == cap) {
            cap *= 2;
            v = realloc(v, sizeof(char *) * (size_t)cap);
        }
        v[n++] = strdup(line);
    }
    fclose(f);
    *out_n = n;
    return v;
}

/* The first noted plaintext value in text[0..len) (binary: NULs allowed), into found. */
static void
find_plaintext(const char *text, size_t len, char found[64])
{
    int n = 0;
    char **v = noted_pii(&n);
    ck_assert_int_gt(n, 0);
    const char *hit = NULL;
    for (int i = 0; i < n && hit == NULL; i++)
        if (memmem(text, len, v[i], strlen(v[i])) != NULL)
            hit = v[i];
    found[0] = '\0';
    if (hit)
        snprintf(found, 64, "%s", hit);
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void
assert_no_plaintext_n(const char *what, const char *text, size_t len)
{
    char found[64];
    find_plaintext(text, len, found);
    ck_assert_msg(found[0] == '\0', "%s holds the plaintext %s", what, found);
}

static void
assert_no_plaintext(const char *what, const char *text)
{
    assert_no_plaintext_n(what, text, strlen(text));
}

/* A growing binary buffer. */
typedef struct bytes {
    char *p;
    size_t n, cap;
} bytes;

static void
dump_add(bytes *d, const void *p, size_t n)
{
    while (d->n + n + 2 > d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1 << 20;
        d->p = realloc(d->p, d->cap);
    }
    memcpy(d->p + d->n, p, n);
    d->n += n;
    d->p[d->n++] = '\n';
    d->p[d->n] = '\0';
}

/* The value as it is, and when it is a zip (an xlsx), every entry inflated:
   compressed text hides its digits from a plain search. */
static void
dump_value(bytes *d, const unsigned char *v, size_t n)
{
    dump_add(d, v, n);
    fmt_zip *z = NULL;
    if (n < 4 || memcmp(v, "PK\3\4", 4) != 0 || fmt_zip_open(v, n, NULL, &z, NULL) != 0)
        return;
    for (size_t i = 0; i < fmt_zip_count(z); i++) {
        unsigned char *e = NULL;
        size_t en = 0;
        if (fmt_zip_read_all(z, i, 64u << 20, &e, &en, NULL) == 0)
            dump_add(d, e, en);
        free(e);
    }
    fmt_zip_close(z);
}

/* Every bytea column's values as bytes (as text they are hex, which hides
   any plaintext in them), unzipped when they are zips, each column checked
   on its own; *out_n counts the values. */
static void
assert_bytea_clean(long long *out_n)
{
    PGresult *c = PQexec(tdb(), "SELECT table_name, column_name FROM information_schema.columns"
                                " WHERE table_schema = 'public' AND data_type = 'bytea'"
                                " ORDER BY 1, 2");
    ck_assert_int_eq(PQresultStatus(c), PGRES_TUPLES_OK);
    *out_n = 0;
    for (int i = 0; i < PQntuples(c); i++) {
        char sql[256], what[128];
        snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM public.\"%s\" WHERE \"%s\" IS NOT NULL",
                 PQgetvalue(c, i, 1), PQgetvalue(c, i, 0), PQgetvalue(c, i, 1));
        snprintf(what, sizeof(what), "the database's %s.%s", PQgetvalue(c, i, 0),
                 PQgetvalue(c, i, 1));
        PGresult *r = PQexecParams(tdb(), sql, 0, NULL, NULL, NULL, NULL, 1);
        ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
        bytes d = {0};
        for (int j = 0; j < PQntuples(r); j++)
            dump_value(&d, (const unsigned char *)PQgetvalue(r, j, 0),
                       (size_t)PQgetlength(r, j, 0));
        *out_n += PQntuples(r);
        PQclear(r);
        if (d.n > 0)
            assert_no_plaintext_n(what, d.p, d.n);
        free(d.p);
    }
    PQclear(c);
}

/* Every row of every table in the public schema, as text (caller frees). */
static char *
dump_database(void)
{
    PGresult *t = PQexec(tdb(), "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                " ORDER BY 1");
    ck_assert_int_eq(PQresultStatus(t), PGRES_TUPLES_OK);
    bytes d = {0};
    for (int i = 0; i < PQntuples(t); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "SELECT coalesce(string_agg(x::text, E'\\n'), '') FROM public.\"%s\" x",
                 PQgetvalue(t, i, 0));
        PGresult *r = PQexec(tdb(), sql);
        ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
        dump_add(&d, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
        PQclear(r);
    }
    PQclear(t);
    return d.p;
}

/* A request as `who` with a body of type `ctype` and one optional extra header. */
static void
call_bytes(const char *method, const char *path, int who, const char *ctype, const void *body,
           size_t len, const char *extra, ht_resp *out)
{
    char auth[1100], type[96];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    snprintf(type, sizeof(type), "Content-Type: %s", ctype);
    const char *h[] = {auth, type, extra, NULL};
    ck_assert_int_eq(ht_request(srv, method, path, h, body, len, out), 0);
}

/* The import template's column of field `json` (member 0: the student, 1: the first
   family member). */
static int
tpl_col(const char *json, int member)
{
    int f = core_field_index(member, json);
    ck_assert_msg(f >= 0, "no field %s", json);
    for (int c = 0; c < core_template_ncols(); c++)
        if (core_template_field(c) == f)
            return c;
    ck_abort_msg("field %s has no column", json);
    return -1;
}

/* The import template's header and one row of `s` (its numbers in clear), as
   CSV or xlsx (malloc'd). The other columns are empty: the row is rejected,
   and the file is kept for its errors file. */
static unsigned char *
import_file(const stu *s, int xlsx, size_t *len)
{
    int n = core_template_ncols();
    char **head = calloc((size_t)n, sizeof(char *));
    const char **row = calloc((size_t)n, sizeof(char *));
    for (int c = 0; c < n; c++) {
        head[c] = malloc(64);
        core_template_title(c, head[c], 64);
        row[c] = "";
    }
    row[tpl_col("name", 0)] = s->name;
    row[tpl_col("id_type", 0)] = "1";
    row[tpl_col("id_number", 0)] = s->id;
    row[tpl_col("phone", 0)] = s->phone;
    row[tpl_col("phone", 1)] = s->gphone;
    unsigned char *out = NULL;
    if (xlsx) {
        fmt_xlsx_writer *w = fmt_xlsx_writer_new();
        ck_assert_int_eq(fmt_xlsx_writer_sheet(w, CORE_TEMPLATE_SHEET, NULL, NULL), 0);
        ck_assert_int_eq(fmt_xlsx_writer_row(w, (const char *const *)head, (size_t)n, NULL), 0);
        ck_assert_int_eq(fmt_xlsx_writer_row(w, row, (size_t)n, NULL), 0);
        ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, len, NULL), 0);
        fmt_xlsx_writer_free(w);
    } else {
        base_buf b = {0};
        fmt_csv_write_bom(&b);
        fmt_csv_write_row(&b, (const char *const *)head, (size_t)n);
        fmt_csv_write_row(&b, row, (size_t)n);
        out = (unsigned char *)b.p;
        *len = b.n;
    }
    for (int c = 0; c < n; c++)
        free(head[c]);
    free(head);
    free(row);
    return out;
}

/* POST /imports (mode create) of `s`'s row as REG_A; waits for the job's end. */
static void
import_of(const stu *s, int xlsx)
{
    size_t len = 0;
    unsigned char *f = import_file(s, xlsx, &len);
    ht_resp r;
    call_bytes("POST", "/api/v1/imports?mode=create", REG_A, "application/octet-stream", f, len,
               NULL, &r);
    free(f);
    ck_assert_msg(r.status == 202, "POST /imports: %ld %s", r.status, r.body);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/imports/%lld",
             (long long)json_integer_value(json_object_get(r.json, "id")));
    ht_resp_free(&r);
    for (int i = 0; i < 600; i++) {
        call("GET", path, REG_A, NULL, NULL, &r);
        ck_assert_int_eq(r.status, 200);
        const char *st = ht_json_str(r.json, "state");
        int end = strcmp(st, "done") == 0 || strcmp(st, "failed") == 0;
        ht_resp_free(&r);
        if (end)
            return;
        ht_sleep_ms(100);
    }
    ck_abort_msg("import %s did not finish", path);
}

/* Evidence (POST /files): a PDF that carries `s`'s numbers in clear. */
static void
evidence_of(const stu *s)
{
    char pdf[256];
    int n = snprintf(pdf, sizeof(pdf), "%%PDF-1.4\n%% 户口簿 %s %s 监护人 %s\n%%%%EOF\n", s->id,
                     s->phone, s->gid);
    ht_resp r;
    call_bytes("POST", "/api/v1/files", REG_A, "application/pdf", pdf, (size_t)n, NULL, &r);
    ck_assert_msg(r.status == 201, "POST /files: %ld %s", r.status, r.body);
    ht_resp_free(&r);
}

/* A photo of student `id` (`s`, registered): a PNG whose bytes after IEND carry its ID
   number in clear (as a photo's metadata may). */
static void
photo_of(long long id, const stu *s)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char png[300];
    memset(png, 0, sizeof(png));
    memcpy(png, sig, 8);
    unsigned char *p = png + 8;
    p[3] = 13;
    memcpy(p + 4, "IHDR", 4);
    p[10] = 0; /* 120 x 160 */
    p[11] = 120;
    p[15] = 160;
    p[16] = 8; /* bit depth */
    p[17] = 2; /* truecolour */
    memcpy(p + 25 + 4, "IEND", 4);
    snprintf((char *)p + 25 + 16, 100, "%s %s", s->id, s->phone);
    ht_resp r;
    char path[96], im[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    call("GET", path, REG_A, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(im, sizeof(im), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%lld/photo", id);
    call_bytes("PUT", path, REG_A, "image/png", png, sizeof(png), im, &r);
    ck_assert_msg(r.status == 204, "PUT photo: %ld %s", r.status, r.body);
    ht_resp_free(&r);
    /* read back whole, as it was sent */
    call("GET", path, REG_A, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, sizeof(png));
    ck_assert(memcmp(r.body, png, sizeof(png)) == 0);
    ht_resp_free(&r);
}

/*
 * Rule 27: ID and phone numbers are stored only as ciphertext and masks, and
 * never logged. Runs last: it reads what every test before it wrote.
 */
START_TEST(test_no_plaintext_anywhere)
{
    /* one more of each path with everything: approved (a G number), revealed, refused */
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    ht_resp_free(&r);
    approve_ok(COUNTY, rid, 1, "approved");
    get_student_id(REG_A, id, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id);
    ht_resp_free(&r);
    char key[40];
    snprintf(key, sizeof(key), "G%s", s.id);
    get_student(COUNTY, key, 1, &r);
    ht_resp_free(&r);
    stu t;
    stu_new(&t);
    json_t *b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    /* a key of this run: both registration suites run this scan on one database */
    char idem[64];
    snprintf(idem, sizeof(idem), "Idempotency-Key: rg-pii-refused-%lld", next_n());
    post_student(REG_C, b, idem, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
    char body[128];
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.id);
    call("POST", "/api/v1/students/lookup", REG_C, body, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    /* files that carry the numbers: an import as CSV and as xlsx, evidence, a photo */
    stu u1, u2, u3;
    stu_new(&u1);
    stu_new(&u2);
    stu_new(&u3);
    import_of(&u1, 0);
    import_of(&u2, 1);
    evidence_of(&u3);
    photo_of(id, &s);

    char *dump = dump_database();
    /* the scan sees the data: masks are there */
    char m[32];
    mask_id(s.id, m);
    ck_assert_msg(strstr(dump, m) != NULL, "the dump lacks the mask %s", m);
    mask_phone(s.phone, m);
    ck_assert_msg(strstr(dump, m) != NULL, "the dump lacks the mask %s", m);
    assert_no_plaintext("the database", dump);
    free(dump);
    /* bytea decoded and zips opened: the uploads, evidence and photo are there, sealed */
    long long nbytea = 0;
    assert_bytea_clean(&nbytea);
    ck_assert_int_ge(nbytea, 4);

    char *log = ht_server_log(srv);
    ck_assert_msg(strlen(log) > 0, "empty server log %s", ht_server_log_path(srv));
    assert_no_plaintext("the server log", log);
    free(log);
}
END_TEST

#endif
