/*
 * core/demo.c - synthetic students for the demo province (see core/demo.h).
 */
#include "core/demo.h"

#include "base/arena.h"
#include "core/idnum.h"
#include "core/settings.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ random numbers */

void
core_demo_rng_seed(core_demo_rng *r, uint64_t seed)
{
    r->s = seed ^ 0x9E3779B97F4A7C15ull;
}

static uint64_t
next64(core_demo_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t
core_demo_rand(core_demo_rng *r, uint32_t n)
{
    /* the bias of a 64-bit value reduced modulo n < 2^32 is below 2^-32 */
    return (uint32_t)(next64(r) % n);
}

/* 1 with probability pct/1000. */
static int
chance(core_demo_rng *r, unsigned permille)
{
    return core_demo_rand(r, 1000) < permille;
}

/* An index into a table of n, skewed towards its head (common names first). */
static uint32_t
skewed(core_demo_rng *r, uint32_t n)
{
    uint64_t x = core_demo_rand(r, 1000);
    return (uint32_t)(x * x * n / 1000000u);
}

#define PICK(r, t) ((t)[core_demo_rand((r), sizeof(t) / sizeof((t)[0]))])

/* ------------------------------------------------------------ dates */

int
core_demo_school_year(int today)
{
    return today / 10000 - (today / 100 % 100 < 9);
}

int
core_demo_schooling_year(int grade, const char *system)
{
    int primary = system && strcmp(system, "54") == 0 ? 5 : 6;
    if (grade >= 11 && grade <= 10 + primary)
        return grade - 10;
    if (grade >= 21 && grade <= 20 + 9 - primary)
        return primary + grade - 20;
    if (grade >= 31 && grade <= 33)
        return 9 + grade - 30;
    return 0;
}

void
core_demo_birth_window(int schooling, int school_year, int *out_from, int *out_until)
{
    *out_from = (school_year - 6 - schooling) * 10000 + 901;
    *out_until = (school_year - 5 - schooling) * 10000 + 831;
}

/* ------------------------------------------------------------ ID numbers */

#define NELEM(t) ((uint32_t)(sizeof(t) / sizeof((t)[0])))

/* Where families of migrant workers come from (hukou). */
static const struct {
    const char *code, *place;
} hometowns[] = {
    {"411321", "河南南阳"}, {"411328", "河南南阳"}, {"411381", "河南南阳"}, {"411421", "河南商丘"},
    {"411425", "河南商丘"}, {"411481", "河南商丘"}, {"411525", "河南信阳"}, {"411528", "河南信阳"},
    {"411621", "河南周口"}, {"410122", "河南郑州"}, {"410327", "河南洛阳"}, {"410325", "河南洛阳"},
};

#define SEQS 1000
#define SLOTS (SEQS / 2)

struct core_demo_ids {
    pthread_mutex_t lock;
    int n;
    char (*county)[7];
    long first; /* day number of the first date */
    long ndays;
    uint8_t *used;  /* [county][day][SEQS / 8] */
    uint16_t *next; /* [county][day][gender - 1]: no free slot below it */
};

static int
county_index(const core_demo_ids *ids, const char *county)
{
    for (int c = 0; c < ids->n; c++)
        if (strncmp(ids->county[c], county, 6) == 0)
            return c;
    return -1;
}

core_demo_ids *
core_demo_ids_new(const char *const *counties, int n, int first_ymd, int last_ymd)
{
    core_demo_ids *ids = xcalloc(1, sizeof(*ids));
    pthread_mutex_init(&ids->lock, NULL);
    /* the given counties, then the migrant families' hometowns not among them */
    ids->county = xcalloc((size_t)n + NELEM(hometowns), sizeof(*ids->county));
    for (int i = 0; i < n; i++)
        if (county_index(ids, counties[i]) < 0)
            snprintf(ids->county[ids->n++], sizeof(ids->county[0]), "%.6s", counties[i]);
    for (size_t i = 0; i < NELEM(hometowns); i++)
        if (county_index(ids, hometowns[i].code) < 0)
            snprintf(ids->county[ids->n++], sizeof(ids->county[0]), "%.6s", hometowns[i].code);
    n = ids->n;
    ids->first = core_days_of(first_ymd);
    ids->ndays = core_days_of(last_ymd) - ids->first + 1;
    if (ids->ndays < 1)
        ids->ndays = 1;
    ids->used = xcalloc((size_t)n * (size_t)ids->ndays, SEQS / 8);
    ids->next = xcalloc((size_t)n * (size_t)ids->ndays * 2, sizeof(uint16_t));
    return ids;
}

void
core_demo_ids_free(core_demo_ids *ids)
{
    if (ids == NULL)
        return;
    pthread_mutex_destroy(&ids->lock);
    free(ids->used);
    free(ids->next);
    free(ids->county);
    free(ids);
}

static long
day_index(const core_demo_ids *ids, int ymd)
{
    long d = core_days_of(ymd) - ids->first;
    return d >= 0 && d < ids->ndays ? d : -1;
}

void
core_demo_ids_mark(core_demo_ids *ids, const char *prefix4, int birth_ymd, int seq)
{
    long d = day_index(ids, birth_ymd);
    if (d < 0 || seq < 0 || seq >= SEQS)
        return;
    pthread_mutex_lock(&ids->lock);
    for (int c = 0; c < ids->n; c++) {
        if (strncmp(ids->county[c], prefix4, 4) != 0)
            continue;
        uint8_t *bits = ids->used + ((size_t)c * (size_t)ids->ndays + (size_t)d) * (SEQS / 8);
        bits[seq / 8] |= (uint8_t)(1u << (seq % 8));
    }
    pthread_mutex_unlock(&ids->lock);
}

int
core_demo_ids_take(core_demo_ids *ids, const char *county, int birth_ymd, int gender)
{
    long d = day_index(ids, birth_ymd);
    int c = county_index(ids, county);
    if (d < 0 || c < 0 || (gender != 1 && gender != 2))
        return -1;
    size_t cell = (size_t)c * (size_t)ids->ndays + (size_t)d;
    uint8_t *bits = ids->used + cell * (SEQS / 8);
    uint16_t *next = &ids->next[cell * 2 + (size_t)(gender - 1)];
    int seq = -1;
    pthread_mutex_lock(&ids->lock);
    for (; *next < SLOTS; (*next)++) {
        int s = *next * 2 + (gender == 1); /* odd: male */
        if (!(bits[s / 8] & (1u << (s % 8)))) {
            bits[s / 8] |= (uint8_t)(1u << (s % 8));
            seq = s;
            (*next)++;
            break;
        }
    }
    pthread_mutex_unlock(&ids->lock);
    return seq;
}

/* 17 digits + the check digit into out[19]. */
static void
make_idnum(const char *county, int birth, int seq, char out[19])
{
    snprintf(out, 19, "%.6s%08u%03u", county, (unsigned)birth % 100000000u, (unsigned)seq % 1000u);
    out[17] = core_idnum_check_digit(out);
    out[18] = '\0';
}

/* ------------------------------------------------------------ tables */

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",   "胡",   "朱",   "高",
    "郭", "何", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于",   "董",   "萧",   "程",
    "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋",   "蔡",   "贾",   "丁",
    "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田",   "任",   "姜",   "范",
    "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白",   "崔",   "康",   "毛",
    "邱", "秦", "江", "史", "顾", "侯", "邵", "孟", "龙", "万", "段", "雷",   "钱",   "汤",   "尹",
    "黎", "易", "常", "武", "乔", "贺", "赖", "龚", "文", "牛", "申", "司马", "欧阳", "诸葛",
};
static const char *const boy_chars[] = {
    "浩", "宇", "轩", "子", "涵", "博", "文", "俊", "杰", "明", "晨", "阳", "泽", "睿", "一",
    "嘉", "鑫", "鹏", "磊", "航", "昊", "然", "逸", "凯", "豪", "奕", "铭", "哲", "思", "远",
    "天", "佑", "瑞", "源", "皓", "辰", "恒", "翔", "毅", "栋", "宁", "梓", "诚", "煜", "安",
};
static const char *const girl_chars[] = {
    "欣", "怡", "雨", "萱", "梓", "涵", "诗", "琪", "佳", "悦", "可", "馨", "思", "彤", "雅",
    "婷", "梦", "瑶", "静", "雪", "晨", "曦", "若", "颖", "语", "嫣", "依", "诺", "紫", "妍",
    "冰", "慧", "美", "琳", "月", "心", "蕊", "菲", "淑", "丹", "婉", "晴", "茜", "一", "安",
};
static const char *const man_chars[] = {
    "建", "国", "军", "伟", "强", "磊", "勇", "斌", "涛", "明", "华", "刚", "峰", "俊", "辉",
    "志", "海", "平", "亮", "超", "鹏", "飞", "东", "新", "林", "波", "杰", "龙", "文", "宏",
};
static const char *const woman_chars[] = {
    "丽", "芳", "娜", "敏", "静", "燕", "艳", "娟", "霞", "玲", "红", "梅", "莉", "婷", "雪",
    "琳", "慧", "萍", "颖", "洁", "倩", "琴", "丹", "晶", "秀", "英", "华", "玉", "兰", "云",
};

