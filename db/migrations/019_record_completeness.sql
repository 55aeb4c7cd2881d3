-- 019: the record's completeness (issue 15, docs/decisions/0030).
--   * a transfer done on paper first carries its real date: the history
--     entry of its effect keeps that `effective_date` besides `at` (the
--     date it was recorded);
--   * rewards and punishments (奖惩) on the record: entries added by the
--     school, typed by the code table reward_kind, removed only through an
--     approved reward_removal request (the row stays, marked removed).

ALTER TABLE student_history ADD COLUMN effective_date date;

-- 奖惩类别 (our choice, after 中小学生学籍管理办法 and the provinces'
-- 中小学生奖惩 rules): 1x rewards by the level that gives them, 2x
-- punishments from the mildest. 25 开除学籍 is not given in the compulsory
-- stage (义务教育法 第二十七条); core/reward.c refuses it for grades 1x, 2x.
INSERT INTO code_table (name, label, source)
VALUES ('reward_kind', '奖惩类别', 'xueji (docs/decisions/0030)');
INSERT INTO code_value (table_name, code, label, sort) VALUES
    ('reward_kind', '11', '国家级表彰奖励', 1),
    ('reward_kind', '12', '省级表彰奖励', 2),
    ('reward_kind', '13', '市级表彰奖励', 3),
    ('reward_kind', '14', '县级表彰奖励', 4),
    ('reward_kind', '15', '校级表彰奖励', 5),
    ('reward_kind', '19', '其他奖励', 6),
    ('reward_kind', '21', '警告', 7),
    ('reward_kind', '22', '严重警告', 8),
    ('reward_kind', '23', '记过', 9),
    ('reward_kind', '24', '留校察看', 10),
    ('reward_kind', '25', '开除学籍', 11),
    ('reward_kind', '29', '其他处分', 12);

CREATE TABLE student_reward (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id  bigint      NOT NULL REFERENCES student (id),
    school      char(10)    NOT NULL REFERENCES school (code), -- the school that added it
    kind        text        NOT NULL,
    date        date        NOT NULL,
    issuer      text        NOT NULL, -- 颁发/处分单位
    text        text        NOT NULL, -- 事由
    created_by  bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    removed_by  bigint REFERENCES request (id), -- the approved reward_removal
    removed_at  timestamptz
);
CREATE INDEX student_reward_student_idx ON student_reward (student_id, id);
