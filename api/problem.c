/*
 * api/problem.c - the only place where an app_err becomes an HTTP status and
 * RFC 9457 problem+json, in Chinese (default) or English (Accept-Language: en).
 * Internal details (SQL errors, paths) are logged with the request id, never sent.
 */
#include "api/api.h"
#include "api/handlers.h"
#include "api/log.h"
#include "core/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct problem {
    const char *slug;
    int status;
    const char *zh, *en;
} problem;

/* Slugs are the stable `code` of API.md; add one line per new error. */
static const problem problems[] = {
    {"route_not_found", 404, "请求的地址不存在", "No such resource path"},
    {"not_found", 404, "资源不存在", "Resource not found"},
    {"region_not_found", 404, "行政区划代码不存在", "No such region code"},
    {"code_table_not_found", 404, "代码表不存在", "No such code table"},
    {"method_not_allowed", 405, "该地址不支持此请求方法", "Method not allowed on this resource"},
    {"malformed_json", 400, "请求体不是合法的 JSON", "The request body is not valid JSON"},
    {"invalid_parameter", 400, "请求参数不合法", "Invalid request parameter"},
    {"invalid_cursor", 400, "分页游标无效", "Invalid pagination cursor"},
    {"invalid_min_lsn", 400, "xueji-min-lsn 无效（须为写入应答的 xueji-lsn，如 0/16B3748）",
     "xueji-min-lsn is invalid (it is a write's xueji-lsn, such as 0/16B3748)"},
    {"invalid_idempotency_key", 400, "Idempotency-Key 无效（1 至 255 个字符）",
     "Invalid Idempotency-Key (1 to 255 characters)"},
    {"body_too_large", 413, "请求体过大", "Request body too large"},
    {"unsupported_media_type", 415, "请求体须为 application/json",
     "The request body must be application/json"},
    {"validation_failed", 422, "数据校验未通过", "Validation failed"},
    {"invalid_id_number", 422, "身份证件号不正确", "Invalid ID number"},
    {"invalid_region_code", 422, "行政区划代码不正确", "Invalid region code"},
    {"invalid_school_code", 422, "学校标识码不正确", "Invalid school code"},
    {"invalid_student_number", 422, "学籍号不正确", "Invalid student number"},
    {"missing_field", 422, "缺少必填字段", "A required field is missing"},
    {"wrong_type", 422, "字段类型不正确", "A field has the wrong type"},
    {"idempotency_key_reused", 422, "Idempotency-Key 已用于另一个请求",
     "This Idempotency-Key was used for a different request"},
    {"idempotency_in_progress", 409, "相同 Idempotency-Key 的请求正在处理",
     "A request with this Idempotency-Key is still in progress"},
    {"invalid_credentials", 401, "用户名或密码错误", "Wrong username or password"},
    {"invalid_token", 401, "访问令牌无效，请重新登录", "Invalid access token; log in again"},
    {"token_expired", 401, "访问令牌已过期，请刷新或重新登录",
     "Access token expired; refresh or log in"},
    {"token_revoked", 401, "访问令牌已失效，请重新登录", "Access token revoked; log in again"},
    {"account_inactive", 401, "账户已停用、冻结或锁定，请重新登录",
     "The account is disabled, frozen or locked"},
    {"invalid_refresh_token", 401, "刷新令牌无效或已过期，请重新登录",
     "Invalid or expired refresh token; log in again"},
    {"refresh_token_reused", 401, "刷新令牌被重复使用，已注销该登录，请重新登录",
     "Refresh token reused: the session was revoked; log in again"},
    {"invalid_client", 401, "客户端凭据错误", "Wrong client credentials"},
    {"unsupported_grant_type", 400, "不支持的 grant_type", "Unsupported grant_type"},
    {"account_locked", 423, "登录失败次数过多，账户已临时锁定",
     "Too many failed logins: the account is locked for a while"},
    {"account_disabled", 403, "账户已停用，请联系上级管理员",
     "The account is disabled; ask your superior administrator"},
    {"account_frozen", 403, "账户长期未使用已冻结，请联系上级管理员解冻",
     "The account was frozen after long disuse; ask your superior administrator"},
    {"password_change_required", 403, "请先修改密码", "You must change your password first"},
    {"weak_password", 422, "密码不符合要求", "The password does not meet the policy"},
    {"password_too_short", 422, "密码至少 10 个字符", "At least 10 characters"},
    {"password_too_long", 422, "密码过长（最多 128 字节）", "Too long (at most 128 bytes)"},
    {"password_classes", 422, "密码须包含大写字母、小写字母、数字、符号中的至少三类",
     "Use at least three of: upper case, lower case, digits, symbols"},
    {"password_contains_username", 422, "密码不能与用户名相同或包含用户名",
     "The password must not be or contain the username"},
    {"password_reused", 422, "新密码不能与旧密码相同", "The new password must differ from the old"},
    {"wrong_password", 422, "原密码错误", "The old password is wrong"},
    {"username_taken", 409, "用户名已存在", "The username is taken"},
    /* accounts and service clients (api/h_users.c, api/h_clients.c) */
    {"user_not_found", 404, "账户不存在", "No such account"},
    {"org_not_found", 404, "单位不存在或不在管辖范围内",
     "No such organisation in your jurisdiction"},
    {"invalid_username", 422, "用户名须为 3 至 64 个字母、数字或 _ . @ -",
     "The username must be 3 to 64 letters, digits or _ . @ -"},
    {"invalid_display_name", 422, "姓名须为 1 至 100 个字符，不含控制字符",
     "The display name must be 1 to 100 characters without control characters"},
    {"invalid_name", 422, "名称须为 1 至 100 个字符，不含控制字符",
     "The name must be 1 to 100 characters without control characters"},
    {"invalid_role", 422, "角色须为 school、county、city、province 或 ministry",
     "The role must be school, county, city, province or ministry"},
    {"invalid_org", 422, "单位代码不正确（6 位行政区划代码或 10 位学校标识码）",
     "Invalid organisation code (a 6-digit region code or a 10-digit school code)"},
    {"role_org_mismatch", 422, "角色与单位级别不一致",
     "The role does not match the level of the org"},
    {"invalid_staff_role", 422,
     "学校岗位须为 registrar、grade_leader 或 head_teacher，且仅用于学校账户",
     "staff_role must be registrar, grade_leader or head_teacher, for school accounts only"},
    {"invalid_grade", 422, "年级代码不正确，或该账户不是年级组长",
     "Invalid grade code, or the account is not a grade leader"},
    {"invalid_classes", 422, "班级须为本校班级编号（1 至 32 个，不重复），且仅用于班主任",
     "classes must be 1 to 32 distinct class ids of the school, for head teachers only"},
    {"field_not_editable", 422, "该字段不能通过此接口修改", "This field cannot be changed here"},
    {"role_not_allowed", 403, "无权创建该角色的账户", "You may not create accounts of this role"},
    {"precondition_required", 428, "缺少 If-Match 请求头，请先读取资源并带上其 ETag",
     "If-Match is required: read the resource and send its ETag"},
    {"invalid_request", 400, "令牌请求不完整或有误", "Malformed token request"},
    /* schools, classes, region settings (api/h_schools.c, api/h_settings.c) */
    {"school_not_found", 404, "学校不存在", "No such school"},
    {"school_exists", 409, "该学校标识码已存在", "A school with this code already exists"},
    {"school_closed", 409, "学校已关闭，不能办理此项业务", "The school is closed"},
    {"school_merged", 409, "该校已并入其他学校，不能重新启用",
     "The school was merged into another and stays closed"},
    {"merge_into_self", 422, "不能将学校合并到其自身", "A school cannot be merged into itself"},
    {"school_has_open_requests", 409, "两校有正在办理的业务申请，须先办结或撤回",
     "A request of either school is still open; finish or withdraw it first"},
    {"school_has_open_problems", 409, "两校有未处理的问题学籍，须先处理",
     "Either school has open problem records; resolve them first"},
    {"class_numbers_exhausted", 409, "合并后该年级的班号将超过 99",
     "Renumbering the merged classes would pass class 99"},
    {"class_exists", 409, "该年级已有此班号", "This class number already exists in the grade"},
    {"unknown_county", 422, "所在地须为现行的县级行政区划（或不设县区的地级市）",
     "county must be a current county (or a city without counties)"},
    {"province_mismatch", 422, "所在县区不属于学校标识码中的省份",
     "The county is not in the province of the school code"},
    {"invalid_authority", 422, "主管部门须为学校所在县区或其所属的市、省",
     "The authority must be the school's county or the city or province containing it"},
    {"authority_out_of_jurisdiction", 403, "主管部门不在您的管辖范围内",
     "The competent authority is outside your jurisdiction"},
    {"category_mismatch", 422, "学校类别与学校标识码中的类别代码不一致",
     "category differs from the category digits of the school code"},
    {"invalid_school_system", 422, "学制须为 63（六三制）或 54（五四制）",
     "system must be 63 (6+3) or 54 (5+4)"},
    {"system_conflicts_with_classes", 409, "现有班级的年级不符合新学制",
     "Existing classes do not fit the new school system"},
    {"grade_not_in_school", 422, "本校的学段（学校类别与学制）不含该年级",
     "The school does not teach this grade (by its category and system)"},
    {"invalid_class_number", 422, "班号须为 1 至 99 的整数", "The class number must be 1 to 99"},
    {"invalid_size_limit", 422, "班额上限须为 1 至 200 的整数", "size_limit must be 1 to 200"},
    {"unknown_field", 422, "未知字段", "Unknown field"},
    {"unknown_setting", 422, "未知的设置项", "Unknown setting"},
    {"invalid_setting", 422, "设置项的取值不正确", "Invalid setting value"},
    {"window_closed", 409, "不在主管部门开放的学籍上报时间内",
     "Outside the reporting window opened by the competent authority"},
    {"conflict", 409, "与现有数据冲突", "Conflicts with existing data"},
    {"invalid_state", 409, "当前状态不允许此操作", "Not allowed in the current state"},
    {"unauthenticated", 401, "未登录或登录已失效", "Missing or invalid credentials"},
    {"forbidden", 403, "无权执行此操作", "Not allowed"},
    {"precondition_failed", 412, "数据已被他人修改，请刷新后重试",
     "The resource changed since it was read; reload and retry"},
    {"rate_limited", 429, "请求过于频繁，请稍后再试", "Too many requests; retry later"},
    {"database_unavailable", 503, "服务暂不可用（数据库无法连接），请稍后再试",
     "Service unavailable (database unreachable); retry later"},
    {"database_timeout", 503, "数据库响应超时，请稍后再试",
     "The database did not answer in time; retry later"},
    {"server_busy", 503, "服务繁忙，请求等待超时，请稍后再试",
     "The service is busy and the request waited too long; retry later"},
    {"not_ready", 503, "服务尚未就绪", "Service not ready"},
    {"internal_error", 500, "服务器内部错误", "Internal server error"},
    /* students (issue #4) */
    {"student_not_found", 404, "学生不存在", "No such student"},
    {"request_not_found", 404, "业务申请不存在", "No such request"},
    /* the notices of a university's status changes (GET /requests/{id}/notice.pdf) */
    {"request_has_no_notice", 409, "该类业务不出具通知单（仅休学、调整年级出具）",
     "This request type issues no notice (only uni_suspend and cohort_change do)"},
    {"request_not_applied", 409, "该业务尚未批准生效或已被撤销，不能出具通知单",
     "The request is not approved and applied (or was reverted): no notice"},
    {"photo_not_found", 404, "该学生没有照片", "The student has no photo"},
    {"duplicate_enrolled", 409, "该身份证件已有在籍学籍",
     "This identity already holds an active record"},
    {"student_has_record", 409, "该身份证件号已有学籍记录（如已毕业），暂不能再次注册",
     "A record (a graduate's, say) holds this ID's student number: not registrable yet"},
    {"compulsory_repeater", 409,
     "义务教育阶段不招收复读生：该学生已在本学段毕业（结业），不能再次注册本学段学籍",
     "Compulsory education takes no repeaters: the pupil already finished this stage"},
    {"effective_date_too_old", 422, "转学生效日期早于本省允许补录的期限",
     "The transfer's effective date lies before the province's limit for recording it late"},
    {"family_member_required", 422, "须填写第二位家庭成员（孤儿、单亲家庭可填写亲属或老师）",
     "A second family member is required (a relative or a teacher for orphans and single parents)"},
    {"expulsion_not_compulsory", 422, "义务教育阶段不得开除学籍",
     "Expulsion (开除学籍) is not given in the compulsory stage"},
    {"reward_not_found", 422, "该学生没有这条奖惩记录（或已撤销）",
     "The student has no such reward or punishment entry (or it was removed)"},
    {"class_full", 409, "班级人数已达上限", "The class is full"},
    {"class_not_found", 422, "学校没有该年级班级", "The school has no such class"},
    {"below_entry_age", 422, "未达到一年级入学年龄", "Below the entry age for grade 1"},
    {"contradicts_id_number", 422, "与身份证件号不一致", "Contradicts the ID number"},
    {"id_type_not_allowed", 422, "学生不能使用该类身份证件",
     "Students cannot hold this document type"},
    {"guardian_document_required", 422, "无身份证件的学生须有持身份证件的监护人",
     "A student without a document needs a guardian who holds one"},
    {"invalid_code", 422, "不是代码表中的值", "Not a value of the code table"},
    {"invalid_text", 422, "包含不允许的字符", "Contains characters that are not allowed"},
    {"too_long", 422, "内容过长", "Too long"},
    {"invalid_date", 422, "日期不正确", "Invalid date"},
    {"invalid_month", 422, "年月不正确", "Invalid year and month"},
    {"invalid_phone", 422, "联系电话不正确", "Invalid phone number"},
    {"invalid_postcode", 422, "邮政编码应为 6 位数字", "A postcode is six digits"},
    {"invalid_email", 422, "电子信箱格式不正确", "Invalid email address"},
    {"invalid_url", 422, "主页地址须以 http:// 或 https:// 开头",
     "A homepage starts with http:// or https://"},
    {"invalid_distance", 422, "上下学距离不正确", "Invalid distance"},
    {"invalid_pinyin", 422, "姓名拼音只能包含拉丁字母和空格",
     "Pinyin takes Latin letters and spaces only"},
    {"invalid_digits", 422, "只能由数字组成", "Digits only"},
    {"too_many_items", 422, "项数过多", "Too many items"},
    /* grades and the grade requests of a university (issue 17, docs/decisions/0043) */
    {"unknown_student_no", 422, "学号不存在", "No student of the university has this number"},
    {"exam_not_allowed", 422, "该考试类型不适用于此学生（重修、缓考须有对应记录）",
     "This exam kind does not apply to the student"},
    {"invalid_score", 422, "成绩应为 0 到 100 之间、至多一位小数的数",
     "A score is a number from 0 to 100 with one decimal at most"},
    {"grade_not_found", 404, "成绩不存在", "No such grade"},
    {"not_last_term", 422, "只能申请复核上学期的成绩", "Only last term's grades can be reviewed"},
    {"not_failed", 422, "该课程成绩合格，无需重修", "The course was passed: no retake"},
    {"retake_excluded", 422, "公共选修课不能重修", "Public electives cannot be retaken"},
    {"no_retake_section", 422, "本学期没有可重修的教学班",
     "No section of the course to retake this term"},
    {"cross_major_not_allowed", 422, "低年级同专业仍开设该课程，不能跨专业重修",
     "The lower cohort of the same major offers the course: no cross-major retake"},
    {"exam_too_soon", 422, "缓考须在考试前至少一周申请",
     "A deferred exam is applied for at least a week before the exam"},
    {"score_required", 422, "教务科审批复核须给出更正后的成绩或 unchanged",
     "The registrar section's approval gives the corrected score or unchanged"},
    {"key_field_requires_approval", 422, "关键信息须通过变更申请审批后修改",
     "Key fields change only through an approved key_field_change request"},
    {"class_out_of_scope", 403, "目标班级不在您的管理范围内（班主任只能在本人所带班级之间调班）",
     "The destination class is outside your scope (a head teacher moves pupils between their own classes only)"},
    {"grade_change_requires_approval", 422, "调整年级须通过异动申请",
     "A grade change needs a request"},
    {"student_not_active", 409, "该学籍不在籍，不能修改", "The record is not active"},
    {"student_has_problem", 409, "该学籍有未处理的问题学籍记录", "The record has an open problem"},
    {"student_in_flight", 409, "该学生有正在办理的业务（异动中）",
     "The student has an open request"},
    {"student_not_enrolled", 422, "该学生不在读", "The student is not enrolled"},
    {"student_number_exhausted", 409, "无法分配学籍号，请联系上级部门",
     "No student number is free"},
    {"invalid_term", 422, "学期格式应为 YYYY-1（秋季）或 YYYY-2（春季）",
     "A term is YYYY-1 (autumn) or YYYY-2 (spring)"},
    {"photo_too_large", 413, "照片不能超过 200 KB", "A photo may be at most 200 KB"},
    {"photo_bad_format", 422, "照片须为 JPEG 或 PNG 图片", "A photo must be a JPEG or PNG image"},
    {"photo_bad_size", 422, "照片像素尺寸不合适（32 至 4096 像素，长宽比不超过 3）",
     "Photo size out of range (32 to 4096 pixels, aspect ratio at most 3)"},
    {"step_already_decided", 409, "该审批步骤已处理，请刷新后查看",
     "That step was already decided"},
    {"not_step_holder", 403, "当前步骤不由本单位审批", "Your org does not hold this step"},
    {"invalid_action", 422, "不支持的审批操作", "Unsupported action"},
    {"transition_not_allowed", 422, "学籍当前状态不允许此业务",
     "Not allowed in the record's state"},
    /* workflow (issue #5) */
    {"invalid_request_type", 422, "不支持的业务类型", "Unknown request type"},
    {"evidence_required", 422, "该业务须上传佐证材料", "This request needs evidence files"},
    {"file_not_found", 422, "佐证材料不存在或不属于本单位", "No such evidence file of your org"},
    {"file_bad_format", 422, "佐证材料须为 JPEG、PNG 或 PDF 文件",
     "Evidence must be JPEG, PNG or PDF"},
    {"file_too_large", 413, "佐证材料不能超过 2 MB", "An evidence file may be at most 2 MB"},
    {"to_school_not_caller", 422, "转学须由转入学校发起",
     "A transfer is started by the receiving school"},
    {"transfer_blackout", 409, "当前为转学暂停期，不能发起新的转学",
     "No new transfers in the blackout period"},
    {"not_request_starter", 403, "只有发起单位可以撤回或重新提交",
     "Only the starter may withdraw or resubmit"},
    {"grade_not_final", 422, "该年级不是本校的毕业年级", "Not the school's graduating grade"},
    {"student_not_in_grade", 422, "该学生不在本次毕业的年级中",
     "The student is not in the graduating grade"},
    {"no_students", 422, "没有可办理的学生", "No student to include"},
    {"same_school", 422, "转出学校与转入学校相同", "Sending and receiving school are the same"},
    {"student_not_in_problem", 422, "该学生不属于此问题学籍",
     "The student is not part of this problem record"},
    {"invalid_method", 422, "处理方式应为 evidence（佐证）、change（变更）或 delete（删除）",
     "method must be evidence, change or delete"},
    {"duplicate_value", 422, "重复的值", "Duplicate value"},
    {"problem_not_found", 404, "问题学籍不存在", "No such problem record"},
    {"problem_in_flight", 409, "该问题学籍已有处理中的申请",
     "The problem record already has an open resolution"},
    {"problem_resolved", 409, "该问题学籍已处理完毕", "The problem record is already resolved"},
    {"import_not_found", 404, "导入任务不存在", "No such import job"},
    {"import_empty", 422, "文件是空的，或没有表头", "The file is empty or has no header row"},
    {"import_worker_lost", 422,
     "导入任务已停止：处理它的服务进程两次意外中断，已提交的行保留；请检查文件后把其余的行重新上传，或联系管理员",
     "The import was stopped: the process running it ended unexpectedly twice; committed rows stay. Check the file and upload the remaining rows again, or contact the administrators"},
    {"import_no_rows", 422, "文件中没有学生数据：请从第二行起每行填写一名学生",
     "The file has no student rows: fill in one pupil per row from row 2"},
    {"import_xls", 415, "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传",
     "Old .xls files are not supported: save as .xlsx and upload that"},
    {"import_format", 415, "请上传 .xlsx 或 .csv 文件", "Upload an .xlsx or .csv file"},
    {"template_mismatch", 422, "不符合模板", "The file does not follow the template"},
    {"template_version", 422, "模板版本不符，请下载最新模板后重新填写",
     "Another template version: download the current template"},
    {"number_lost_digits", 422,
     "身份证号被Excel转成了数字，末几位已丢失：请把该列设为文本格式后重新输入",
     "Excel turned the ID number into a number and lost its last digits: format the column as text and type it again"},
    {"distance_with_unit", 422, "只填数字（公里），不要写单位",
     "A number of km only, without a unit"},
    {"no_matching_student", 422, "本校没有姓名和证件号都相符的学生（批量更新不新增学生）",
     "No student of the school has this name and ID number (an update creates no student)"},
    {"revert_conflict", 409, "该学生此后已有其他变动，不能回退此业务",
     "The record changed after this request; revert the later change first"},
    {"not_revertible", 422, "该业务不能纠错回退", "This request cannot be reverted"},
    {"nothing_changes", 422, "变更内容与现有信息相同", "The changes equal the current values"},
    {"not_a_key_field", 422, "只能变更关键信息（姓名、性别、出生日期、身份证件类型、身份证件号）",
     "Only key fields (name, gender, birth date, document type and number) change here"},
    {"import_not_finished", 409, "导入任务尚未完成，请稍后再下载错误行",
     "The import has not finished yet; fetch its rejected rows later"},
    {"import_file_rejected", 409,
     "导入文件整体未通过检查（文件损坏或表头不符合模板），没有可下载的错误行，请按导入结果中的说明修改后重新上传",
     "The file was refused as a whole (damaged, or not the template): there are no rejected rows; fix it as the import's errors say and upload it again"},
    {"import_upload_deleted", 410,
     "导入文件已超过保留期限并已删除，无法再生成错误行文件；导入结果中的错误说明仍可查看，请按其修改原文件后重新上传",
     "The uploaded file was deleted after its retention period, so its rejected rows can no longer be given back; the import's errors are still listed in the job"},
    {"school_required", 400, "教育行政部门导出花名册须指定学校（school 参数）",
     "A bureau exports one school at a time: give school"},
    {"export_too_large", 422, "导出的学生过多，请按年级或班级分批导出",
     "Too many students for one export: export by grade or class"},
    {"invalid_group_by", 400,
     "group_by 只能是 grade、gender、ethnicity、school、county、left_behind、migrant_child、boarding、disability，逗号分隔且不重复",
     "group_by takes distinct comma-separated keys of grade, gender, ethnicity, school, county, left_behind, migrant_child, boarding, disability"},
    {"report_too_large", 422, "统计结果的行数过多，请减少分组项或缩小区域",
     "The report has too many rows: group by fewer keys or narrow the region"},
    /* spreadsheet files (issue #6: formats/zip.h, formats/xlsx.h, formats/csv.h) */
    {"xlsx_not_zip", 422, "文件不是 Excel 工作簿（.xlsx）",
     "The file is not an Excel workbook (.xlsx)"},
    {"xlsx_no_workbook", 422, "压缩包中没有 Excel 工作簿，请上传 .xlsx 文件",
     "The archive holds no Excel workbook; upload an .xlsx file"},
    {"xlsx_no_sheet", 422, "工作簿中没有可读取的工作表", "The workbook has no worksheet to read"},
    {"xlsx_malformed", 422, "Excel 文件已损坏或格式不正确，请在 Excel 中打开后重新保存",
     "The Excel file is damaged or malformed; open it in Excel and save it again"},
    {"xlsx_unsupported", 422, "不支持此种 Excel 文件，请在 Excel 中另存为 .xlsx 后上传",
     "This kind of Excel file is not supported; save it as .xlsx in Excel and upload that"},
    {"xlsx_too_large", 413, "Excel 文件内容过大", "The Excel file's content is too large"},
    {"xlsx_bad_sheet_name", 422, "工作表名称不合规", "Invalid worksheet name"},
    {"csv_bad_encoding", 422, "CSV 文件的字符编码无法识别（应为 UTF-8 或 GBK）",
     "Unrecognised CSV encoding (UTF-8 or GBK expected)"},
    {"csv_malformed", 422, "CSV 文件格式不正确", "The CSV file is malformed"},
    {"csv_too_large", 413, "CSV 文件的一行过长或列数过多",
     "A CSV record is too long or has too many fields"},
    /* class assignment file and school system change (issue 15, docs/decisions/0028) */
    {"student_not_in_school", 422, "本校没有该记录编号的学生（请使用本校导出的分班表）",
     "No pupil of the school has this record id (use the class file exported for the school)"},
    {"student_name_mismatch", 422, "姓名与该记录编号的学生不符",
     "The name is not that of the pupil with this record id"},
    {"invalid_record_id", 422, "记录编号应为导出时的数字编号，请勿修改",
     "The record id must be the number the file was exported with"},
    {"grade_mismatch", 422, "学生当前所在年级与表中年级不符（导出后年级已变动），请重新导出分班表",
     "The pupil's grade now differs from the file's (it changed since the export): export the file again"},
    {"class_wrong_grade", 422, "所填班级不属于该学生所在年级（分班、调班只能在本年级内进行）",
     "The class given belongs to another grade (classes change within the pupil's grade only)"},
    {"invalid_class_cell", 422, "新班级应填写班号（如 3）或本年级班级名称（如 一年级(3)班）",
     "The new class must be a class number (3) or a class name of the grade (一年级(3)班)"},
    {"invalid_system", 422, "学制只能是 63（六三制）或 54（五四制）",
     "The system must be 63 or 54"},
    {"invalid_effective_year", 422, "生效学年只能是当前学年或下一学年",
     "The effective school year must be the current one or the next"},
    {"system_unchanged", 409, "学校已是该学制", "The school has this system already"},
    {"system_change_blocked", 409,
     "该年级有在籍学生，变更学制后本校不再设该年级：请先办理毕业或转出后再变更学制",
     "Pupils are in a grade the school would no longer teach: graduate or transfer them first"},
    /* the graduate pool (毕业库抽取, issue #15: docs/decisions/0027) */
    {"already_claimed", 409, "本校已提交对该毕业生的抽取申请，正在审核中",
     "This school already has an open claim on that graduate"},
    /* universities (docs/decisions/0032) */
    {"not_a_university", 404, "该学校不是高等学校", "The school is not a university"},
    /* selection rounds and their lottery (issue 17, docs/decisions/0042) */
    {"round_not_found", 404, "选课轮次不存在", "No such selection round"},
    {"round_closed", 409, "选课轮次未开放或已结束（预选结束后须待抽签）",
     "No selection round is open (or the round is already closed, or its lottery not drawn)"},
    {"round_not_drawn", 409, "该选课轮次尚未抽签", "The selection round has not been drawn"},
    {"invalid_college_code", 422, "院系代码须为 1 至 10 位字母或数字",
     "A college code is 1 to 10 letters or digits"},
    {"college_exists", 409, "该校已有此院系代码", "The university already has this college code"},
    {"pe_college_exists", 409, "该校已有体育学院", "The university already has a PE college"},
    {"college_not_found", 422, "该校没有此学院", "The university has no such college"},
    {"invalid_college", 422, "学院只属于学院级岗位（学院教务办公室、教学院长、院长、任课教师）",
     "Only a college's offices (office, teaching vice-dean, dean, course teacher) have a college"},
    {"invalid_major_code", 422, "专业代码须为 1 至 12 位字母或数字",
     "A major code is 1 to 12 letters or digits"},
    {"invalid_level", 422, "培养层次须为本科（undergraduate）或专科（junior）",
     "The level is undergraduate or junior"},
    {"invalid_years", 422, "学制须为 2 至 8 年", "The length of study is 2 to 8 years"},
    {"major_exists", 409, "该校已有此专业代码", "The university already has this major code"},
    {"major_not_found", 422, "该校没有此专业", "The university has no such major"},
    /* issue 17: the catalog, teaching plans and sections (core/uni_catalog.h) */
    {"course_not_found", 404, "该校没有此课程号", "The university has no such course"},
    {"unknown_course", 422, "该校没有此课程号（请先在课程库中建立该课程）",
     "The university has no such course (create it in the catalog first)"},
    {"section_not_found", 404, "该校没有此教学班", "The university has no such section"},
    {"invalid_course_code", 422, "课程号须为 1 至 16 位字母或数字",
     "A course code is 1 to 16 letters or digits"},
    {"invalid_course_kind", 422,
     "课程属性须为必修（compulsory）、选修（elective）、公共选修（public_elective）或体育（pe）",
     "The course kind is compulsory, elective, public_elective or pe"},
    {"invalid_credits", 422, "学分须大于 0、不超过 30，最多一位小数",
     "Credits are more than 0, at most 30, with at most one decimal"},
    {"invalid_hours", 422, "学时须为 1 至 1000", "Hours are 1 to 1000"},
    {"course_exists", 409, "该校已有此课程号", "The university already has this course code"},
    {"plan_duplicate_course", 422, "同一课程在培养方案中只能出现一次",
     "A course appears once in a teaching plan"},
    {"invalid_term_no", 422, "学期序号须为 1 至 16", "The term of study is 1 to 16"},
    {"invalid_section_number", 422, "课序号须为 1 至 999", "A section number is 1 to 999"},
    {"invalid_capacity", 422, "容量须为 1 至 10000", "The capacity is 1 to 10000"},
    {"teacher_not_found", 422, "该校没有此任课教师账户（须为启用的任课教师）",
     "The university has no such enabled course teacher account"},
    {"section_exists", 409, "该课程本学期已有此课序号",
     "The course already has a section of this number in the term"},
    {"capacity_below_taken", 409, "容量不能低于已选人数",
     "The capacity cannot fall below the seats already taken"},
    /* issue 16: the university student file (core/uni_file.h) */
    {"study_level_mismatch", 422, "层次与专业的培养层次不符", "The study level is not the major's"},
    {"invalid_cohort", 422, "年级（入学年份）不正确", "Invalid cohort (entry year)"},
    {"invalid_student_no", 422, "学号须为 4 至 20 位字母或数字",
     "A student number (学号) is 4 to 20 letters or digits"},
    {"student_no_taken", 409, "该校已有此学号", "The university already has this student number"},
    {"account_exists", 409, "该学生已有登录账户", "The student already has an account"},
    {"invalid_weeks", 422, "教学周数须为 1 至 30", "The number of teaching weeks is 1 to 30"},
    {"uni_reference", 422, "引用的院系、专业、年级或班级不存在",
     "A referenced college, major, cohort or class does not exist"},
    /* the school calendar and promotion (api/h_promotion.c, core/promotion.h) */
    {"invalid_year", 422, "学年应为 1990 至 2100 之间的年份（学年开始的年份）",
     "A school year is a year from 1990 to 2100 (the year it starts in)"},
    {"term_not_in_calendar", 422, "该学期不在校历中（须为本学年或上一学年的学期）",
     "The term is not in the calendar (a term of this or the last school year)"},
    {"promotion_not_due", 409, "该学年尚未到升级时间或已过升级期限",
     "Promotion of this school year is not due (from its second term to the end of the next year)"},
    {"promotion_done", 409, "该校该学年已完成升级", "This school year was already promoted"},
    {"promotion_not_found", 404, "该校该学年没有已完成的升级",
     "No applied promotion of this school year"},
    {"promotion_changed", 409, "升级后已有学生发生变动或有未办结业务，不能整体回退",
     "Pupils changed since the promotion or have open business: it cannot be reverted as a whole"},
    {"promotion_year_over", 409, "已过升级后的学年，不能回退",
     "The school year after the promotion is over"},
    {"promotion_not_applied", 409, "该升级已回退", "This promotion was reverted already"},
    {"promotion_job_not_found", 404, "升级任务不存在", "No such promotion job"},
    /* information sheets and parent confirmations (issue #15: api/h_print.c) */
    {"pdf_font_missing", 503, "服务器缺少中文字体，无法生成 PDF（请安装 fonts-wqy-microhei）",
     "No font for Chinese text on the server, so no PDF can be made (install fonts-wqy-microhei)"},
    {"already_confirmed", 409, "该学生本学期的家长确认已登记",
     "The parents' confirmation of this pupil is already recorded for the term"},
    /* a university's status changes (docs/decisions/0033) */
    {"invalid_value", 422, "取值不在允许范围内", "The value is not one of those allowed"},
    {"suspension_too_long", 422, "休学期限超过规定（一般不超过一年，因病或应征入伍不超过两年）",
     "The suspension is longer than allowed (one year; two for illness or military service)"},
    {"suspension_limit_reached", 422, "休学累计不得超过两次、两年",
     "At most two suspensions and two years in all"},
    {"same_major", 422, "转入专业与现专业相同", "The major transferred to is the current one"},
    {"not_awaiting_confirmation", 409, "该申请不在等待学信网电子注册确认",
     "The request does not wait for the electronic registration"},
    /* the course requests 课程免修, 课程置换, 课程覆盖, 补选 (docs/decisions/0044) */
    {"no_cohort_notice", 409, "没有调整年级通知单，不能申请课程免修",
     "No 调整年级 notice: course exemption follows one"},
    {"no_status_change", 409, "没有转专业、转学、随下届或复学的记录，不能申请补选",
     "No major transfer, transfer-in, cohort change or resumption: no late selection"},
    {"course_not_in_plan", 422, "新年级的培养方案不含此课程",
     "The new cohort's teaching plan does not hold the course"},
    {"course_not_passed", 422, "没有此课程的合格成绩（免修须 80 分以上，覆盖须 60 分以上）",
     "No passing grade of the course (80 for an exemption, 60 for a coverage)"},
    {"course_already_exempted", 422, "已免修、置换或覆盖此课程",
     "The course is already exempted, substituted or covered"},
    {"duplicate_course", 422, "课程重复", "The course is listed twice"},
    {"same_course", 422, "覆盖课程与所修课程相同", "A course cannot cover itself"},
    {"unknown_section", 422, "本学期没有此教学班（课程号+课序号）", "No such section this term"},
    {"not_selected", 422, "未选此教学班", "The student has not selected this section"},
    /* course selection (docs/decisions/0041) */
    {"invalid_datetime", 422, "时间格式不正确（应为 RFC 3339，如 2026-12-07T08:00:00+08:00）",
     "Not an RFC 3339 date-time (e.g. 2026-12-07T08:00:00+08:00)"},
    {"invalid_round_times", 422, "选课轮次的结束时间须晚于开始时间",
     "The round must close after it opens"},
    {"not_eligible", 409, "该学生不在本轮选课范围内",
     "The student is not admitted to this selection round or section"},
    {"course_exempted", 409, "该课程已免修（或已置换、覆盖），不能选课",
     "The course is exempted (or substituted, covered) for the student"},
    {"course_already_selected", 409, "本学期已选该课程的其他课序，如需更换请注明被替换的课序",
     "Another section of the course is selected this term; name it in replaces to change"},
    {"section_full", 409, "该课序已选满", "The section is full"},
};

