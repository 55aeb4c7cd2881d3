/*
 * workflow/defs.c - the request types (DOMAIN §5 table) and the members of
 * their payloads, as data (see workflow/defs.h, docs/decisions/0022).
 */
#include "workflow/defs.h"

#include <string.h>

static const char *const ENROLLED[] = {"enrolled", NULL};
static const char *const SUSPENDED[] = {"suspended", NULL};
static const char *const ACTIVE[] = {"enrolled", "suspended", NULL};
static const char *const ANY_ACTIVE[] = {"pending", "enrolled", "suspended", NULL};
static const char *const PENDING[] = {"pending", NULL};
static const char *const LEFT[] = {"abroad",      "left_other", "missing",
                                   "dropped_out", "withdrawn",  NULL};
static const char *const GRADUATED[] = {"graduated", "completed", "incomplete", NULL};
static const char *const IN_POOL[] = {"graduated", NULL};

/* ------------------------------------------------------------ payload members */

static const wf_member REASON_DATE[] = {
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = "date", .kind = WF_K_DATE, .required = 1},
    {.name = NULL},
};
/* a start or end date that is not a string counts as absent, as it always did */
static const wf_member SUSPEND[] = {
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = "start_date", .kind = WF_K_DATE, .required = 1, .non_string_absent = 1},
    {.name = "end_date", .kind = WF_K_DATE, .after = "start_date", .non_string_absent = 1},
    {.name = NULL},
};
/* a wrong type of these three is reported at /payload, as it always was */
static const wf_member TRANSFER[] = {
    {.name = "to_school", .kind = WF_K_CALLER_SCHOOL, .bad_at = "/payload"},
    {.name = "grade", .kind = WF_K_GRADE, .bad_at = "/payload"},
    {.name = "class", .kind = WF_K_CLASS, .bad_at = "/payload"},
    /* a transfer done on paper first: its real date (docs/decisions/0030) */
    {.name = "effective_date", .kind = WF_K_DATE},
    {.name = NULL},
};
static const wf_member GRADE_CHANGE[] = {
    {.name = "grade", .kind = WF_K_GRADE, .required = 1, .bad_at = "/payload"},
    {.name = "class", .kind = WF_K_CLASS, .bad_at = "/payload"},
    {.name = NULL},
};
static const wf_member BATCH_TRANSFER[] = {
    {.name = "from_school", .kind = WF_K_SCHOOL, .required = 1},
    {.name = "to_school", .kind = WF_K_SCHOOL, .required = 1},
    {.name = "class", .kind = WF_K_CLASS, .min = 0, .max = 2147483647},
    {.name = "students", .kind = WF_K_STUDENTS, .required = 1, .max = 2000},
    {.name = NULL},
};
static const wf_member KEY_FIELD_CHANGE[] = {
    {.name = "changes", .kind = WF_K_CHANGES, .required = 1, .sealed = 1},
    {.name = "renumber", .kind = WF_K_FLAG},
    {.name = NULL},
};
static const wf_member GRADUATION[] = {
    {.name = "grade", .kind = WF_K_GRADE, .required = 1},
    {.name = "outcomes", .kind = WF_K_OUTCOMES},
    {.name = NULL},
};
/* intake_claim: where the claimed graduate enters (grade 21 or 31 of the claiming school) */
static const wf_member INTAKE_CLAIM[] = {
    {.name = "grade", .kind = WF_K_GRADE, .required = 1},
    {.name = "class", .kind = WF_K_CLASS, .required = 1},
    {.name = "entry_date", .kind = WF_K_DATE, .required = 1},
    {.name = NULL},
};
/* 撤销奖惩记录: the entry (GET /students/{key}/rewards) and why */
static const wf_member REWARD_REMOVAL[] = {
    {.name = "reward", .kind = WF_K_ROW_ID, .required = 1},
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = NULL},
};
static const char *const METHODS[] = {"evidence", "change", "delete", NULL};
/* POST /problems/{id}/resolutions: at the top of the body */
static const wf_member RESOLUTION[] = {
    {.name = "method", .kind = WF_K_CHOICE, .required = 1, .choices = METHODS},
    {.name = "student", .kind = WF_K_STUDENT_ID},
    {.name = "comment", .kind = WF_K_TEXT, .max = 500, .unstored = 1},
    {.name = "reason", .kind = WF_K_TEXT, .max = 500, .required_with = "delete"},
    {.name = "evidence", .kind = WF_K_FILES, .unstored = 1},
    {.name = "changes", .kind = WF_K_CHANGES, .required = 1, .sealed = 1, .with_method = "change"},
    {.name = NULL},
};