/* The demo counties: their names, streets and postcodes. */
static const struct {
    const char *code, *place, *postcode;
    const char *streets[8];
} places[] = {
    {"410102",
     "郑州市中原区",
     "450007",
     {"建设路", "伊河路", "棉纺路", "桐柏路", "中原路", "嵩山路", "工人路", "华山路"}},
    {"410105",
     "郑州市金水区",
     "450003",
     {"文化路", "纬五路", "农科路", "经三路", "花园路", "东风路", "红专路", "丰产路"}},
    {"410302",
     "洛阳市老城区",
     "471002",
     {"西大街", "中州东路", "青年宫路", "九都东路", "唐宫西路", "东大街", "道北路", "邙山路"}},
    {"410305",
     "洛阳市涧西区",
     "471003",
     {"天津路", "长春路", "武汉路", "南昌路", "青岛路", "西苑路", "景华路", "建设路"}},
};

static const char *const employers[] = {
    "郑州大学",
    "河南省人民医院",
    "郑州市第一人民医院",
    "国网河南省电力公司",
    "郑州宇通客车股份有限公司",
    "中国一拖集团有限公司",
    "洛阳轴承集团股份有限公司",
    "中信重工机械股份有限公司",
    "中国建设银行河南省分行",
    "中国工商银行洛阳分行",
    "郑州地铁集团有限公司",
    "河南中烟工业有限责任公司",
    "郑州市公安局",
    "洛阳市涧西区人民政府",
    "中原区建设路街道办事处",
    "郑州日产汽车有限公司",
    "河南省农业科学院",
    "洛阳石化",
    "丹尼斯百货",
    "个体经营",
    "自由职业",
    "务工",
};
static const char *const positions[] = {
    "职员", "工程师", "教师", "医生",   "护士",   "经理", "工人",
    "司机", "会计",   "销售", "技术员", "公务员", "个体",
};
static const char *const native_places[] = {
    "河南郑州",   "河南洛阳", "河南开封", "河南南阳",   "河南商丘", "河南周口", "河南信阳",
    "河南驻马店", "河南新乡", "河南许昌", "河南平顶山", "山东菏泽", "河北邯郸", "安徽阜阳",
};
/* 回族 most often in Henan, then 满, 蒙古, 苗 */
static const char *const minorities[] = {"03", "03", "03", "11", "02", "06"};
/* special education: 视力, 听力, 言语, 肢体, 智力, 多重 */
static const char *const disabilities[] = {"1", "2", "3", "4", "5", "7"};

