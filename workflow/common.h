/*
 * workflow/common.h - what the files of the approval engine share (start.c,
 * act.c, revert.c, effects.c, list.c, problem.c); not for api/ or ctl/,
 * which use workflow/wf.h. Strings returned live in op->arena.
 */
#ifndef WORKFLOW_COMMON_H
#define WORKFLOW_COMMON_H

#include "db/request.h"
#include "db/settings.h"
#include "workflow/wf.h"

#include <jansson.h>

/* APP_ENOTFOUND request_not_found for request `id`; returns the code. */
int wf_request_not_found(app_err *err, long long id);

/* Evidence of a start or an action: files `ids[0..n)` the caller's org
   uploaded (POST /files); *out their array literal ("{1,2}"), NULL when
   n is 0. A file missing or of another org (or an id given twice): the
   item /evidence file_not_found (APP_EINVAL). */
int wf_evidence_check(db_conn *db, const core_op *op, const long long *ids, int n, const char **out,
                      app_err *err);

/* 1 when the actor is a school's registrar. */
int wf_actor_is_registrar(const core_actor *a);

/* The due time of a step that starts today: `step_deadline_days` working
   days on, at the end of that day in Beijing ("YYYY-MM-DDT23:59:59+08:00"). */
const char *wf_step_due(const core_op *op, const db_settings *set);

/* Now in UTC as the steps' due_at text compares ("YYYY-MM-DDTHH:MM:SSZ"). */
void wf_now_text(char out[24]);

/* Add the item (`ptr`, `code`) to `err`; returns APP_EINVAL. */
int wf_err_item(app_err *err, const char *ptr, const char *code);

/* Lock class `number` of `grade` at `school`: *out_id. A missing class is
   the item /payload/class class_not_found (APP_EINVAL). */
int wf_class_lock(db_conn *db, const char *school, int grade, int number, long long *out_id,
                  app_err *err);

/* Request `id` (locked FOR UPDATE when `lock`) if the actor may see it
   (wf_request_get's rule); else APP_ENOTFOUND request_not_found. */
int wf_request_load(db_conn *db, const core_op *op, long long id, int lock, core_request *out,
                    app_err *err);

/* 1 when problem record `pr` is the actor's business: a registrar of one of
   its schools, or a bureau over either school. */
int wf_problem_visible(db_conn *db, const core_op *op, const db_problem *pr);

/* How many leading steps of a request of type `d` wait side by side: up to
   d->parallel steps held by the same office as the first (a major
   transfer's two deans; one when both colleges are one), else 1. */
int wf_parallel_of(const wf_def *d, const db_step *steps, int n);

/* Whether the actor holds a step held by `org` and, in a university,
   `office` of `college` (NULL: any college, or a whole org's step: a school's
   registrar or a bureau user of the org). docs/decisions/0033. */
int wf_actor_holds(const core_actor *a, const char *org, const char *office, const char *college);

/* 1 when the actor is a university student (role student). */
int wf_actor_is_student(const core_actor *a);

/* A university staff account's office (the staff role's name, static) and
   college (uni_college.id, 0 when the office is the university's); NULL
   office for everyone else. */
const char *wf_actor_office(const core_actor *a);
long long wf_actor_college(const core_actor *a);

/* The compact text of `o` in `a`; takes the reference (decref'd). NULL
   `o` (a failed json_pack) gives "{}". */
const char *wf_json_text(app_arena *a, json_t *o);

#endif
