/*
 * core/import_job.c - running an import job (see core/import.h).
 */
#include "core/class_file.h"
#include "core/files.h"
#include "core/import.h"
#include "core/uni_catalog.h"
#include "core/uni_catalog_file.h"
#include "core/uni_file.h"
#include "db/keylock.h"
#include "db/student.h"
#include "formats/csv.h"
#include "formats/xlsx.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile int core_import_stop;
int core_import_fault_crash;
int core_import_batch = CORE_IMPORT_BATCH_CREATE;

/* A data row of the batch being gathered (mode create registers a batch at once). */
typedef struct pending {
    long row;
    int rc; /* the row's own error (normalisation), 0 when it goes to registration */
    core_record rec;
} pending;

typedef struct run {
    db_conn *db;
    const core_op *op;
    db_import *job;
    core_import_message_fn message;
    void *ctx;
    core_import_map map;
    int have_header, in_tx, batch, failed_header;
    int classes;             /* mode classes: the class assignment file (core/class_file.h) */
    int uni;                 /* mode uni_students: the university student file (core/uni_file.h) */
    app_arena *refs_arena;   /* mode uni_students: the university's colleges and majors, */
    core_uni_file_refs refs; /* loaded at its first good row */
    const core_catfile *cat; /* modes courses, plans, sections (core/uni_catalog_file.h) */
    int counted;             /* job->errors_total when errors were last written */
    app_arena *earena;       /* the messages of the errors not yet written */
    base_buf ebuf;           /* those errors as COPY text (db_import_error_encode) */
    FILE *spool;             /* an atomic job's errors, written when it ends */
    core_op rop;             /* op with a per-batch arena: the rows' records and checks */
    app_err *err;
    pending *pend; /* mode create: the batch's rows, in order */
    app_err *perr; /* their errors */
    core_reg *regs;
    int npend, cap;
} run;

/* A fresh arena for the next rows (memory stays flat over a large file). */
static void
next_batch(run *r)
{
    app_arena_free(r->rop.arena);
    r->rop.arena = app_arena_new();
}

static void
add_error(run *r, long row, int col, const char *field, const char *code, const char *param)
{
    char header[64] = "", letter[4] = "";
    if (col >= 0 && r->cat) {
        snprintf(header, sizeof(header), "%s", core_catfile_title(r->cat, col));
        fmt_sheet_col_name(col, letter);
    } else if (col >= 0 && (r->classes || r->uni)) {
        snprintf(header, sizeof(header), "%s",
                 r->uni ? core_uni_file_title(col) : core_class_file_title(col));
        fmt_sheet_col_name(col, letter);
    } else if (col >= 0) {
        core_template_title(col, header, sizeof(header));
        fmt_sheet_col_name(col, letter);
    }
    if (r->earena == NULL)
        r->earena = app_arena_new();
    db_import_error e = {
        .seq = ++r->job->errors_total,
        .row = (int)row,
        .column = letter[0] ? letter : NULL,
        .header = header[0] ? header : NULL,
        .field = field && *field ? field : NULL,
        .code = code,
        .param = param && *param ? param : NULL,
        .message = r->message(r->ctx, r->earena, row, col, header, code, param ? param : ""),
    };
    size_t n = db_import_error_encode(NULL, 0, r->job->id, &e);
    base_buf_reserve(&r->ebuf, n);
    r->ebuf.n += db_import_error_encode((char *)r->ebuf.p + r->ebuf.n, n, r->job->id, &e);
    r->ebuf.p[r->ebuf.n] = '\0';
}

/* The errors gathered are written (or spooled): forget them. */
static void
errors_clear(run *r)
{
    base_buf_reset(&r->ebuf);
    app_arena_free(r->earena);
    r->earena = NULL;
}

/* An atomic job's errors wait in a temporary file: its transaction, errors
   and all, is rolled back when a row is rejected. */