/* Slugs whose param is a value shown in the text ("%s"): a limit, or a school. */
static const struct {
    const char *slug, *zh, *en;
} with_value[] = {
    {"too_long", "最多 %s 个字符", "at most %s characters"},
    {"invalid_digits", "最多 %s 位数字", "at most %s digits"},
    {"too_many_items", "最多 %s 项", "at most %s items"},
    {"below_entry_age", "入学年龄至少 %s 周岁", "the minimum age is %s"},
    {"duplicate_enrolled", "学籍在 %s", "held at %s"},
    {"invalid_code", "代码表 %s", "code table %s"},
    {"student_not_enrolled", "当前状态 %s", "state %s"},
    {"grade_not_in_school", "年级 %s", "grade %s"},
    {"xlsx_no_sheet", "没有名为“%s”的工作表", "no worksheet named \"%s\""},
    {"export_too_large", "一次最多导出 %s 名学生", "at most %s students per export"},
    {"report_too_large", "最多 %s 行", "at most %s rows"},
    {"effective_date_too_old", "最多可补录 %s 天以前办理的转学", "at most %s days back"},
    {"invalid_group_by", "不支持“%s”", "not \"%s\""},
    /* issue 15 (docs/decisions/0028) */
    {"grade_mismatch", "学生现为 %s", "now in %s"},
    {"invalid_class_cell", "所填为“%s”", "given \"%s\""},
    {"system_change_blocked", "年级 %s", "grade %s"},
    {"promotion_done", "升级记录 %s", "run %s"},
    {"promotion_changed", "%s 名学生", "%s pupils"},
};

