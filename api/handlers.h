/*
 * api/handlers.h - route handlers (see the table in api/router.c).
 */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H

#include "api/api.h"

/* api/h_system.c */
void h_healthz(api_call *c);
void h_readyz(api_call *c);
void h_metrics(api_call *c);
void h_openapi(api_call *c);

/* api/h_regions.c */
void h_regions_list(api_call *c);
void h_region_get(api_call *c);
void h_code_tables(api_call *c);
void h_code_table_get(api_call *c);
void h_id_number_validate(api_call *c);

/* api/h_auth.c */
void h_login(api_call *c);
void h_refresh(api_call *c);
void h_logout(api_call *c);
void h_me(api_call *c);
void h_me_password(api_call *c);
struct api_config;
int api_bootstrap_admin(const struct api_config *cfg, db_conn *db, app_err *err);

/* api/h_users.c */
void h_users_list(api_call *c);
void h_user_create(api_call *c);
void h_user_get(api_call *c);
void h_user_patch(api_call *c);
void h_user_password_reset(api_call *c);
void h_user_unlock(api_call *c);

/* api/h_clients.c */
void h_client_create(api_call *c);
void h_token(api_call *c);

/* api/h_schools.c */
void h_schools_list(api_call *c);
void h_school_create(api_call *c);
void h_school_get(api_call *c);
void h_school_patch(api_call *c);
void h_school_merge(api_call *c);
void h_classes_list(api_call *c);
void h_class_create(api_call *c);

/* api/h_settings.c */
void h_region_settings_get(api_call *c);
void h_region_settings_put(api_call *c);

/* api/h_promotion.c: the school calendar, promotion (学年升级) */
void h_region_calendar(api_call *c);
void h_school_promotion(api_call *c);
void h_school_promotion_revert(api_call *c);
void h_region_promotion(api_call *c);
void h_promotion_job_get(api_call *c);

/* api/h_students.c */
void h_student_create(api_call *c);
void h_students_list(api_call *c);
void h_student_get(api_call *c);
void h_student_patch(api_call *c);

/* api/h_rewards.c */
void h_student_rewards_list(api_call *c);
void h_student_reward_create(api_call *c);
void h_student_history(api_call *c);
void h_student_lookup(api_call *c);
/* api/h_intake.c: the graduate pool */
void h_pool_search(api_call *c);
void h_student_photo_put(api_call *c);
void h_student_photo_get(api_call *c);
void h_checkins_create(api_call *c);
/* api/h_print.c: information sheets (PDF) and parent confirmations */
void h_student_info_sheet(api_call *c);
void h_school_info_sheets(api_call *c);
void h_confirmation_create(api_call *c);
void h_confirmations_report(api_call *c);
void h_events_list(api_call *c);

/* api/h_requests.c */
void h_request_get(api_call *c);
void h_request_act(api_call *c);
void h_request_create(api_call *c);
void h_requests_list(api_call *c);
void h_request_revert(api_call *c);
/* api/h_uniflow.c: a university's major transfer, electronically registered */
void h_request_confirm(api_call *c);
/* api/h_notice.c: the notice of an applied university status change (PDF) */
void h_request_notice(api_call *c);
void h_workflows(api_call *c);
void h_file_create(api_call *c);

/* api/h_review.c. The body of an action (`o`: POST /requests/{id}/actions,
   or with `item` an element of POST /requests/actions, which also takes
   `request`) into *a, strings in the call's arena: every shape problem an
   item of e under `at` ("" or "/items/3"), in the order the single call
   checks them (action, step, comment, evidence, unknown members); -1 when
   there was one, else 0. */
struct wf_act;
int api_act_parse(api_call *c, json_t *o, const char *at, int item, struct wf_act *a, app_err *e);
void h_requests_review(api_call *c);
void h_problem_evidence(api_call *c);
void h_problem_resolve(api_call *c);
void h_problems_list(api_call *c);

/* api/h_imports.c */
void h_template_students(api_call *c);
void h_template_uni_students(api_call *c); /* issue 16: the university student file */
void h_import_create(api_call *c);
void h_import_get(api_call *c);
void h_import_errors_list(api_call *c);
void h_import_errors(api_call *c);

/* api/h_class_assign.c (issue 15: class assignment file, school system change) */
void h_class_assignment_export(api_call *c);
void h_school_system_change(api_call *c);

/* api/h_grades.c: grades of a university's sections (docs/decisions/0043) */
void h_section_grades_put(api_call *c);
void h_section_grades_get(api_call *c);
void h_uni_student_grades(api_call *c);
void h_me_grades(api_call *c);

/* api/h_audit.c */
void h_audit_list(api_call *c);

/* api/h_exports.c */
void h_students_export(api_call *c);
void h_report_enrollment(api_call *c);

/* api/h_datacheck.c, api/h_reports.c: the data check and the FAQ's statistics (issue #15) */
void h_school_data_check(api_call *c);
void h_school_data_check_sign(api_call *c);
void h_region_data_check(api_call *c);
void h_region_data_check_sign(api_call *c);
void h_report_school_stats(api_call *c);
void h_report_nonlocal(api_call *c);

