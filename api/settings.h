/*
 * api/settings.h - region settings as JSON: validation of overrides and the
 * display order of keys. Pure (jansson only): unit-tested without a database.
 *
 * The keys, their types and defaults are DB_SETTINGS_DEFAULTS (db/settings.h):
 *   entry_age_cutoff            "MM-DD" (not 02-29)                 rule 21
 *   entry_min_age               integer 3..10                       rule 21
 *   transfer_blackout           {"from":"MM-DD","until":"MM-DD"} or null (none)   rule 16
 *   required_fields             unique student field names (API.md "Student record fields")
 *   holidays                    unique "YYYY-MM-DD" dates, at most 366              rule 14
 *   step_deadline_days          integer 1..60 (working days)        rule 14
 *   province_approves_transfers boolean                             rule 5 (transfer)
 *   registration_window         {"required":bool,"from":date|null,"until":date|null} rule 32
 *   import_upload_retention_days integer 1..30: days an import's upload is kept after the
 *                               job ends (docs/decisions/0013)
 *   school_year_start           "MM-DD": school year Y starts then (core/school_year.h)
 *   second_term_start           "MM-DD": its second term; not equal to school_year_start
 *   transfer_backdate_days      integer 0..365: how many days before today a transfer's
 *                               effective_date may lie (docs/decisions/0030)
 *   family_members_required     1 or 2: family members a record must name (DOMAIN §4)
 */
#ifndef API_SETTINGS_H
#define API_SETTINGS_H

#include "base/err.h"

#include <jansson.h>

/*
 * Check an overrides object: every member must be a known key of the right
 * type and range. Each problem is added to `err` (app_err_add) with the JSON
 * pointer `base` + "/" + key (and deeper for members and array items), code
 * "wrong_type", "unknown_setting", "missing_field" or "invalid_setting" (with
 * a reason param). Returns the number of problems added (0: valid).
 */
int api_settings_validate(const json_t *settings, const char *base, app_err *err);

/*
 * A new object with the members of `obj` in the order of the defaults (known
 * keys first, in DB_SETTINGS_DEFAULTS order, then any others). Caller
 * decrefs. `obj` must be an object.
 */
json_t *api_settings_ordered(const json_t *obj);

/* 1 if `name` is a student record field name of API.md. */
int api_student_field_known(const char *name);

#endif