static int
spool(run *r)
{
    if (r->ebuf.n == 0)
        return 0;
    if (r->spool == NULL && (r->spool = tmpfile()) == NULL)
        return app_err_set(r->err, APP_EINTERNAL, NULL, "no temporary file for import errors");
    if (fwrite(r->ebuf.p, 1, r->ebuf.n, r->spool) != r->ebuf.n)
        return app_err_set(r->err, APP_EINTERNAL, NULL, "cannot write import errors' file");
    errors_clear(r);
    return 0;
}

#define SPOOL_CHUNK (1 << 20)

/* Write the spooled errors, whole lines of up to SPOOL_CHUNK bytes at a time. */
static int
unspool(run *r)
{
    if (r->spool == NULL)
        return 0;
    rewind(r->spool);
    char *chunk = xmalloc(SPOOL_CHUNK);
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, SPOOL_CHUNK, r->spool)) > 0) {
        size_t cut = n;
        while (n == SPOOL_CHUNK && cut > 0 && chunk[cut - 1] != '\n')
            cut--;
        if (cut == 0)
            rc = app_err_set(r->err, APP_EINTERNAL, NULL, "an import error line too long");
        else if ((rc = db_import_errors_write(r->db, chunk, cut, r->err)) == 0 && cut < n)
            fseek(r->spool, (long)cut - (long)n, SEEK_CUR);
    }
    free(chunk);
    fclose(r->spool);
    r->spool = NULL;
    return rc;
}

/* The column of the file that holds the field at JSON pointer `p`, or -1. */
static int
column_of(const run *r, const char *p)
{
    if (p == NULL || p[0] == '\0')
        return -1;
    if (r->classes)
        return core_class_file_column_of(p);
    if (r->uni)
        return core_uni_file_column_of(p);
    if (r->cat)
        return core_catfile_column_of(r->cat, p);
    int f = core_field_by_pointer(p);
    return f >= 0 ? core_import_column_of(&r->map, f) : -1;
}

/* Every item of `e` as an error of `row`, by the column that holds its field. */
static void
add_errors(run *r, long row, const app_err *e)
{
    if (e->nitems == 0) {
        /* one error of the row (duplicate, full class ...): its field's column if it names one */
        add_error(r, row, column_of(r, e->field), e->field, e->slug ? e->slug : "internal_error",
                  e->param);
        return;
    }
    for (int i = 0; i < e->nitems; i++) {
        const app_err_item *it = &e->items[i];
        add_error(r, row, column_of(r, it->field), it->field, it->code, it->param);
    }
}

/* Write the errors gathered, then the job's progress; commit the batch
   (unless atomic). */
static int
flush(run *r)
{
    int rc = unspool(r);
    if (rc == 0)
        rc = db_import_errors_write(r->db, (const char *)r->ebuf.p, r->ebuf.n, r->err);
    errors_clear(r);
    if (rc == 0 && (rc = db_import_progress(r->db, r->job, r->counted, r->err)) == 0)
        r->counted = r->job->errors_total;
    if (rc == 0 && !r->job->atomic) {
        rc = db_commit(r->db, r->err);
        r->in_tx = 0;
    }
    r->batch = 0;
    return rc;
}

/* mode update: the record of this name and ID number, edited in its non-key
   fields; *out_changed = 0 when the row matched it and changed nothing. */
static int
update_row(run *r, core_record *rec, int *out_changed, app_err *e)
{
    *out_changed = 0;
    const char *type = rec->v[CORE_R_ID_TYPE], *number = rec->v[CORE_R_ID_NUMBER];
    if (rec->v[CORE_R_NAME] == NULL || type == NULL || number == NULL) {
        app_err_add(e, type ? "/id_number" : "/id_type", "missing_field", NULL);
        return APP_EINVAL;
    }
    int found = 0, visible = 0;
    core_student cur;
    int rc = core_student_lookup(r->db, &r->rop, type, number, &found, &visible, &cur, e);
    if (rc != 0)
        return rc;
    if (!found || !visible || strcmp(cur.school, r->job->school) != 0 ||
        strcmp(cur.rec.v[CORE_R_NAME] ? cur.rec.v[CORE_R_NAME] : "", rec->v[CORE_R_NAME]) != 0)
        return app_err_set(e, APP_ENOTFOUND, "no_matching_student", "row matches no record");
    unsigned char present[CORE_NFIELDS];
    memset(present, 0, sizeof(present));
    for (int i = 0; i < CORE_NFIELDS; i++)
        present[i] =
            rec->v[i] != NULL && i != CORE_R_ID_NUMBER && i != CORE_R_ID_TYPE && i != CORE_R_NAME;
    /* locked, at the version it has now: an edit or another import that
       changed it since the lookup is not this row's fault (docs/concurrency.md) */
    db_student now;
    if ((rc = db_student_get(r->db, cur.id, DB_STUDENT_LOCK, r->rop.arena, &now, &found, e)) != 0)
        return rc;
    if (!found)
        return app_err_set(e, APP_ENOTFOUND, "no_matching_student", "row matches no record");
    char key[24];
    snprintf(key, sizeof(key), "%lld", cur.id);
    core_student out;
    if ((rc = core_student_patch(r->db, &r->rop, key, now.version, rec, present, &out, e)) != 0)
        return rc;
    *out_changed = out.version != now.version;
    return 0;
}