/* Reasons and item codes: extra text after the title, by the code word in param. */
static const struct {
    const char *slug, *param, *zh, *en;
} reasons[] = {
    {"forbidden", "student_only", "选课须由学生本人登录办理，他人不得代选",
     "course selection is done by the student in person; no one may select for another"},
    {"invalid_id_number", "length", "应为 18 位（或旧版 15 位）",
     "must be 18 (or legacy 15) characters"},
    {"invalid_id_number", "chars", "只能由数字组成，最后一位可为 X",
     "digits only; the last may be X"},
    {"invalid_id_number", "checksum", "校验位错误", "the check digit is wrong"},
    {"invalid_id_number", "birth_date", "出生日期无效", "the birth date is not valid"},
    {"invalid_id_number", "region", "地址码的省级代码不存在",
     "the address code has no valid province"},
    {"invalid_region_code", "length", "位数不正确", "wrong length"},
    {"invalid_region_code", "chars", "只能由数字组成", "digits only"},
    {"invalid_region_code", "province", "省级代码不存在", "no such province"},
    {"invalid_school_code", "length", "应为 10 位数字", "must be 10 digits"},
    {"invalid_school_code", "chars", "只能由数字组成", "digits only"},
    {"invalid_school_code", "category", "学校类别代码不存在", "unknown school category"},
    {"invalid_school_code", "province", "省级代码不存在", "no such province"},
    {"invalid_setting", "mmdd", "须为 MM-DD 格式的月日（不可为 02-29）",
     "must be a month-day MM-DD (not 02-29)"},
    {"invalid_setting", "date", "须为 YYYY-MM-DD 格式的有效日期",
     "must be a valid date YYYY-MM-DD"},
    {"invalid_setting", "age", "须为 3 至 10 的整数", "must be an integer from 3 to 10"},
    {"invalid_setting", "days", "须为 1 至 60 的整数", "must be an integer from 1 to 60"},
    {"invalid_setting", "retention_days", "须为 1 至 30 的整数（天）",
     "must be an integer from 1 to 30 (days)"},
    {"invalid_setting", "backdate_days", "须为 0 至 365 的整数（天）",
     "must be an integer from 0 to 365 (days)"},
    {"invalid_setting", "family_members", "须为 1 或 2", "must be 1 or 2"},
    {"invalid_setting", "student_field", "不是学籍信息项的字段名", "is not a student record field"},
    {"invalid_setting", "duplicate", "重复", "is a duplicate"},
    {"invalid_setting", "calendar", "第二学期开始日期不能与学年开始日期相同",
     "the second term cannot start on the day the school year starts"},
    {"invalid_setting", "too_many", "项数过多", "has too many items"},
    {"invalid_setting", "window_bounds", "from 与 until 须同时设置或同时为 null",
     "from and until must both be set or both be null"},
    {"invalid_setting", "window_order", "结束日期不能早于开始日期",
     "until must not be before from"},
    {"invalid_id_number", "permit_region", "港澳台居民居住证号码应以 81、82 或 83 开头",
     "a residence permit number starts with 81, 82 or 83"},
    {"invalid_region_code", "unknown", "区县代码不存在", "no such county"},
    {"invalid_date", "format", "须为 YYYY-MM-DD 格式的有效日期", "must be a valid date YYYY-MM-DD"},
    {"invalid_date", "future", "不能晚于今天", "must not be in the future"},
    {"invalid_month", "format", "须为 YYYYMM 格式", "must be YYYYMM"},
    {"invalid_month", "future", "不能晚于本月", "must not be in the future"},
    {"invalid_month", "before_birth", "不能早于出生年月", "must not be before the birth month"},
    {"invalid_phone", "chars", "只能由数字组成（不要填写“-”或“无”）",
     "digits only (no '-', no words)"},
    {"invalid_phone", "length", "应为 7 至 20 位数字", "7 to 20 digits"},
    {"invalid_text", "control", "不能包含控制字符", "must not contain control characters"},
    {"invalid_distance", "format", "须为以公里计的数字，不带单位",
     "a number of km, without a unit"},
    {"invalid_distance", "decimals", "最多一位小数", "at most one decimal"},
    {"invalid_distance", "range", "不能超过 999.9 公里", "at most 999.9 km"},
    {"contradicts_id_number", "gender", "性别与身份证号第 17 位不符",
     "the gender contradicts digit 17 of the ID number"},
    {"contradicts_id_number", "birth_date", "出生日期与身份证号不符",
     "the birth date contradicts the ID number"},
    {"xlsx_not_zip", "ole",
     "这是旧版 .xls 文件或设置了打开密码的文件，请在 Excel 中另存为 .xlsx（不设密码）",
     "this is an old .xls file or a password-protected one: save it as .xlsx without a password"},
    {"xlsx_no_workbook", "ods", "这是 .ods 文件，请另存为 Excel 工作簿（.xlsx）",
     "this is an .ods file: save it as an Excel workbook (.xlsx)"},
    {"xlsx_malformed", "zip", "压缩结构损坏（文件可能未完整上传）",
     "the zip structure is damaged (was the upload cut short?)"},
    {"xlsx_malformed", "crc", "文件内容校验失败（文件可能已损坏）",
     "a checksum failed (the file may be damaged)"},
    {"xlsx_malformed", "xml", "工作表内容不是合法的 XML", "a part is not well-formed XML"},
    {"xlsx_malformed", "reference", "单元格位置超出 Excel 范围（最大 XFD 列、1048576 行）",
     "a cell reference lies outside A1:XFD1048576"},
    {"xlsx_malformed", "shared_string", "单元格引用的共享字符串不存在",
     "a cell refers to a shared string that does not exist"},
    {"xlsx_malformed", "utf8", "文字编码不是 UTF-8", "text is not valid UTF-8"},
    {"xlsx_malformed", "part", "工作簿缺少必要的组成部分",
     "a part the workbook refers to is missing"},
    {"xlsx_unsupported", "zip64", "文件使用了 ZIP64 格式", "the file uses ZIP64"},
    {"xlsx_unsupported", "encrypted", "文件已加密", "the file is encrypted"},
    {"xlsx_unsupported", "method", "文件使用了不支持的压缩方式",
     "the file uses an unsupported compression method"},
    {"xlsx_too_large", "entries", "文件包含的部件过多", "too many parts"},
    {"xlsx_too_large", "entry", "解压后超过 1 GB", "over 1 GiB uncompressed"},
    {"xlsx_too_large", "total", "解压后总计超过 2 GB", "over 2 GiB uncompressed in all"},
    {"xlsx_too_large", "ratio", "压缩比异常（疑似压缩炸弹）",
     "an abnormal compression ratio (a zip bomb?)"},
    {"xlsx_too_large", "xml_token", "某个单元格或标记过长", "a cell or tag is too long"},
    {"xlsx_too_large", "shared_strings", "不同文字内容过多（超过 200 万项或 64 MB）",
     "too many distinct strings (over 2 million or 64 MiB)"},
    {"xlsx_too_large", "rows", "超过 1048576 行", "over 1048576 rows"},
    {"xlsx_too_large", "columns", "列数过多", "too many columns"},
    {"xlsx_too_large", "cell", "单元格文字超过 32767 个字符", "a cell over 32767 characters"},
    {"csv_bad_encoding", "utf16",
     "这是 Unicode（UTF-16）文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
     "this is UTF-16 (Unicode text): save it as CSV UTF-8 in Excel"},
    {"csv_malformed", "quote", "引号未闭合", "a quoted field never ends"},
    {"csv_too_large", "record", "一行超过 1 MB", "a record over 1 MiB"},
    {"csv_too_large", "columns", "超过 16384 列", "over 16384 fields"},
};