/* a university's requests (docs/decisions/0033) */
static const char *const REASON_KINDS[] = {"illness", "military", "personal", NULL};
static const char *const HOSPITALS[] = {"campus", "grade_2a", NULL};
static const wf_member UNI_SUSPEND[] = {
    {.name = "reason_kind",
     .kind = WF_K_CHOICE,
     .required = 1,
     .choices = REASON_KINDS,
     .bad_code = "invalid_value"},
    {.name = "hospital", .kind = WF_K_CHOICE, .choices = HOSPITALS, .bad_code = "invalid_value"},
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = "start_date", .kind = WF_K_DATE, .required = 1},
    {.name = "end_date", .kind = WF_K_DATE, .required = 1, .after = "start_date"},
    {.name = NULL},
};
static const wf_member UNI_PLACE[] = {
    {.name = "reason", .kind = WF_K_TEXT, .max = 500},
    {.name = "class", .kind = WF_K_CLASS, .min = 0, .max = 2147483647},
    {.name = NULL},
};
static const wf_member UNI_REASON[] = {
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = NULL},
};
static const wf_member UNI_MAJOR[] = {
    {.name = "to_major", .kind = WF_K_TEXT, .required = 1, .max = 32},
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = "class", .kind = WF_K_CLASS, .min = 0, .max = 2147483647},
    {.name = NULL},
};
/* grade requests (docs/decisions/0043) */
static const wf_member U_GRADE_REVIEW[] = {
    {.name = "grade", .kind = WF_K_ROW_ID, .required = 1},
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = NULL},
};
static const char *const DEFER_KINDS[] = {"illness", "clash", "force_majeure", NULL};
static const wf_member U_DEFERRED_EXAM[] = {
    {.name = "section", .kind = WF_K_ROW_ID, .required = 1},
    {.name = "reason_kind",
     .kind = WF_K_CHOICE,
     .required = 1,
     .choices = DEFER_KINDS,
     .bad_code = "invalid_value"},
    {.name = "exam_date", .kind = WF_K_DATE, .required = 1},
    {.name = "reason", .kind = WF_K_TEXT, .required = 1, .max = 500},
    {.name = NULL},
};
static const wf_member U_RETAKE[] = {
    {.name = "grade", .kind = WF_K_ROW_ID, .required = 1},
    {.name = "section", .kind = WF_K_ROW_ID},
    {.name = "cross_major", .kind = WF_K_FLAG},
    {.name = "reason", .kind = WF_K_TEXT, .max = 500},
    {.name = NULL},
};
/* the course requests (docs/decisions/0044) */
static const wf_member CREQ_COURSES[] = {
    {.name = "courses", .kind = WF_K_LIST, .required = 1, .max = 30},
    {.name = "reason", .kind = WF_K_TEXT, .max = 500},
    {.name = NULL},
};
static const char *const SUBST_BASES[] = {"transfer_in", "exchange", "visit", "joint_training",
                                          NULL};
static const wf_member CREQ_SUBSTITUTION[] = {
    {.name = "basis",
     .kind = WF_K_CHOICE,
     .required = 1,
     .choices = SUBST_BASES,
     .bad_code = "invalid_value"},
    {.name = "courses", .kind = WF_K_LIST, .required = 1, .max = 30},
    {.name = "reason", .kind = WF_K_TEXT, .max = 500},
    {.name = NULL},
};
static const char *const LATE_BASES[] = {"major_transfer", "transfer_in", "cohort_change",
                                         "resumption", NULL};
static const wf_member CREQ_LATE[] = {
    {.name = "basis",
     .kind = WF_K_CHOICE,
     .required = 1,
     .choices = LATE_BASES,
     .bad_code = "invalid_value"},
    {.name = "remove", .kind = WF_K_LIST, .max = 30},
    {.name = "add", .kind = WF_K_LIST, .max = 30},
    {.name = "reason", .kind = WF_K_TEXT, .max = 500},
    {.name = NULL},
};
static const char *const U_STUDYING[] = {"studying", NULL};
static const char *const U_SELECTING[] = {"studying", "sitting_in", NULL};
static const char *const U_SUSPENDED[] = {"suspended", NULL};
static const char *const U_ACTIVE[] = {"studying", "suspended", NULL};