/* Mode create: register the gathered rows together, then count and report
   them in row order. */
static int
register_pending(run *r)
{
    db_import *j = r->job;
    int m = 0;
    for (int i = 0; i < r->npend; i++)
        if (r->pend[i].rc == 0) {
            r->regs[m].rec = &r->pend[i].rec;
            r->regs[m].err = &r->perr[i];
            m++;
        }
    app_err e = {0};
    int rc = m ? core_student_register_many(r->db, &r->rop, r->regs, m, &e) : 0;
    if (rc != 0) {
        *r->err = e;
        return rc; /* not the rows' fault: the job stops and is resumed */
    }
    for (int i = 0, k = 0; i < r->npend; i++) {
        pending *p = &r->pend[i];
        int prc = p->rc ? p->rc : r->regs[k++].rc;
        if (prc != 0) {
            j->rejected++;
            add_errors(r, p->row, &r->perr[i]);
        } else {
            j->created++;
        }
    }
    r->npend = 0;
    return 0;
}

/* The file's first row: the template's header, or the whole file is refused. */
static int
header_row(run *r, const fmt_sheet_row *row)
{
    app_err e = {0};
    int bad = r->classes ? core_class_file_header(row, &e)
              : r->uni   ? core_uni_file_header(row, &e)
              : r->cat   ? core_catfile_header(r->cat, row, &e)
                         : core_import_header(row, &r->map, &e);
    if (bad != 0) {
        /* the whole file is not the template: say which columns */
        for (int i = 0; i < e.nitems; i++) {
            int col = 0;
            long rr;
            fmt_sheet_ref_parse(e.items[i].field, strlen(e.items[i].field), &col, &rr);
            add_error(r, row->row, col, "", e.items[i].code, e.items[i].param);
        }
        if (e.nitems == 0)
            add_error(r, row->row, -1, "", e.slug, e.param);
        r->failed_header = 1;
        return APP_EINVAL;
    }
    r->have_header = 1;
    return 0;
}

/* The batch's transaction, begun with the job locked if it is not yet. */
static int
batch_begin(run *r)
{
    if (r->in_tx)
        return 0;
    int rc = db_begin(r->db, r->err);
    if (rc == 0)
        rc = db_import_lock(r->db, r->job->id, r->err);
    if (rc != 0)
        return rc;
    r->in_tx = 1;
    return 0;
}

/* Mode update (rec) or classes (move): the row (rc: its reading) applied to
   its record and counted; an error not the row's own stops the job. */
static int
update_counted(run *r, long row, core_record *rec, const core_class_row *move, app_err *e, int rc)
{
    int changed = 0;
    if (rc == 0 && move != NULL)
        rc = core_class_move(r->db, &r->rop, r->job->school, move, &changed, e);
    else if (rc == 0)
        rc = update_row(r, rec, &changed, e);
    if (rc == APP_EUNAVAIL || rc == APP_EINTERNAL) {
        *r->err = *e;
        return rc; /* not the row's fault: the job stops and is resumed */
    }
    if (rc != 0) {
        r->job->rejected++;
        add_errors(r, row, e);
    } else if (changed) {
        r->job->updated++;
    } else {
        r->job->unchanged++;
    }
    return 0;
}