static const problem *
find(const app_err *err)
{
    const char *slug = err->slug;
    if (slug == NULL) {
        switch (err->code) {
        case APP_EINVAL:
            slug = "validation_failed";
            break;
        case APP_ENOTFOUND:
            slug = "not_found";
            break;
        case APP_ECONFLICT:
            slug = "conflict";
            break;
        case APP_ESTATE:
            slug = "invalid_state";
            break;
        case APP_EAUTH:
            slug = "unauthenticated";
            break;
        case APP_EFORBIDDEN:
            slug = "forbidden";
            break;
        case APP_EUNAVAIL:
            slug = "database_unavailable";
            break;
        case APP_ETOOLARGE:
            slug = "body_too_large";
            break;
        case APP_EPRECOND:
            slug = "precondition_failed";
            break;
        default:
            slug = "internal_error";
            break;
        }
    }
    for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
        if (strcmp(problems[i].slug, slug) == 0)
            return &problems[i];
    return NULL;
}

static int
status_of_code(app_code c)
{
    switch (c) {
    case APP_EINVAL:
        return 422;
    case APP_ENOTFOUND:
        return 404;
    case APP_ECONFLICT:
        return 409;
    case APP_ESTATE:
        return 409;
    case APP_EAUTH:
        return 401;
    case APP_EFORBIDDEN:
        return 403;
    case APP_EUNAVAIL:
        return 503;
    case APP_ETOOLARGE:
        return 413;
    case APP_EPRECOND:
        return 412;
    default:
        return 500;
    }
}