static const char *const phone_prefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "155", "156", "157", "158", "159", "166", "176", "177", "180", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
};

/* ------------------------------------------------------------ building a record */

/* printf into the student's own storage; the record's strings point there. */
__attribute__((format(printf, 2, 3))) static const char *
put(core_demo_student *s, const char *fmt, ...)
{
    char *p = s->buf + s->used;
    size_t left = sizeof(s->buf) - s->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p, left, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= left)
        abort(); /* the buffer is sized for the longest record: a broken invariant */
    s->used += (size_t)n + 1;
    return p;
}

/*
 * Catalog indexes of the fields set here, looked up once by name (the
 * catalog is the one description of the record; see core/record.h).
 */
/* laid out by hand: clang-format does not settle on a layout for this list */
// clang-format off
#define DEMO_FIELDS(F) \
    F(0, name) F(0, gender) F(0, birth_date) F(0, birthplace) F(0, native_place) \
    F(0, ethnicity) F(0, nationality) F(0, id_type) F(0, id_number) F(0, overseas_status) \
    F(0, political_status) F(0, health) F(0, hukou_region) F(0, hukou_type) F(0, grade) \
    F(0, class) F(0, enrolled_month) F(0, entry_mode) F(0, study_mode) F(0, source) \
    F(0, current_address) F(0, mailing_address) F(0, home_address) F(0, postcode) \
    F(0, only_child) F(0, preschool) F(0, left_behind) F(0, migrant_child) F(0, orphan) \
    F(0, martyr_child) F(0, inclusive_ed) F(0, disability) F(0, gov_funded_seat) \
    F(0, needs_aid) F(0, boarding_subsidy) F(0, distance_km) F(0, transport) \
    F(0, school_bus) F(1, ethnicity) F(1, employer) F(1, current_address) \
    F(1, hukou_region) F(1, position)