/* ------------------------------------------------------------ types */

#define C WF_H_COMPETENT
#define LEAVE(t, lbl, st)                                                                          \
    {                                                                                              \
        .type = t, .label = lbl, .from = ACTIVE, .to_state = st, .starter = WF_START_SCHOOL,       \
        .steps = {C}, .effect = WF_E_STATE, .members = REASON_DATE, .revertible = 1                \
    }

const wf_def wf_defs[] = {
    {.type = "registration",
     .label = "新生/在校生注册",
     .from = PENDING,
     .starter = WF_START_NONE,
     .steps = {C},
     .effect = WF_E_REGISTER},
    /* the real chain is built by wf_route(): same authority -> sending
       school, authority; otherwise receiving authority, [receiving province],
       sending school, sending authority, [sending province] */
    {.type = "transfer",
     .label = "转学",
     .from = ENROLLED,
     .starter = WF_START_RECEIVING,
     .steps = {WF_H_RECEIVING_AUTHORITY, WF_H_RECEIVING_PROVINCE, WF_H_SENDING_SCHOOL,
               WF_H_SENDING_AUTHORITY, WF_H_SENDING_PROVINCE},
     .effect = WF_E_TRANSFER,
     .members = TRANSFER,
     .revertible = 1},
    /* a cohort between two schools of one authority: both schools confirm */
    {.type = "batch_transfer",
     .label = "批量转学",
     .from = ENROLLED,
     .starter = WF_START_AUTHORITY,
     .steps = {WF_H_FROM_SCHOOL, WF_H_TO_SCHOOL},
     .effect = WF_E_BATCH_TRANSFER,
     .members = BATCH_TRANSFER,
     .revertible = 1,
     .batch = 1},
    {.type = "suspend",
     .label = "休学",
     .from = ENROLLED,
     .to_state = "suspended",
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_STATE,
     .members = SUSPEND,
     .evidence_required = 1,
     .revertible = 1},
    {.type = "resume",
     .label = "复学",
     .from = SUSPENDED,
     .to_state = "enrolled",
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_STATE,
     .revertible = 1},
    {.type = "withdraw",
     .label = "退学",
     .from = ACTIVE,
     .to_state = "withdrawn",
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_STATE,
     .members = REASON_DATE,
     .senior_only = 1,
     .revertible = 1},
    LEAVE("decease", "死亡", "deceased"),
    LEAVE("go_abroad", "出国/出境", "abroad"),
    LEAVE("leave_other", "其他离校", "left_other"),
    LEAVE("missing", "失踪", "missing"),
    LEAVE("drop_out", "辍学", "dropped_out"),
    {.type = "restore",
     .label = "恢复入学资格",
     .from = LEFT,
     .to_state = "enrolled",
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_STATE,
     .revertible = 1},
    {.type = "grade_change",
     .label = "调整年级（跳级、留级）",
     .from = ENROLLED,
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_GRADE,
     .members = GRADE_CHANGE,
     .revertible = 1},
    {.type = "key_field_change",
     .label = "关键信息变更",
     .from = ANY_ACTIVE,
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_KEY_FIELDS,
     .members = KEY_FIELD_CHANGE,
     .evidence_required = 1,
     .revertible = 1},
    /* a school's graduating grade: primary and junior complete at once */
    {.type = "graduation",
     .label = "毕业",
     .from = ENROLLED,
     .starter = WF_START_SCHOOL,
     .steps = {WF_H_COMPETENT_IF_SENIOR},
     .effect = WF_E_GRADUATE,
     .members = GRADUATION,
     .batch = 1},
    {.type = "graduation_revert",
     .label = "毕业回退",
     .from = GRADUATED,
     .to_state = "enrolled",
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_STATE,
     .revertible = 1},
    /* a university's status changes: the student starts, its offices decide */
    {.type = "uni_suspend",
     .label = "休学（高校）",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_VICE_DEAN, WF_H_U_REGISTRAR_HEAD},
     .effect = WF_E_U_SUSPEND,
     .members = UNI_SUSPEND,
     .evidence_required = 1,
     .revertible = 1,
     .university = 1},
    {.type = "uni_resume",
     .label = "复学（高校）",
     .from = U_SUSPENDED,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_VICE_DEAN, WF_H_U_REGISTRAR_HEAD},
     .effect = WF_E_U_RESUME,
     .members = UNI_PLACE,
     .revertible = 1,
     .university = 1},
    {.type = "uni_withdraw",
     .label = "退学（高校，本人申请）",
     .from = U_ACTIVE,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_ACADEMIC_OFFICE, WF_H_U_REGISTRAR_HEAD, WF_H_U_VICE_PRESIDENT},
     .effect = WF_E_U_WITHDRAW,
     .members = UNI_REASON,
     .revertible = 1,
     .university = 1},
    /* both deans in either order; 插班学习 after the vice-president; the
       province, then the electronic registration (POST .../confirmations) */
    {.type = "major_transfer",
     .label = "转专业",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_SENDING_DEAN, WF_H_U_RECEIVING_DEAN, WF_H_U_REGISTRAR_HEAD,
               WF_H_U_VICE_PRESIDENT, WF_H_PROVINCE, WF_H_U_REGISTRATION},
     .effect = WF_E_U_MAJOR,
     .members = UNI_MAJOR,
     .revertible = 1,
     .parallel = 2,
     .interim = WF_H_U_VICE_PRESIDENT,
     .university = 1},
    {.type = "cohort_change",
     .label = "调整年级（随下届同专业学习）",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_REGISTRAR_HEAD},
     .effect = WF_E_U_COHORT,
     .members = UNI_PLACE,
     .revertible = 1,
     .university = 1},
    /* grade requests of a university student (docs/decisions/0043) */
    {.type = "grade_review",
     .label = "成绩复核",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_COURSE_OFFICE, WF_H_U_REGISTRAR_SECTION},
     .effect = WF_E_U_GRADE_REVIEW,
     .members = U_GRADE_REVIEW,
     .university = 1,
     .subject = "grade",
     .due_fixed = 1,
     .approval_score = 1},
    {.type = "deferred_exam",
     .label = "缓考",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_COURSE_TEACHER, WF_H_U_VICE_DEAN, WF_H_U_DEPUTY_HEAD},
     .effect = WF_E_U_DEFERRED_EXAM,
     .members = U_DEFERRED_EXAM,
     .university = 1,
     .subject = "section"},
    /* the vice-dean's step only for a cross-major retake */
    {.type = "retake",
     .label = "重修",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_RETAKE_OFFICE, WF_H_U_CROSS_VICE_DEAN},
     .effect = WF_E_U_RETAKE,
     .members = U_RETAKE,
     .university = 1,
     .subject = "grade"},
    /* the course requests (docs/decisions/0044): the student starts, the
       teaching vice-dean approves, the registrar section processes or files */
    {.type = "course_exemption",
     .label = "课程免修",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_VICE_DEAN, WF_H_U_REGISTRAR_SECTION},
     .effect = WF_E_U_EXEMPT,
     .members = CREQ_COURSES,
     .revertible = 1,
     .university = 1,
     .due = WF_DUE_WEEK5},
    {.type = "course_substitution",
     .label = "课程置换",
     .from = U_STUDYING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_VICE_DEAN, WF_H_U_REGISTRAR_SECTION},
     .effect = WF_E_U_SUBSTITUTE,
     .members = CREQ_SUBSTITUTION,
     .evidence_required = 1,
     .revertible = 1,
     .university = 1,
     .due = WF_DUE_WEEK5},
    {.type = "course_coverage",
     .label = "课程覆盖",
     .from = U_SELECTING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_VICE_DEAN, WF_H_U_REGISTRAR_SECTION, WF_H_U_DEPUTY_HEAD},
     .effect = WF_E_U_COVER,
     .members = CREQ_COURSES,
     .revertible = 1,
     .university = 1,
     .due = WF_DUE_FRIDAY},
    /* not revertible: the seats it moved may be taken by others since */
    {.type = "late_selection",
     .label = "补选（转专业、转学、随下届、复学）",
     .from = U_SELECTING,
     .starter = WF_START_STUDENT,
     .steps = {WF_H_U_VICE_DEAN, WF_H_U_REGISTRAR_SECTION},
     .effect = WF_E_U_LATE,
     .members = CREQ_LATE,
     .university = 1},
    /* 奖惩 entries leave the record only through the competent authority */
    {.type = "reward_removal",
     .label = "撤销奖惩记录",
     .from = ANY_ACTIVE,
     .starter = WF_START_SCHOOL,
     .steps = {C},
     .effect = WF_E_REWARD_REMOVE,
     .members = REWARD_REMOVAL},
    /* 问题学籍 (DOMAIN rule 24): 佐证, 变更 or 删除, decided by the lowest
       common authority of the schools involved */
    {.type = "problem_resolution",
     .label = "问题学籍处理",
     .from = ANY_ACTIVE,
     .starter = WF_START_PROBLEM,
     .steps = {WF_H_LOWEST_COMMON, WF_H_PROVINCE_IF_DELETE_G},
     .effect = WF_E_RESOLVE,
     .members = RESOLUTION,
     .body_members = 1},
    /* 毕业库抽取 (docs/decisions/0027): several schools may claim one graduate;
       the first claim its authority approves enrols it, the others end */
    {.type = "intake_claim",
     .label = "毕业库抽取",
     .from = IN_POOL,
     .starter = WF_START_CLAIMING,
     .steps = {C},
     .effect = WF_E_INTAKE,
     .members = INTAKE_CLAIM,
     .revertible = 1},
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
    case WF_H_COMPETENT:
        return "competent_authority";
    case WF_H_CHAIN_TO_PROVINCE:
        return "every_level_to_province";
    case WF_H_PROVINCE:
        return "province";
    case WF_H_SENDING_SCHOOL:
        return "sending_school";
    case WF_H_SENDING_AUTHORITY:
        return "sending_authority";
    case WF_H_RECEIVING_AUTHORITY:
        return "receiving_authority";
    case WF_H_SENDING_PROVINCE:
        return "sending_province_if_settings";
    case WF_H_RECEIVING_PROVINCE:
        return "receiving_province_if_settings";
    case WF_H_COMPETENT_IF_SENIOR:
        return "competent_authority_if_senior_secondary";
    case WF_H_FROM_SCHOOL:
        return "sending_school";
    case WF_H_TO_SCHOOL:
        return "receiving_school";
    case WF_H_LOWEST_COMMON:
        return "lowest_common_authority";
    case WF_H_PROVINCE_IF_DELETE_G:
        return "province_if_deleting_g_number";
    case WF_H_U_ACADEMIC_OFFICE:
        return "college_academic_office";
    case WF_H_U_VICE_DEAN:
        return "teaching_vice_dean";
    case WF_H_U_SENDING_DEAN:
        return "sending_dean";
    case WF_H_U_RECEIVING_DEAN:
        return "receiving_dean";
    case WF_H_U_REGISTRAR_HEAD:
        return "registrar_head";
    case WF_H_U_VICE_PRESIDENT:
        return "vice_president";
    case WF_H_U_REGISTRATION:
        return "electronic_registration";
    case WF_H_U_REGISTRAR_SECTION:
        return "registrar_section";
    case WF_H_U_DEPUTY_HEAD:
        return "registrar_deputy_head";
    case WF_H_U_COURSE_OFFICE:
        return "course_college_office";
    case WF_H_U_COURSE_TEACHER:
        return "course_teacher";
    case WF_H_U_RETAKE_OFFICE:
        return "retake_office";
    case WF_H_U_CROSS_VICE_DEAN:
        return "teaching_vice_dean_if_cross_major";
    default:
        return NULL;
    }
}