int
api_problem_status(const app_err *err)
{
    const problem *p = find(err);
    return p ? p->status : status_of_code(err->code);
}

static const char *
reason_text(const char *slug, const char *param, int en)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (strcmp(reasons[i].slug, slug) == 0 && strcmp(reasons[i].param, param) == 0)
            return en ? reasons[i].en : reasons[i].zh;
    return NULL;
}

/* student_has_record's param is "<school>|<state label>"; the school as
   duplicate_enrolled names it ('@' + county when the caller does not see it). */
static char *
has_record_message(app_arena *arena, const char *title, const char *param, int en)
{
    const char *bar = strchr(param, '|');
    int n = (int)(bar - param);
    if (param[0] == '@')
        return app_arena_printf(
            arena, en ? "%s: held at a school in %.*s (%s)" : "%s：学籍在%.*s的一所学校（%s）",
            title, n - 1, param + 1, bar + 1);
    return app_arena_printf(arena, en ? "%s: held at %.*s (%s)" : "%s：学籍在 %.*s（%s）", title, n,
                            param, bar + 1);
}

/* Message for an item or for the whole problem: title, then reason when known. */
char *
api_problem_message(app_arena *arena, const char *slug, const char *param, int en)
{
    app_err tmp = {0};
    tmp.slug = slug;
    const problem *p = find(&tmp);
    const char *title = p ? (en ? p->en : p->zh) : slug;
    const char *why = param && *param ? reason_text(slug, param, en) : NULL;
    if (why != NULL)
        return app_arena_printf(arena, en ? "%s: %s" : "%s：%s", title, why);
    if (strcmp(slug, "student_has_record") == 0 && param && strchr(param, '|'))
        return has_record_message(arena, title, param, en);
    if (strcmp(slug, "duplicate_enrolled") == 0 && param && param[0] == '@')
        return app_arena_printf(arena, en ? "%s: held at a school in %s" : "%s：学籍在%s的一所学校",
                                title, param + 1);
    for (size_t i = 0; param && *param && i < sizeof(with_value) / sizeof(with_value[0]); i++) {
        if (strcmp(with_value[i].slug, slug) != 0)
            continue;
        const char *fmt = en ? with_value[i].en : with_value[i].zh;
        const char *at = strstr(fmt, "%s");
        return app_arena_printf(arena, en ? "%s: %.*s%s%s" : "%s：%.*s%s%s", title, (int)(at - fmt),
                                fmt, param, at + 2);
    }
    return app_arena_strdup(arena, title);
}