/* Mode uni_students: the row (rc: its reading) placed in its class and
   created as a university student, as POST /schools/{code}/uni-students
   would (a savepoint of the batch's transaction), and counted. */
static int
uni_counted(run *r, long row, core_uni_row *u, app_err *e, int rc)
{
    if (rc == 0 && r->refs_arena == NULL) {
        r->refs_arena = app_arena_new();
        app_err le = {0};
        if ((rc = core_uni_file_refs_load(r->db, r->job->school, r->refs_arena, &r->refs, &le)) !=
            0) {
            app_arena_free(r->refs_arena);
            r->refs_arena = NULL;
            *r->err = le;
            return rc;
        }
    }
    core_uni_student_new in;
    core_uni_student out;
    if (rc == 0)
        rc = core_uni_file_place(r->db, &r->rop, r->job->school, &r->refs, u, &in, e);
    if (rc == 0)
        rc = core_uni_student_create(r->db, &r->rop, r->job->school, &u->rec, &in, &out, e);
    if (rc == APP_EUNAVAIL || rc == APP_EINTERNAL) {
        *r->err = *e;
        return rc; /* not the row's fault: the job stops and is resumed */
    }
    if (rc != 0) {
        r->job->rejected++;
        add_errors(r, row, e);
    } else {
        r->job->created++;
    }
    return 0;
}

static int batch_count(run *r, int create);

/* Modes courses, plans, sections: the row read and applied as the
   registrar section's HTTP write would be (a savepoint of the batch's
   transaction), and counted. */
static int
cat_row(run *r, const fmt_sheet_row *row)
{
    db_import *j = r->job;
    app_err e = {0};
    int empty = 0, did = 0;
    int rc = core_catfile_row(r->cat, r->db, &r->rop, j->school, row, &empty, &did, &e);
    j->last_row = (int)row->row;
    if (empty) {
        j->skipped++;
        return 0;
    }
    j->total++;
    j->processed++;
    if (rc == APP_EUNAVAIL || rc == APP_EINTERNAL) {
        *r->err = e;
        return rc; /* not the row's fault: the job stops and is resumed */
    }
    if (rc != 0) {
        j->rejected++;
        add_errors(r, row->row, &e);
    } else if (did == CORE_UNI_CREATED) {
        j->created++;
    } else if (did == CORE_UNI_UPDATED) {
        j->updated++;
    } else {
        j->unchanged++;
    }
    return batch_count(r, 0);
}

/* One more row in the batch; a full batch is registered (mode create) and
   written: spooled when atomic, else committed. */
static int
batch_count(run *r, int create)
{
    int rc, size = create ? r->cap : CORE_IMPORT_BATCH;
    if (++r->batch < size)
        return 0;
    if (create && (rc = register_pending(r)) != 0)
        return rc;
    if (r->job->atomic) {
        r->batch = 0; /* a new arena for the next rows; one transaction still */
        return spool(r);
    }
    if ((rc = flush(r)) == 0 && core_import_fault_crash)
        raise(SIGKILL);
    return rc;
}

static int
on_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    run *r = ctx;
    (void)err;
    if (!r->have_header)
        return header_row(r, row);
    db_import *j = r->job;
    if (row->row <= j->last_row)
        return 0; /* committed by an earlier run of this job */
    if (core_import_stop)
        return app_err_set(r->err, APP_EUNAVAIL, NULL, "worker stopping");
    int rc = batch_begin(r);
    if (rc != 0)
        return rc;
    int create = strcmp(j->mode, "create") == 0;
    if (r->batch == 0)
        next_batch(r);
    if (r->cat)
        return cat_row(r, row);
    core_record one, *rec = &one;
    app_err e1 = {0}, *e = &e1;
    if (create) {
        rec = &r->pend[r->npend].rec;
        e = &r->perr[r->npend];
        memset(e, 0, sizeof(*e));
    }
    int empty = 0;
    core_class_row move;
    core_uni_row urow;
    if (r->classes)
        rc = core_class_file_row(row, r->rop.arena, &move, &empty, e);
    else if (r->uni)
        rc = core_uni_file_row(r->op->env->codes, row, r->rop.arena, &urow, &empty, e);
    else
        rc = core_import_row(r->op->env->codes, &r->map, row, r->rop.arena, rec, &empty, e);
    j->last_row = (int)row->row;
    if (empty) {
        j->skipped++;
        return 0;
    }
    j->total++;
    j->processed++;
    if (create) {
        r->pend[r->npend].row = row->row;
        r->pend[r->npend].rc = rc;
        r->npend++;
    } else if (r->uni) {
        if ((rc = uni_counted(r, row->row, &urow, e, rc)) != 0)
            return rc;
    } else if ((rc = update_counted(r, row->row, rec, r->classes ? &move : NULL, e, rc)) != 0) {
        return rc;
    }
    return batch_count(r, create);
}