const char *
wf_holder_label(wf_holder h)
{
    switch (h) {
    case WF_H_COMPETENT:
        return "学生所在学校的主管教育行政部门";
    case WF_H_CHAIN_TO_PROVINCE:
        return "主管部门起逐级至省级教育行政部门";
    case WF_H_PROVINCE:
        return "省级教育行政部门";
    case WF_H_SENDING_SCHOOL:
        return "转出学校";
    case WF_H_SENDING_AUTHORITY:
        return "转出学校主管部门（两校主管部门相同时仅此一步）";
    case WF_H_RECEIVING_AUTHORITY:
        return "转入学校主管部门（主管部门不同时）";
    case WF_H_SENDING_PROVINCE:
        return "转出省（跨省且该省设置要求时）";
    case WF_H_RECEIVING_PROVINCE:
        return "转入省（跨省且该省设置要求时）";
    case WF_H_COMPETENT_IF_SENIOR:
        return "主管部门（仅普通高中；小学、初中由学校直接办理）";
    case WF_H_FROM_SCHOOL:
        return "转出学校";
    case WF_H_TO_SCHOOL:
        return "转入学校";
    case WF_H_LOWEST_COMMON:
        return "涉及学校的最低共同主管部门";
    case WF_H_PROVINCE_IF_DELETE_G:
        return "省级教育行政部门（删除G字头学籍时）";
    case WF_H_U_ACADEMIC_OFFICE:
        return "学生所在学院教务办公室";
    case WF_H_U_VICE_DEAN:
        return "学生所在学院教学院长";
    case WF_H_U_SENDING_DEAN:
        return "转出学院院长";
    case WF_H_U_RECEIVING_DEAN:
        return "转入学院院长";
    case WF_H_U_REGISTRAR_HEAD:
        return "教务处处长";
    case WF_H_U_VICE_PRESIDENT:
        return "主管校长";
    case WF_H_U_REGISTRATION:
        return "学信网电子注册（学生处或省级服务客户端确认）";
    case WF_H_U_REGISTRAR_SECTION:
        return "教务处教务科";
    case WF_H_U_DEPUTY_HEAD:
        return "教务处主管处长";
    case WF_H_U_COURSE_OFFICE:
        return "任课教师所在学院教务办公室";
    case WF_H_U_COURSE_TEACHER:
        return "任课教师";
    case WF_H_U_RETAKE_OFFICE:
        return "学生所在学院或体育学院教务办公室";
    case WF_H_U_CROSS_VICE_DEAN:
        return "学生所在学院教学院长（跨专业重修时）";
    default:
        return NULL;
    }
}

