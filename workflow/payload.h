/*
 * workflow/payload.h - a request's body, read by the member declarations of
 * its type (workflow/defs.h): one loop checks every member by its kind and
 * fills the typed fields of wf_start and the payload as stored. The API
 * handler passes the parsed body and knows no type's members
 * (docs/decisions/0022).
 *
 * Errors: APP_EINVAL with one item per bad member (JSON pointer, stable
 * code: unknown_field, missing_field, wrong_type, invalid_request_type,
 * invalid_date, invalid_school_code, invalid_code, invalid_method,
 * not_a_key_field, student_not_in_grade), or APP_EINVAL wrong_type at ""
 * when the body is not an object. Nothing is written. The strings and
 * arrays of `out` live in arena `a`; the body is only borrowed.
 */
#ifndef WORKFLOW_PAYLOAD_H
#define WORKFLOW_PAYLOAD_H

#include "workflow/wf.h"

#include <jansson.h>

/* POST /requests: {type, student, payload, comment, evidence}. A transfer's
   to_school defaults to `caller_org` (the receiving school). */
int wf_start_parse(const json_t *body, const char *caller_org, app_arena *a, wf_start *out,
                   app_err *err);

/* POST /problems/{id}/resolutions: {method, student, reason, changes,
   comment, evidence} for problem `problem_id`. */
int wf_resolution_parse(const json_t *body, long long problem_id, app_arena *a, wf_start *out,
                        app_err *err);

/* The payload of `a` as stored: a->payload_json ("{}" when NULL) with, for
   a type with a sealed member that applies, `sealed` - the key-field
   changes of a->changes/present encrypted under the data key. */
const char *wf_payload_stored(const core_op *op, const wf_def *d, const wf_start *a);

/* Payload text `json` with member `key` set to `value` (reference taken). */
const char *wf_payload_with(app_arena *a, const char *json, const char *key, json_t *value);

#endif