static char *
message(api_call *c, const char *slug, const char *param, int en)
{
    return api_problem_message(c->arena, slug, param, en);
}

/* The detail text of a problem of `status` with `slug` and `title`. */
static char *
detail_of(api_call *c, const app_err *err, int status, const char *slug, const char *title, int en)
{
    char *detail =
        status >= 500 ? app_arena_strdup(c->arena, title) : message(c, slug, err->param, en);
    if (strcmp(slug, "malformed_json") == 0 && err->param[0]) {
        int line = 0, col = 0, pos = 0;
        sscanf(err->param, "%d:%d:%d", &line, &col, &pos);
        detail = app_arena_printf(c->arena,
                                  en ? "%s (line %d, column %d, byte %d)"
                                     : "%s（第 %d 行第 %d 列，第 %d 字节处）",
                                  title, line, col, pos);
    }
    return detail;
}

/* The `errors` member: the items of err, or the one field; their pointers
   after `at` (a batch item's "/items/3", else ""). */
static json_t *
errors_of(api_call *c, const app_err *err, const char *slug, const char *detail, const char *at)
{
    int en = c->lang_en;
    json_t *items = json_array();
    if (err->nitems > 0) {
        for (int i = 0; i < err->nitems; i++) {
            const app_err_item *it = &err->items[i];
            json_t *e = json_object();
            json_object_set_new(e, "field", json_sprintf("%s%s", at, it->field));
            json_object_set_new(e, "code", json_string(it->code));
            char *msg = message(c, it->code, it->param, en);
            /* a student record field: say which, in the clerk's words */
            int fi = strncmp(c->path ? c->path : "", "/api/v1/students", 16) == 0
                         ? core_field_by_pointer(it->field)
                         : -1;
            if (fi >= 0 && !en) {
                char t[64];
                core_field_title(fi, t, sizeof(t));
                if (strncmp(msg, t, strlen(t)) != 0)
                    msg = app_arena_printf(c->arena, "%s：%s", t, msg);
            }
            json_object_set_new(e, "message", json_string(msg));
            if (it->row > 0)
                json_object_set_new(e, "row", json_integer(it->row));
            if (it->column > 0)
                json_object_set_new(e, "column", json_integer(it->column));
            json_array_append_new(items, e);
        }
    } else if (err->field[0]) {
        json_t *e = json_object();
        json_object_set_new(e, "field", json_sprintf("%s%s", at, err->field));
        json_object_set_new(e, "code", json_string(slug));
        json_object_set_new(e, "message", json_string(detail));
        json_array_append_new(items, e);
    }
    return items;
}

