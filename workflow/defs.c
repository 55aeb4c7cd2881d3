/*
 * workflow/defs.c - the request types (DOMAIN §5 table), one line each.
 */
#include "workflow/defs.h"

#include <string.h>

static const char *const ENROLLED[] = {"enrolled", NULL};
static const char *const SUSPENDED[] = {"suspended", NULL};
static const char *const ACTIVE[] = {"enrolled", "suspended", NULL};
static const char *const ANY_ACTIVE[] = {"pending", "enrolled", "suspended", NULL};
static const char *const PENDING[] = {"pending", NULL};
static const char *const LEFT[] = {"abroad", "left_other", "missing", "dropped_out", "withdrawn",
                                   NULL};
static const char *const GRADUATED[] = {"graduated", "completed", "incomplete", NULL};

#define C WF_H_COMPETENT
#define LEAVE(t, label, st)                                                                    \
    {t, label, ACTIVE, st, WF_START_SCHOOL, {C}, WF_E_STATE, WF_P_REASON | WF_P_DATE, 0, 1, 0}

const wf_def wf_defs[] = {
    {"registration", "新生/在校生注册", PENDING, NULL, WF_START_NONE, {C}, WF_E_REGISTER, 0, 0, 0, 0},
    /* the real chain is built in holders(): same authority -> sending
       school, authority; otherwise receiving authority, [receiving province],
       sending school, sending authority, [sending province] */
    {"transfer", "转学", ENROLLED, NULL, WF_START_RECEIVING,
     {WF_H_RECEIVING_AUTHORITY, WF_H_RECEIVING_PROVINCE, WF_H_SENDING_SCHOOL,
      WF_H_SENDING_AUTHORITY, WF_H_SENDING_PROVINCE},
     WF_E_TRANSFER, WF_P_TO_SCHOOL, 0, 1, 0},
    /* a cohort between two schools of one authority: both schools confirm */
    {"batch_transfer", "批量转学", ENROLLED, NULL, WF_START_AUTHORITY,
     {WF_H_FROM_SCHOOL, WF_H_TO_SCHOOL}, WF_E_BATCH_TRANSFER, WF_P_BATCH, 0, 1, 1},
    {"suspend", "休学", ENROLLED, "suspended", WF_START_SCHOOL, {C}, WF_E_STATE,
     WF_P_REASON | WF_P_START_END | WF_P_EVIDENCE, 0, 1, 0},
    {"resume", "复学", SUSPENDED, "enrolled", WF_START_SCHOOL, {C}, WF_E_STATE, 0, 0, 1, 0},
    {"withdraw", "退学", ACTIVE, "withdrawn", WF_START_SCHOOL, {C}, WF_E_STATE,
     WF_P_REASON | WF_P_DATE, 1, 1, 0},
    LEAVE("decease", "死亡", "deceased"),
    LEAVE("go_abroad", "出国/出境", "abroad"),
    LEAVE("leave_other", "其他离校", "left_other"),
    LEAVE("missing", "失踪", "missing"),
    LEAVE("drop_out", "辍学", "dropped_out"),
    {"restore", "恢复入学资格", LEFT, "enrolled", WF_START_SCHOOL, {C}, WF_E_STATE, 0, 0, 1, 0},
    {"grade_change", "调整年级（跳级、留级）", ENROLLED, NULL, WF_START_SCHOOL, {C}, WF_E_GRADE,
     WF_P_GRADE, 0, 1, 0},
    {"key_field_change", "关键信息变更", ANY_ACTIVE, NULL, WF_START_SCHOOL, {C},
     WF_E_KEY_FIELDS, WF_P_CHANGES | WF_P_EVIDENCE, 0, 0, 0},
    /* a school's graduating grade: primary and junior complete at once */
    {"graduation", "毕业", ENROLLED, NULL, WF_START_SCHOOL, {WF_H_COMPETENT_IF_SENIOR},
     WF_E_GRADUATE, WF_P_GRADUATION, 0, 0, 1},
    {"graduation_revert", "毕业回退", GRADUATED, "enrolled", WF_START_SCHOOL, {C}, WF_E_STATE, 0,
     0, 1, 0},
    /* 问题学籍 (DOMAIN rule 24): 佐证, 变更 or 删除, decided by the lowest
       common authority of the schools involved */
    {"problem_resolution", "问题学籍处理", ANY_ACTIVE, NULL, WF_START_PROBLEM,
     {WF_H_LOWEST_COMMON, WF_H_PROVINCE_IF_DELETE_G}, WF_E_RESOLVE, 0, 0, 0, 0},
};
const int wf_ndefs = (int)(sizeof(wf_defs) / sizeof(wf_defs[0]));

