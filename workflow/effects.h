/*
 * workflow/effects.h - what the last approval of a request does, one
 * function per wf_effect of workflow/defs.h (DOMAIN §5 "effect" column):
 * enrol, set a state, move a student (transfer, grade change), change key
 * fields, move or graduate the members of a batch, resolve a problem. Each
 * runs inside the caller's transaction, writes the student rows, their
 * history and change-feed events, and records what was there before
 * (`applied`) so that a revert can put it back.
 *
 * Payload members are read from the stored jsonb text with jansson
 * (docs/decisions/0019, 0022); JSON written here is built with jansson.
 */
#ifndef WORKFLOW_EFFECTS_H
#define WORKFLOW_EFFECTS_H

#include "workflow/common.h"

/*
 * Apply the effect of request `id` of type `d` (its last step was just
 * approved, or it needs no approval). *req_state stays "approved", or
 * becomes "rejected" when a key-field change's new identity is held by an
 * enrolled student (then *failure = "duplicate_enrolled", the request is
 * rejected and - for key_field_change - a problem record opens). Errors:
 * APP_EINVAL/APP_ESTATE transition_not_allowed (the student moved since),
 * APP_EINVAL class_not_found, database errors.
 */
int wf_effect_apply(db_conn *db, const core_op *op, const wf_def *d, long long id,
                    const char **req_state, const char **failure, app_err *err);

/* Member `name` of a stored payload or applied snapshot (jsonb text): a
   string, or an integer as text; NULL when absent or not parsable. */
const char *wf_payload_member(app_arena *a, const char *json, const char *name);

/* The history entry of a move (JSON array text): what changed of state,
   school, grade, class (`class_moved`: another class even with the same
   number, as in another school). */
const char *wf_history_moves(app_arena *a, const char *st0, const char *st1, const char *sc0,
                             const char *sc1, int g0, int g1, int c0, int c1, int class_moved);

/* The snapshot a revert reads: where the student was, and where the
   effect left it (JSON object text). */
const char *wf_applied_json(app_arena *a, const db_student *s, int grade, int class_no,
                            const char *to_state, const char *to_school);

#endif
