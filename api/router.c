/*
 * api/router.c - the routing table and path matching.
 *
 * Every route of the service is one line here; tests/unit/router_test.c and the
 * authorization matrix enumerate this table, so a route cannot exist unlisted.
 * Every answer is Cache-Control: no-store except those of API_ROUTE_PUBLIC
 * routes (reference data, the contract, health, the empty template), which
 * carry no personal data (api/call.c, docs/security.md).
 */
#include "api/api.h"
#include "api/handlers.h"

#include <stdio.h>
#include <string.h>

const api_route api_routes[] = {
    {API_GET, "/healthz", h_healthz, API_ROUTE_NO_LIMIT | API_ROUTE_PUBLIC},
    {API_GET, "/readyz", h_readyz, API_ROUTE_NO_LIMIT | API_ROUTE_PUBLIC},
    {API_GET, "/metrics", h_metrics, API_ROUTE_NO_LIMIT | API_ROUTE_METRICS},
    {API_GET, "/openapi.yaml", h_openapi, API_ROUTE_PUBLIC},
    {API_GET, "/api/v1/regions", h_regions_list, API_ROUTE_PUBLIC},
    {API_GET, "/api/v1/regions/{code}", h_region_get, API_ROUTE_PUBLIC},
    {API_GET, "/api/v1/code-tables", h_code_tables, API_ROUTE_PUBLIC},
    {API_GET, "/api/v1/code-tables/{name}", h_code_table_get, API_ROUTE_PUBLIC},
    {API_POST, "/api/v1/id-numbers/validate", h_id_number_validate, API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/auth/login", h_login, API_ROUTE_JSON_BODY | API_ROUTE_SECRET},
    {API_POST, "/api/v1/auth/refresh", h_refresh, API_ROUTE_JSON_BODY | API_ROUTE_SECRET},
    {API_POST, "/api/v1/auth/logout", h_logout, API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/me", h_me, API_ROUTE_AUTH},
    {API_PUT, "/api/v1/me/password", h_me_password,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY | API_ROUTE_PWCHANGE | API_ROUTE_SECRET},
    /* form or JSON body, parsed by the handler; no bearer (client credentials) */
    {API_POST, "/api/v1/auth/token", h_token, API_ROUTE_SECRET},
    {API_GET, "/api/v1/users", h_users_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/users", h_user_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY | API_ROUTE_SECRET},
    {API_GET, "/api/v1/users/{id}", h_user_get, API_ROUTE_AUTH},
    {API_PATCH, "/api/v1/users/{id}", h_user_patch, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/users/{id}/password-reset", h_user_password_reset,
     API_ROUTE_AUTH | API_ROUTE_SECRET},
    {API_POST, "/api/v1/users/{id}/unlock", h_user_unlock, API_ROUTE_AUTH},
    {API_POST, "/api/v1/clients", h_client_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY | API_ROUTE_SECRET},
    /* schools, classes, region settings (api/h_schools.c, api/h_settings.c) */
    {API_GET, "/api/v1/schools", h_schools_list, API_ROUTE_AUTH | API_ROUTE_REPLICA},
    {API_POST, "/api/v1/schools", h_school_create, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}", h_school_get, API_ROUTE_AUTH},
    {API_PATCH, "/api/v1/schools/{code}", h_school_patch, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/schools/{code}/merge", h_school_merge,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/classes", h_classes_list, API_ROUTE_AUTH | API_ROUTE_REPLICA},
    {API_POST, "/api/v1/schools/{code}/classes", h_class_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/regions/{code}/settings", h_region_settings_get, API_ROUTE_AUTH},
    {API_PUT, "/api/v1/regions/{code}/settings", h_region_settings_put,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* the school calendar and promotion (api/h_promotion.c) */
    {API_GET, "/api/v1/regions/{code}/calendar", h_region_calendar, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/promotion", h_school_promotion,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/schools/{code}/promotion/{year}/revert", h_school_promotion_revert,
     API_ROUTE_AUTH},
    {API_POST, "/api/v1/regions/{code}/promotion", h_region_promotion,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/promotion-jobs/{id}", h_promotion_job_get, API_ROUTE_AUTH},
    /* students (api/h_students.c) */
    {API_POST, "/api/v1/students", h_student_create, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/students", h_students_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/students/lookup", h_student_lookup, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* before /students/{key}: the first matching route wins */
    {API_GET, "/api/v1/students/export", h_students_export, API_ROUTE_AUTH},
    {API_GET, "/api/v1/students/{key}", h_student_get, API_ROUTE_AUTH},
    {API_PATCH, "/api/v1/students/{key}", h_student_patch, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/students/{key}/history", h_student_history, API_ROUTE_AUTH},
    {API_GET, "/api/v1/students/{key}/rewards", h_student_rewards_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/students/{key}/rewards", h_student_reward_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_PUT, "/api/v1/students/{key}/photo", h_student_photo_put, API_ROUTE_AUTH},
    {API_GET, "/api/v1/students/{key}/photo", h_student_photo_get, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/check-ins", h_checkins_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/events", h_events_list, API_ROUTE_AUTH | API_ROUTE_REPLICA},
    /* what clerks print and parents sign (api/h_print.c) */
    {API_GET, "/api/v1/students/{key}/info-sheet.pdf", h_student_info_sheet, API_ROUTE_AUTH},
    {API_GET, "/api/v1/schools/{code}/info-sheets.pdf", h_school_info_sheets, API_ROUTE_AUTH},
    {API_POST, "/api/v1/students/{key}/confirmations", h_confirmation_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/confirmations", h_confirmations_report, API_ROUTE_AUTH},
    {API_GET, "/api/v1/audit", h_audit_list, API_ROUTE_AUTH},
    /* requests (api/h_requests.c, workflow/) */
    {API_POST, "/api/v1/requests", h_request_create, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/requests", h_requests_list, API_ROUTE_AUTH | API_ROUTE_REPLICA},
    {API_POST, "/api/v1/requests/{id}/revert", h_request_revert,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/workflows", h_workflows, API_ROUTE_PUBLIC},
    {API_POST, "/api/v1/files", h_file_create, API_ROUTE_AUTH},
    {API_GET, "/api/v1/templates/students.xlsx", h_template_students,
     API_ROUTE_AUTH | API_ROUTE_PUBLIC},
    /* issue 16: the university student file (api/h_imports.c, core/uni_file.h) */
    {API_GET, "/api/v1/templates/uni-students.xlsx", h_template_uni_students,
     API_ROUTE_AUTH | API_ROUTE_PUBLIC},
    {API_POST, "/api/v1/imports", h_import_create, API_ROUTE_AUTH},
    {API_GET, "/api/v1/imports/{id}", h_import_get, API_ROUTE_AUTH},
    {API_GET, "/api/v1/imports/{id}/errors", h_import_errors_list, API_ROUTE_AUTH},
    {API_GET, "/api/v1/imports/{id}/errors.xlsx", h_import_errors, API_ROUTE_AUTH},
    {API_GET, "/api/v1/reports/enrollment", h_report_enrollment,
     API_ROUTE_AUTH | API_ROUTE_REPLICA},
    /* the semester data check and the FAQ's statistics (api/h_datacheck.c, api/h_reports.c) */
    {API_GET, "/api/v1/schools/{code}/data-check", h_school_data_check, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/data-check/sign-off", h_school_data_check_sign,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/regions/{code}/data-check", h_region_data_check, API_ROUTE_AUTH},
    {API_POST, "/api/v1/regions/{code}/data-check/sign-off", h_region_data_check_sign,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/reports/school-statistics", h_report_school_stats, API_ROUTE_AUTH},
    {API_GET, "/api/v1/reports/non-local-students", h_report_nonlocal, API_ROUTE_AUTH},
    /* class assignment, school system change (api/h_class_assign.c, issue 15) */
    {API_GET, "/api/v1/schools/{code}/class-assignment.xlsx", h_class_assignment_export,
     API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/system-change", h_school_system_change,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/problems", h_problems_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/problems/{id}/evidence", h_problem_evidence,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/problems/{id}/resolutions", h_problem_resolve,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* batch review; before /requests/{id} (ids are digits; the first match wins) */
    {API_POST, "/api/v1/requests/actions", h_requests_review, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/requests/{id}", h_request_get, API_ROUTE_AUTH},
    {API_POST, "/api/v1/requests/{id}/actions", h_request_act,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* the graduate pool (api/h_intake.c; claims are POST /requests intake_claim) */
    {API_POST, "/api/v1/graduate-pool/search", h_pool_search, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* universities (docs/decisions/0032) */
    {API_GET, "/api/v1/me/requests", h_me_requests, API_ROUTE_AUTH},
    {API_GET, "/api/v1/schools/{code}/colleges", h_uni_colleges_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/colleges", h_uni_college_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/majors", h_uni_majors_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/majors", h_uni_major_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/cohorts", h_uni_cohorts_list, API_ROUTE_AUTH},
    {API_GET, "/api/v1/schools/{code}/uni-classes", h_uni_classes_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/uni-classes", h_uni_class_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/schools/{code}/uni-classes/{id}/accounts", h_uni_class_accounts,
     API_ROUTE_AUTH | API_ROUTE_SECRET},
    {API_GET, "/api/v1/schools/{code}/uni-students", h_uni_students_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/uni-students", h_uni_student_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/uni-students/{no}", h_uni_student_get, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/uni-students/{no}/account", h_uni_account_create,
     API_ROUTE_AUTH | API_ROUTE_SECRET},
    {API_GET, "/api/v1/schools/{code}/calendar", h_uni_calendar_get, API_ROUTE_AUTH},
    {API_PUT, "/api/v1/schools/{code}/calendar/{term}", h_uni_term_put,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* closing a selection round and its lottery (api/h_lottery.c, docs/decisions/0042) */
    {API_POST, "/api/v1/schools/{code}/selection-rounds/{id}/close", h_round_close, API_ROUTE_AUTH},
    {API_GET, "/api/v1/schools/{code}/selection-rounds/{id}/draw", h_round_draw, API_ROUTE_AUTH},
    /* a university's catalog, teaching plans and sections (api/h_catalog.c, issue 17) */
    {API_GET, "/api/v1/schools/{code}/courses", h_courses_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/courses", h_course_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/courses/{course}", h_course_get, API_ROUTE_AUTH},
    {API_PATCH, "/api/v1/schools/{code}/courses/{course}", h_course_patch,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/plans/{major}/{cohort}", h_plan_get, API_ROUTE_AUTH},
    {API_PUT, "/api/v1/schools/{code}/plans/{major}/{cohort}", h_plan_put,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/sections", h_sections_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/sections", h_section_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/sections/{id}", h_section_get, API_ROUTE_AUTH},
    {API_PATCH, "/api/v1/schools/{code}/sections/{id}", h_section_patch,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/templates/courses.xlsx", h_template_courses,
     API_ROUTE_AUTH | API_ROUTE_PUBLIC},
    {API_GET, "/api/v1/templates/plans.xlsx", h_template_plans, API_ROUTE_AUTH | API_ROUTE_PUBLIC},
    {API_GET, "/api/v1/templates/sections.xlsx", h_template_sections,
     API_ROUTE_AUTH | API_ROUTE_PUBLIC},
    /* a university's major transfer: the electronic registration (api/h_uniflow.c) */
    {API_POST, "/api/v1/requests/{id}/confirmations", h_request_confirm,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    /* the 休学通知单 / 调整年级通知单 of an applied status change (api/h_notice.c) */
    {API_GET, "/api/v1/requests/{id}/notice.pdf", h_request_notice, API_ROUTE_AUTH},
    /* grades of a university's sections (api/h_grades.c, docs/decisions/0043) */
    {API_GET, "/api/v1/me/grades", h_me_grades, API_ROUTE_AUTH},
    {API_GET, "/api/v1/schools/{code}/sections/{id}/grades", h_section_grades_get, API_ROUTE_AUTH},
    {API_PUT, "/api/v1/schools/{code}/sections/{id}/grades", h_section_grades_put,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/uni-students/{no}/grades", h_uni_student_grades,
     API_ROUTE_AUTH},
    /* course selection: rounds, the student's own, leftover, preload (api/h_select.c) */
    {API_GET, "/api/v1/schools/{code}/selection-rounds", h_sel_rounds_list, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/selection-rounds", h_sel_round_create,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_GET, "/api/v1/schools/{code}/selection-rounds/{id}", h_sel_round_get, API_ROUTE_AUTH},
    {API_GET, "/api/v1/me/sections", h_me_sections, API_ROUTE_AUTH},
    {API_GET, "/api/v1/me/selections", h_me_selections, API_ROUTE_AUTH},
    {API_POST, "/api/v1/me/selections", h_me_selection_add, API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_DELETE, "/api/v1/me/selections/{section}", h_me_selection_drop, API_ROUTE_AUTH},
    {API_POST, "/api/v1/schools/{code}/uni-students/{no}/selections", h_uni_student_selection_add,
     API_ROUTE_AUTH | API_ROUTE_JSON_BODY},
    {API_POST, "/api/v1/schools/{code}/sections/{id}/preload", h_section_preload, API_ROUTE_AUTH},
};
const int api_nroutes = (int)(sizeof(api_routes) / sizeof(api_routes[0]));

static int
method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return API_GET;
    if (strcmp(m, "POST") == 0)
        return API_POST;
    if (strcmp(m, "PUT") == 0)
        return API_PUT;
    if (strcmp(m, "PATCH") == 0)
        return API_PATCH;
    if (strcmp(m, "DELETE") == 0)
        return API_DELETE;
    return 0;
}

/*
 * Does `path` match `pattern`? Segments match literally, `{name}` matches one
 * non-empty segment. A trailing slash is not ignored: /api/v1/regions/ is 404.
 */
static int
match(const char *pattern, const char *path, api_call *c)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++;
        s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t sl = se ? (size_t)(se - s) : strlen(s);
        if (pl > 2 && p[0] == '{' && p[pl - 1] == '}') {
            if (sl == 0 || n >= API_MAX_PARAMS)
                return 0;
            if (c != NULL) {
                c->param_names[n] = app_arena_strndup(c->arena, p + 1, pl - 2);
                c->params[n] = app_arena_strndup(c->arena, s, sl);
            }
            n++;
        } else if (pl != sl || memcmp(p, s, pl) != 0) {
            return 0;
        }
        p += pl;
        s += sl;
    }
    if (*p || *s)
        return 0;
    if (c != NULL)
        c->nparams = n;
    return 1;
}

int
api_route_match(const char *method, const char *path, api_call *c, int *out_allow)
{
    int want = method_bit(method), allow = 0, found = -1;
    for (int i = 0; i < api_nroutes; i++) {
        if (!match(api_routes[i].pattern, path, NULL))
            continue;
        allow |= api_routes[i].method;
        if (api_routes[i].method == want && found < 0)
            found = i;
    }
    *out_allow = allow;
    if (found >= 0) {
        match(api_routes[found].pattern, path, c);
        return found;
    }
    return allow ? -2 : -1;
}

void
api_allow_string(int mask, char *buf, size_t cap)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {{API_GET, "GET, HEAD"},
                 {API_POST, "POST"},
                 {API_PUT, "PUT"},
                 {API_PATCH, "PATCH"},
                 {API_DELETE, "DELETE"}};
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (mask & names[i].bit)
            len += (size_t)snprintf(buf + len, cap - len, "%s, ", names[i].name);
    snprintf(buf + len, cap - len, "OPTIONS");
}