const char *
wf_starter_name(wf_starter s)
{
    switch (s) {
    case WF_START_SCHOOL:
        return "school";
    case WF_START_RECEIVING:
        return "receiving_school";
    case WF_START_NONE:
        return "registration";
    case WF_START_AUTHORITY:
        return "authority_over_both_schools";
    case WF_START_PROBLEM:
        return "problem_resolution";
    case WF_START_CLAIMING:
        return "claiming_school";
    case WF_START_STUDENT:
        return "student";
    default:
        return NULL;
    }
}

const char *
wf_effect_name(wf_effect e)
{
    switch (e) {
    case WF_E_REGISTER:
        return "enrol";
    case WF_E_STATE:
        return "set_state";
    case WF_E_TRANSFER:
        return "move_to_receiving_school";
    case WF_E_GRADE:
        return "change_grade";
    case WF_E_KEY_FIELDS:
        return "change_key_fields";
    case WF_E_BATCH_TRANSFER:
        return "move_members_to_receiving_school";
    case WF_E_GRADUATE:
        return "graduate_members";
    case WF_E_RESOLVE:
        return "resolve_problem";
    case WF_E_INTAKE:
        return "enrol_at_claiming_school";
    case WF_E_U_SUSPEND:
        return "suspend_until_end_date";
    case WF_E_U_RESUME:
        return "resume_in_cohort";
    case WF_E_U_WITHDRAW:
        return "withdraw_and_close";
    case WF_E_U_MAJOR:
        return "sit_in_then_change_major";
    case WF_E_U_COHORT:
        return "next_cohort_with_notice";
    case WF_E_REWARD_REMOVE:
        return "remove_reward_entry";
    case WF_E_U_GRADE_REVIEW:
        return "correct_grade";
    case WF_E_U_DEFERRED_EXAM:
        return "defer_exam_to_next_cohort";
    case WF_E_U_RETAKE:
        return "retake_selection";
    case WF_E_U_EXEMPT:
        return "exempt_and_drop_selections";
    case WF_E_U_SUBSTITUTE:
        return "substitute_and_drop_selections";
    case WF_E_U_COVER:
        return "cover_and_drop_selections";
    case WF_E_U_LATE:
        return "drop_and_add_sections";
    default:
        return NULL;
    }
}

const wf_member *
wf_def_member(const wf_def *d, const char *name)
{
    for (const wf_member *m = d->members; m && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}