void
api_problem_render(api_call *c)
{
    app_err *err = &c->err;
    const problem *p = find(err);
    int status = p ? p->status : status_of_code(err->code);
    const char *slug = p ? p->slug : (err->slug ? err->slug : "internal_error");
    int en = c->lang_en;

    if (status >= 500)
        api_log(API_LOG_ERROR, slug, c->request_id, err->detail);
    else if (err->detail[0] && api_log_enabled(API_LOG_DEBUG))
        api_log(API_LOG_DEBUG, slug, c->request_id, err->detail);

    json_t *o = json_object();
    json_object_set_new(o, "type", json_sprintf("https://xueji.example/problems/%s", slug));
    const char *title = p ? (en ? p->en : p->zh) : (en ? "Error" : "错误");
    json_object_set_new(o, "title", json_string(title));
    json_object_set_new(o, "status", json_integer(status));
    char *detail = detail_of(c, err, status, slug, title, en);
    json_object_set_new(o, "detail", json_string(detail));
    json_object_set_new(o, "code", json_string(slug));
    json_object_set_new(o, "instance", json_string(c->path ? c->path : "/"));
    json_object_set_new(o, "request_id", json_string(c->request_id));
    json_object_set_new(o, "errors", errors_of(c, err, slug, detail, ""));

    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    c->status = status;
    c->content_type = "application/problem+json; charset=utf-8";
    c->out = app_arena_strdup(c->arena, s ? s : "{}");
    c->out_len = strlen(c->out);
    free(s);
    c->failed = 0;
}