/* End the job, done or failed with `failure`: the errors left, the
   progress, the state. An atomic job that is not in its transaction any
   more was rolled back: it starts from nothing but its errors. */
static int
end_job(run *r, const char *failure)
{
    db_conn *db = r->db;
    db_import *job = r->job;
    int rc;
    if (!r->in_tx) {
        if ((rc = db_begin(db, r->err)) != 0)
            return rc;
        r->in_tx = 1;
        if (job->atomic && (rc = db_import_reset(db, job->id, r->err)) != 0)
            goto fail;
        if (job->atomic)
            r->counted = 0;
    }
    if ((rc = flush(r)) != 0)
        goto fail;
    if (!r->in_tx && (rc = db_begin(db, r->err)) != 0)
        return rc;
    r->in_tx = 1;
    if ((rc = db_import_finish(db, job->id, failure ? "failed" : "done", failure, r->err)) != 0 ||
        (rc = db_commit(db, r->err)) != 0)
        goto fail;
    r->in_tx = 0;
    job->state = failure ? "failed" : "done";
    job->failure = failure;
    return 0;
fail:
    while (db_in_tx(db))
        db_rollback(db);
    r->in_tx = 0;
    return rc;
}

/* Read the file, each row through fn(ctx, ...). */
static int
read_file(run *r, fmt_sheet_row_fn fn, void *ctx, app_err *rerr)
{
    db_import *job = r->job;
    if (strcmp(job->format, "xlsx") == 0) {
        fmt_xlsx_limits lim = fmt_xlsx_limits_default();
        return fmt_xlsx_read(job->data, job->data_len, NULL, &lim, fn, ctx, rerr);
    }
    fmt_csv_limits lim = fmt_csv_limits_default();
    fmt_csv_encoding enc;
    return fmt_csv_read(job->data, job->data_len, &lim, fn, ctx, &enc, rerr);
}

/* Rows of the file (the header and empty rows too), up to one past the
   escalation threshold. */
static int
count_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)row;
    (void)err;
    int *n = ctx;
    return ++*n > DB_KEYLOCK_ESCALATE ? APP_ETOOLARGE : 0;
}

/* An atomic job holds its key locks to the end: past DB_KEYLOCK_ESCALATE
   rows its transaction escalates them from the first batch on (db/keylock.h,
   docs/concurrency.md). A file that does not read is left to the run. */
static int
escalate_if_large(run *r)
{
    int n = 0;
    app_err e = {0};
    if (read_file(r, count_row, &n, &e) != APP_ETOOLARGE)
        return 0;
    return db_keylocks_escalate(r->db, r->err);
}