// clang-format on

static const struct {
    int member;
    const char *json;
} wanted[] = {
#define F(m, j) {m, #j},
    DEMO_FIELDS(F)
#undef F
};
enum {
#define F(m, j) FI_##m##_##j,
    DEMO_FIELDS(F)
#undef F
        FI_COUNT
};
static int field_at[FI_COUNT];
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static void
resolve_fields(void)
{
    for (int i = 0; i < FI_COUNT; i++)
        if ((field_at[i] = core_field_index(wanted[i].member, wanted[i].json)) < 0)
            abort(); /* the catalog lost a field this file sets */
}

#define set(s, m, j, val) ((s)->rec.v[field_at[FI_##m##_##j]] = (val))

static const char *
given_name(core_demo_rng *r, const char *const *chars, uint32_t n, int two, char *out, size_t cap)
{
    if (two)
        snprintf(out, cap, "%s%s", chars[core_demo_rand(r, n)], chars[core_demo_rand(r, n)]);
    else
        snprintf(out, cap, "%s", chars[core_demo_rand(r, n)]);
    return out;
}

static const char *
phone(core_demo_student *s, core_demo_rng *r)
{
    return put(s, "%s%08u", PICK(r, phone_prefixes), core_demo_rand(r, 100000000));
}

/* A random date from `from` to `until` (YYYYMMDD). */
static int
random_date(core_demo_rng *r, int from, int until)
{
    long a = core_days_of(from), b = core_days_of(until);
    return core_ymd_of_days(a + (long)core_demo_rand(r, (uint32_t)(b - a + 1)));
}

