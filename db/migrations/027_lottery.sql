-- 027: the published draw of a pre-selection round (issue 17,
-- docs/decisions/0042). One row per section drawn: its capacity and free
-- seats at the draw and the candidates' 学号 in ranking order, the first
-- `free` of them selected. With the round's reveal (uni_round) this is
-- everything needed to re-run the draw (core/lottery.h), and it does not
-- change when the selections change afterwards (add/drop, exemptions).
CREATE TABLE uni_draw_section (
    round       bigint      NOT NULL REFERENCES uni_round (id),
    section     bigint      NOT NULL REFERENCES uni_section (id),
    capacity    int         NOT NULL,
    free        int         NOT NULL CHECK (free >= 0),
    student_nos text[]      NOT NULL, -- 学号 in ranking order (rank 1 first)
    algorithm   text        NOT NULL,
    drawn_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round, section)
);

-- the close of a round reads its pre-selections
CREATE INDEX uni_selection_round_idx ON uni_selection (round) WHERE state = 'preselected';