#undef C
#undef LEAVE

const wf_def *
wf_def_find(const char *type)
{
    for (int i = 0; type && i < wf_ndefs; i++)
        if (strcmp(wf_defs[i].type, type) == 0)
            return &wf_defs[i];
    return NULL;
}

int
wf_def_allows(const wf_def *d, const char *state)
{
    for (const char *const *s = d->from; *s; s++)
        if (strcmp(*s, state) == 0)
            return 1;
    return 0;
}

const char *
wf_holder_name(wf_holder h)
{
    switch (h) {
    case WF_H_COMPETENT: return "competent_authority";
    case WF_H_CHAIN_TO_PROVINCE: return "every_level_to_province";
    case WF_H_PROVINCE: return "province";
    case WF_H_SENDING_SCHOOL: return "sending_school";
    case WF_H_SENDING_AUTHORITY: return "sending_authority";
    case WF_H_RECEIVING_AUTHORITY: return "receiving_authority";
    case WF_H_SENDING_PROVINCE: return "sending_province_if_settings";
    case WF_H_RECEIVING_PROVINCE: return "receiving_province_if_settings";
    case WF_H_COMPETENT_IF_SENIOR: return "competent_authority_if_senior_secondary";
    case WF_H_FROM_SCHOOL: return "sending_school";
    case WF_H_TO_SCHOOL: return "receiving_school";
    case WF_H_LOWEST_COMMON: return "lowest_common_authority";
    case WF_H_PROVINCE_IF_DELETE_G: return "province_if_deleting_g_number";
    default: return NULL;
    }
}

const char *
wf_holder_label(wf_holder h)
{
    switch (h) {
    case WF_H_COMPETENT: return "学生所在学校的主管教育行政部门";
    case WF_H_CHAIN_TO_PROVINCE: return "主管部门起逐级至省级教育行政部门";
    case WF_H_PROVINCE: return "省级教育行政部门";
    case WF_H_SENDING_SCHOOL: return "转出学校";
    case WF_H_SENDING_AUTHORITY: return "转出学校主管部门（两校主管部门相同时仅此一步）";
    case WF_H_RECEIVING_AUTHORITY: return "转入学校主管部门（主管部门不同时）";
    case WF_H_SENDING_PROVINCE: return "转出省（跨省且该省设置要求时）";
    case WF_H_RECEIVING_PROVINCE: return "转入省（跨省且该省设置要求时）";
    case WF_H_COMPETENT_IF_SENIOR: return "主管部门（仅普通高中；小学、初中由学校直接办理）";
    case WF_H_FROM_SCHOOL: return "转出学校";
    case WF_H_TO_SCHOOL: return "转入学校";
    case WF_H_LOWEST_COMMON: return "涉及学校的最低共同主管部门";
    case WF_H_PROVINCE_IF_DELETE_G: return "省级教育行政部门（删除G字头学籍时）";
    default: return NULL;
    }
}

const char *
wf_starter_name(wf_starter s)
{
    switch (s) {
    case WF_START_SCHOOL: return "school";
    case WF_START_RECEIVING: return "receiving_school";
    case WF_START_NONE: return "registration";
    case WF_START_AUTHORITY: return "authority_over_both_schools";
    case WF_START_PROBLEM: return "problem_resolution";
    default: return NULL;
    }
}

const char *
wf_effect_name(wf_effect e)
{
    switch (e) {
    case WF_E_REGISTER: return "enrol";
    case WF_E_STATE: return "set_state";
    case WF_E_TRANSFER: return "move_to_receiving_school";
    case WF_E_GRADE: return "change_grade";
    case WF_E_KEY_FIELDS: return "change_key_fields";
    case WF_E_BATCH_TRANSFER: return "move_members_to_receiving_school";
    case WF_E_GRADUATE: return "graduate_members";
    case WF_E_RESOLVE: return "resolve_problem";
    default: return NULL;
    }
}