/* The run itself; `r` is set up by core_import_run(). */
static int
go(run *r)
{
    db_conn *db = r->db;
    db_import *job = r->job;
    app_err *err = r->err;
    int rc;
    if (job->lost >= CORE_IMPORT_MAX_LOST) {
        /* its workers died with it twice: it may be what kills them */
        add_error(r, 0, -1, "", "import_worker_lost", NULL);
        return end_job(r, "import_worker_lost");
    }
    if (job->atomic) {
        /* nothing of an earlier attempt was committed: start over, holding
           the job's row (other workers skip it) */
        job->total = job->processed = job->last_row = 0;
        job->created = job->updated = job->unchanged = job->rejected = job->skipped = 0;
        job->errors_total = r->counted = 0;
        if ((rc = db_begin(db, err)) != 0 || (rc = db_import_reset(db, job->id, err)) != 0 ||
            (rc = escalate_if_large(r)) != 0)
            return rc;
        r->in_tx = 1;
    }
    app_err rerr = {0};
    rc = read_file(r, on_row, r, &rerr);
    if (r->npend > 0 && rc != APP_EUNAVAIL && rc != APP_EINTERNAL) {
        /* the rows read before the end (or before a broken part of the file) */
        int prc = register_pending(r);
        if (prc != 0)
            rc = prc;
    }
    if (rc == APP_EUNAVAIL || (rc == APP_EINTERNAL && !r->failed_header)) {
        while (db_in_tx(db))
            db_rollback(db);
        if (err->code == APP_OK)
            *err = rerr;
        if (core_import_stop) /* handed back: the next worker resumes at once */
            db_import_finish(db, job->id, "queued", NULL, &rerr);
        return rc;
    }
    const char *failure = NULL;
    if (r->failed_header) {
        failure = "template_mismatch";
    } else if (rc != 0) {
        /* the file itself is broken (not a zip, bad XML, bad encoding ...) */
        add_error(r, 0, -1, "", rerr.slug ? rerr.slug : "xlsx_malformed", rerr.param);
        failure = rerr.slug ? rerr.slug : "xlsx_malformed";
    } else if (!r->have_header) {
        add_error(r, 0, -1, "", "import_empty", NULL);
        failure = "import_empty";
    } else if (job->total == 0) {
        /* the template as downloaded: nothing to do, and the clerk should know */
        add_error(r, 0, -1, "", "import_no_rows", NULL);
        failure = "import_no_rows";
    }
    if (job->atomic && (failure || job->rejected > 0)) {
        /* all or nothing: nothing; keep the errors and the counts */
        while (db_in_tx(db))
            db_rollback(db);
        r->in_tx = 0;
        job->created = job->updated = job->unchanged = 0;
        if (failure == NULL)
            failure = "rows_rejected";
    }
    return end_job(r, failure);
}

/* An upload that does not decrypt (its key left the ring): the job fails
   with a reason of its own instead of being taken over again and again. */
static int
unreadable(db_conn *db, db_import *job, app_err *err)
{
    int rc = db_import_finish(db, job->id, "failed", "upload_unreadable", err);
    if (rc != 0)
        return rc;
    job->state = "failed";
    job->failure = "upload_unreadable";
    return 0;
}

int
core_import_run(db_conn *db, const core_op *op, db_import *job, core_import_message_fn message,
                void *ctx, app_err *err)
{
    run r;
    memset(&r, 0, sizeof(r));
    r.db = db;
    r.op = op;
    r.job = job;
    r.message = message;
    r.ctx = ctx;
    r.counted = job->errors_total;
    r.err = err;
    r.rop = *op;
    r.rop.arena = NULL;
    r.classes = strcmp(job->mode, "classes") == 0;
    r.uni = strcmp(job->mode, "uni_students") == 0;
    r.cat = core_catfile_of(job->mode);
    if (strcmp(job->mode, "create") == 0) {
        r.cap = core_import_batch < 1 ? 1 : core_import_batch;
        r.pend = xcalloc((size_t)r.cap, sizeof(pending));
        r.perr = xcalloc((size_t)r.cap, sizeof(app_err));
        r.regs = xcalloc((size_t)r.cap, sizeof(core_reg));
    }
    /* the upload is stored sealed: opened here, for the run only */
    int rc = core_import_open_upload(op->env->ring, job, err);
    if (rc != 0)
        rc = unreadable(db, job, err);
    else
        rc = go(&r);
    app_arena_free(r.rop.arena);
    app_arena_free(r.refs_arena);
    errors_clear(&r);
    base_buf_free(&r.ebuf);
    if (r.spool != NULL)
        fclose(r.spool);
    free(r.pend);
    free(r.perr);
    free(r.regs);
    return rc;
}