/* Shared helpers (api/util.c). If-Match on the loop thread: 0 with
   *out_version from its first strong tag "<digits>" (-1 for W/ tags, `*` or
   garbage, which never match), or -1 with 428 precondition_required failed on the call. */
int api_if_match(api_call *c, int *out_version);
/* A request header copied into the arena (loop thread only), or NULL. */
const char *api_req_header(api_call *c, const char *name);
/* Exactly six ASCII digits (a region code). */
int api_six_digits(const char *s);
/* After a core/ call failed with rc: items become the problem's code (one) or
   validation_failed (several); not found, forbidden and conflicts carry no
   field list. Returns rc. */
int api_fail_core(api_call *c, int rc);
/* 1..max ASCII digits. */
int api_digits_only(const char *s, size_t max);
/* Evidence file ids of body member v (at pointer ptr): absent or null, or an
   array of at most 10 positive integers into *out (arena) and *n; else one
   wrong_type item at ptr and -1. */
int api_file_ids(api_call *c, json_t *v, const char *ptr, long long **out, int *n, app_err *e);
/* The {key} of /students/{key} (an id or a student number, 1..19 characters),
   or NULL with 404 student_not_found failed on the call. */
const char *api_student_key(api_call *c);
/* The value of a hex digit, or -1. */
int api_hexval(int ch);
/* ETag: "<version>". */
void api_etag(api_call *c, int version);
/* api/h_schools.c: turn the items of err into its code: none -> 0; one -> that item's code, field
   and param; several -> validation_failed. Returns APP_EINVAL when there are items. */
int api_fail_items(app_err *err);

/* Shared helpers (api/h_auth.c): a string member of the JSON body, or NULL with
   missing_field / wrong_type recorded on the call (only the first problem). */
const char *api_body_string(api_call *c, const char *name, int required);

/* Shared list helpers (api/h_regions.c): ?limit= (default 50, max 500). */
int api_list_limit(api_call *c, int *out_limit);
/* A keyset cursor ?<name>= (1-18 digits, the last id seen): 0 with *out_after
   (0 when absent or empty), or -1 with 400 invalid_cursor failed on the call. */
int api_list_after(api_call *c, const char *name, long long *out_after);

/* api/h_students.c: a student body (c->json) into a record, as POST (all
   fields) or PATCH (those present, marked in present[CORE_NFIELDS]) take it;
   JSON shape problems are added to e as items (-1), else 0. The record itself
   is validated by core_record_validate() in the job. */
struct core_record;
int api_record_from_json(api_call *c, struct core_record *r, unsigned char *present, app_err *e);
/* api/h_students.c: a request (core_request of core/student.h) as its JSON
   answer, with steps, actions and members; a new reference. */
struct db_request;
json_t *api_request_json(const struct db_request *q);

/* api/h_uni.c: universities (docs/decisions/0032) */
void h_uni_colleges_list(api_call *c);
void h_uni_college_create(api_call *c);
void h_uni_majors_list(api_call *c);
void h_uni_major_create(api_call *c);
void h_uni_cohorts_list(api_call *c);
void h_uni_classes_list(api_call *c);
void h_uni_class_create(api_call *c);
void h_uni_students_list(api_call *c);
void h_uni_student_create(api_call *c);
void h_uni_student_get(api_call *c);
void h_uni_account_create(api_call *c);
void h_uni_class_accounts(api_call *c);
void h_uni_calendar_get(api_call *c);
void h_uni_term_put(api_call *c);
/* api/h_lottery.c: closing a selection round and its draw (issue 17, ADR 0042) */
void h_round_close(api_call *c);
void h_round_draw(api_call *c);
void h_me_requests(api_call *c);
/* api/h_select.c: course selection (docs/decisions/0041) */
void h_sel_rounds_list(api_call *c);
void h_sel_round_create(api_call *c);
void h_sel_round_get(api_call *c);
void h_me_sections(api_call *c);
void h_me_selections(api_call *c);
void h_me_selection_add(api_call *c);
void h_me_selection_drop(api_call *c);
void h_uni_student_selection_add(api_call *c);
void h_section_preload(api_call *c);
/* api/h_catalog.c: a university's courses, teaching plans and sections (issue 17) */
void h_courses_list(api_call *c);
void h_course_create(api_call *c);
void h_course_get(api_call *c);
void h_course_patch(api_call *c);
void h_plan_get(api_call *c);
void h_plan_put(api_call *c);
void h_sections_list(api_call *c);
void h_section_create(api_call *c);
void h_section_get(api_call *c);
void h_section_patch(api_call *c);
void h_template_courses(api_call *c);
void h_template_plans(api_call *c);
void h_template_sections(api_call *c);
/* api/h_students.c: a student record as its JSON object (API.md's fields). */
struct jw;
struct core_student;
void api_student_write(struct jw *w, const struct core_student *s);

#endif
