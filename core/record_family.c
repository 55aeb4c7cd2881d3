/*
 * core/record_family.c - the second family member a registration names
 * (DOMAIN §4: each pupil names two; an orphan's or a single-parent pupil's
 * second may be a relative or a teacher), see core/record.h.
 */
#include "core/record.h"

#include <string.h>

int
core_record_family_check(const core_record *r, const core_record_rules *rules, int members,
                         app_err *err)
{
    static const int need[] = {CORE_M_NAME, CORE_M_RELATION, CORE_M_PHONE};
    int family = 0, bad = 0;
    for (int k = 0; k < rules->nrequired; k++)
        family |= strcmp(rules->required[k], "family") == 0;
    if (!family || members < 2)
        return 0;
    for (size_t j = 0; j < sizeof(need) / sizeof(need[0]); j++) {
        int i = CORE_R_F2 + need[j];
        if (r->v[i] != NULL)
            continue;
        char p[64];
        core_field_pointer(i, p, sizeof(p));
        app_err_add(err, p, "family_member_required", NULL);
        bad++;
    }
    return bad;
}