static const char *
iso(core_demo_student *s, int ymd)
{
    return put(s, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* One parent: `member` 1 (father) or 2 (mother). */
static void
parent(core_demo_student *s, core_demo_rng *r, int member, const char *surname, int child_birth,
       const char *county, const char *address, const char *hukou, const char *ethnicity)
{
    char given[16], id[19];
    int male = member == 1;
    if (!male)
        surname = surnames[skewed(r, NELEM(surnames))];
    given_name(r, male ? man_chars : woman_chars, male ? NELEM(man_chars) : NELEM(woman_chars),
               chance(r, 600), given, sizeof(given));
    /* parents born 1975-1992, 22 to 40 years before the child */
    int cy = child_birth / 10000;
    int lo = cy - 40 > 1975 ? cy - 40 : 1975, hi = cy - 22 < 1992 ? cy - 22 : 1992;
    if (hi < lo)
        hi = lo;
    int birth = random_date(r, lo * 10000 + 101, hi * 10000 + 1231);
    int seq = (int)core_demo_rand(r, SLOTS) * 2 + male;
    make_idnum(county, birth, seq, id);
    /* a member's fields follow one another in the catalog (core/record.h) */
    const char **v = &s->rec.v[member == 1 ? CORE_R_F1 : CORE_R_F2];
    v[CORE_M_NAME] = put(s, "%s%s", surname, given);
    v[CORE_M_RELATION] = male ? "1" : "2";
    v[field_at[FI_1_ethnicity] - CORE_R_F1] = ethnicity;
    v[field_at[FI_1_employer] - CORE_R_F1] = PICK(r, employers);
    v[field_at[FI_1_current_address] - CORE_R_F1] = address;
    v[field_at[FI_1_hukou_region] - CORE_R_F1] = hukou;
    v[CORE_M_PHONE] = phone(s, r);
    v[CORE_M_GUARDIAN] = "1";
    v[CORE_M_ID_TYPE] = "1";
    v[CORE_M_ID_NUMBER] = put(s, "%s", id);
    if (chance(r, 700))
        v[field_at[FI_1_position] - CORE_R_F1] = PICK(r, positions);
}

/* What the steps of core_demo_student_make share about the student being made. */
typedef struct demo_draft {
    const core_demo_class *k;
    int schooling, gender, birth, place, migrant, special;
    char id[19];
    const char *id_county; /* the ID number's: the school's, or a hometown */
    const char *town, *street, *hukou_county, *native, *hukou, *ethnicity, *surname, *address;
    char given[16];
} demo_draft;

/* Gender and birth date in county `county`, then a free sequence for them:
   a few random dates, or (`every`) each date of the window in turn. -1 when
   none was free. */
static int
take_birth(core_demo_rng *r, core_demo_ids *ids, const char *county, int from, int until, int every,
           demo_draft *out)
{
    int gender = chance(r, 520) ? 1 : 2;
    int birth = 0, seq = -1;
    for (int tries = 0; !every && seq < 0 && tries < 16; tries++) {
        birth = random_date(r, from, until);
        seq = core_demo_ids_take(ids, county, birth, gender);
    }
    for (long a = core_days_of(from), b = core_days_of(until), d = a; every && seq < 0 && d <= b;
         d++) {
        for (int g = 1; seq < 0 && g <= 2; g++) {
            birth = core_ymd_of_days(d);
            gender = g;
            seq = core_demo_ids_take(ids, county, birth, g);
        }
    }
    out->gender = gender;
    out->birth = birth;
    return seq;
}

/* The ID number's county: the school's while its numbers of the birth window
   last, then a migrant family's hometown (a county holds 365,000 numbers a
   birth year; a province of twenty million pupils needs more than the demo
   schools' few counties). Random dates first everywhere, then every date. */
static int
take_id(core_demo_rng *r, core_demo_ids *ids, const char *county, int from, int until,
        demo_draft *out)
{
    uint32_t start = core_demo_rand(r, NELEM(hometowns));
    for (int every = 0; every <= 1; every++) {
        out->id_county = county;
        int seq = take_birth(r, ids, county, from, until, every, out);
        for (size_t i = 0; seq < 0 && i < NELEM(hometowns); i++) {
            out->id_county = hometowns[(start + i) % NELEM(hometowns)].code;
            seq = take_birth(r, ids, out->id_county, from, until, every, out);
        }
        if (seq >= 0)
            return seq;
    }
    return -1;
}

/* The year of schooling, a birth date in its window and the ID number. */
static int
draft_identity(core_demo_rng *r, core_demo_ids *ids, int school_year, core_demo_student *s,
               demo_draft *d)
{
    const core_demo_class *k = d->k;
    int schooling = core_demo_schooling_year(k->grade, k->system);
    if (schooling == 0) /* special education and others teach the primary grades */
        schooling = k->grade >= 11 && k->grade <= 16 ? k->grade - 10 : 1;
    d->schooling = schooling;
    int from, until;
    core_demo_birth_window(schooling, school_year, &from, &until);
    int seq = take_id(r, ids, k->county, from, until, d);
    if (seq < 0)
        return -1;
    make_idnum(d->id_county, d->birth, seq, d->id);
    snprintf(s->student_number, sizeof(s->student_number), "G%s", d->id);
    return 0;
}

/* Where the family lives and comes from, the ethnicity and the name. */
static void
draft_origin(core_demo_rng *r, core_demo_student *s, demo_draft *d)
{
    const core_demo_class *k = d->k;
    d->place = -1;
    for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
        if (strcmp(places[i].code, k->county) == 0)
            d->place = (int)i;
    d->town = d->place >= 0 ? places[d->place].place : "河南省";
    d->street = d->place >= 0 ? places[d->place].streets[core_demo_rand(r, 8)] : "人民路";

    /* hukou: local, or a migrant worker's family from elsewhere in the province */
    d->migrant = chance(r, 120);
    d->hukou_county = k->county;
    d->native = native_places[skewed(r, NELEM(native_places))];
    if (strcmp(d->id_county, k->county) != 0) { /* born in a hometown: registered there */
        d->migrant = 1;
        d->hukou_county = d->id_county;
        for (size_t h = 0; h < NELEM(hometowns); h++)
            if (strcmp(hometowns[h].code, d->id_county) == 0)
                d->native = hometowns[h].place;
    } else if (d->migrant) {
        uint32_t h = core_demo_rand(r, NELEM(hometowns));
        d->hukou_county = hometowns[h].code;
        d->native = hometowns[h].place;
    }
    d->hukou = put(s, "%s000000", d->hukou_county);
    d->ethnicity = chance(r, 950) ? "01" : PICK(r, minorities);

    /* the name: the father's surname, a given name of one or two characters */
    d->surname = surnames[skewed(r, NELEM(surnames))];
    given_name(r, d->gender == 1 ? boy_chars : girl_chars,
               d->gender == 1 ? NELEM(boy_chars) : NELEM(girl_chars), chance(r, 750), d->given,
               sizeof(d->given));
}

/* Name, birth, origin, ID, political status, health and hukou. */
static void
set_person(core_demo_rng *r, core_demo_student *s, const demo_draft *d)
{
    int schooling = d->schooling;
    set(s, 0, name, put(s, "%s%s", d->surname, d->given));
    set(s, 0, gender, d->gender == 1 ? "1" : "2");
    set(s, 0, birth_date, iso(s, d->birth));
    set(s, 0, birthplace,
        put(s, "%s000000", d->migrant && chance(r, 500) ? d->hukou_county : d->k->county));
    set(s, 0, native_place, d->native);
    set(s, 0, ethnicity, d->ethnicity);
    set(s, 0, nationality, "CHN");
    set(s, 0, id_type, "1");
    set(s, 0, id_number, put(s, "%s", d->id));
    set(s, 0, overseas_status, "0");
    const char *political = "02"; /* 少先队员 */
    if (schooling >= 8 && chance(r, schooling >= 10 ? 600 : 250))
        political = "03"; /* 共青团员 */
    else if (schooling >= 10)
        political = "13";
    set(s, 0, political_status, political);
    set(s, 0, health, d->special ? "6" : chance(r, 970) ? "1" : chance(r, 700) ? "2" : "3");
    set(s, 0, hukou_region, d->hukou);
    set(s, 0, hukou_type, d->migrant ? "2" : chance(r, 850) ? "1" : "2");
}

/* Grade, class and how and when the student entered the school's stage. */
static void
set_schooling(core_demo_rng *r, core_demo_student *s, const demo_draft *d, int school_year)
{
    const core_demo_class *k = d->k;
    int schooling = d->schooling;
    set(s, 0, grade, put(s, "%d", k->grade));
    set(s, 0, class, put(s, "%d", k->number));
    /* enrolled in the first year of the school's stage */
    int primary = strcmp(k->system, "54") == 0 ? 5 : 6;
    int stage_first = d->special || schooling <= primary ? 1 : schooling <= 9 ? primary + 1 : 10;
    set(s, 0, enrolled_month, put(s, "%04d09", school_year - (schooling - stage_first)));
    set(s, 0, entry_mode, schooling >= 10 ? "3" : "1");
    set(s, 0, study_mode, schooling >= 10 && chance(r, 250) ? "2" : "1");
    set(s, 0, source, "1");
}

/* The addresses, the postcode and the family and aid flags. */
static void
set_home(core_demo_rng *r, core_demo_student *s, demo_draft *d)
{
    const char *address =
        put(s, "%s%s%u号院%u号楼%u单元%u0%u室", d->town, d->street, 1 + core_demo_rand(r, 300),
            1 + core_demo_rand(r, 20), 1 + core_demo_rand(r, 4), 1 + core_demo_rand(r, 18),
            1 + core_demo_rand(r, 4));
    d->address = address;
    set(s, 0, current_address, address);
    set(s, 0, mailing_address, address);
    set(s, 0, home_address, address);
    set(s, 0, postcode, d->place >= 0 ? places[d->place].postcode : "450000");
    set(s, 0, only_child, chance(r, 350) ? "1" : "0");
    set(s, 0, preschool, chance(r, 950) ? "1" : "0");
    set(s, 0, left_behind, d->migrant ? "0" : chance(r, 25) ? (chance(r, 800) ? "1" : "2") : "0");
    set(s, 0, migrant_child, d->migrant ? "1" : "0");
    set(s, 0, orphan, "0");
    set(s, 0, martyr_child, "0");
    set(s, 0, inclusive_ed, "0");
    set(s, 0, disability, d->special ? PICK(r, disabilities) : "0");
    set(s, 0, gov_funded_seat, "0");
    set(s, 0, needs_aid, chance(r, 40) ? "1" : "0");
    set(s, 0, boarding_subsidy, "0");
}

/* The way to school: distance, transport and the school bus. */
static void
set_travel(core_demo_rng *r, core_demo_student *s, const demo_draft *d)
{
    unsigned tenths = 3 + core_demo_rand(r, d->schooling >= 7 ? 120 : 45);
    set(s, 0, distance_km, put(s, "%u.%u", tenths / 10, tenths % 10));
    const char *transport = tenths < 10   ? "1"
                            : tenths < 30 ? (chance(r, 500) ? "2" : "4")
                                          : (chance(r, 500) ? "3" : "4");
    int bus = chance(r, 20);
    set(s, 0, transport, bus ? "5" : transport);
    set(s, 0, school_bus, bus ? "1" : "0");
}

int
core_demo_student_make(core_demo_rng *r, core_demo_ids *ids, const core_demo_class *k,
                       int school_year, core_demo_student *s)
{
    pthread_once(&fields_once, resolve_fields);
    memset(&s->rec, 0, sizeof(s->rec));
    s->used = 0;
    demo_draft d = {.k = k, .special = k->category == 51};
    if (draft_identity(r, ids, school_year, s, &d) != 0)
        return -1;
    draft_origin(r, s, &d);
    set_person(r, s, &d);
    set_schooling(r, s, &d, school_year);
    set_home(r, s, &d);
    set_travel(r, s, &d);

    parent(s, r, 1, d.surname, d.birth, d.hukou_county, d.address, d.hukou, d.ethnicity);
    parent(s, r, 2, d.surname, d.birth, d.hukou_county, d.address, d.hukou, d.ethnicity);
    /* the student's contact number is a parent's */
    s->rec.v[CORE_R_PHONE] = s->rec.v[(chance(r, 600) ? CORE_R_F2 : CORE_R_F1) + CORE_M_PHONE];
    return 0;
}