json_t *
api_problem_item(api_call *c, int rc, const app_err *in, const char *at)
{
    /* as a single call's job failing with rc would be answered (api/job.c,
       api_fail_core): items become the code; no field list but for 422 */
    app_err copy = *in; /* on the stack: a batch may fail 500 items */
    app_err *err = &copy;
    if (err->code == APP_OK)
        app_err_set(err, (app_code)rc, NULL, NULL);
    if (rc == APP_EINVAL && err->nitems > 0 && err->slug == NULL)
        api_fail_items(err);
    else if (rc != APP_EINVAL)
        err->nitems = 0;
    const problem *p = find(err);
    int status = p ? p->status : status_of_code(err->code);
    const char *slug = p ? p->slug : (err->slug ? err->slug : "internal_error");
    if (status >= 500)
        api_log(API_LOG_ERROR, slug, c->request_id, err->detail);
    const char *title = p ? (c->lang_en ? p->en : p->zh) : (c->lang_en ? "Error" : "错误");
    char *detail = detail_of(c, err, status, slug, title, c->lang_en);
    json_t *o = json_pack("{s:i,s:s,s:s}", "status", status, "code", slug, "detail", detail);
    json_t *errors = errors_of(c, err, slug, detail, at);
    if (json_array_size(errors) > 0)
        json_object_set_new(o, "errors", errors);
    else
        json_decref(errors);
    return o;
}
