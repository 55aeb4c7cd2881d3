-- 017: class assignment by spreadsheet and honest import counts (issue 15,
-- docs/decisions/0028). Import jobs get mode 'classes' (each row moves a
-- pupil to another class of its grade) and the count `unchanged`: rows that
-- matched a record and changed nothing, so that `updated` counts real
-- changes only.

ALTER TABLE import_job DROP CONSTRAINT import_job_mode_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_mode_check
    CHECK (mode IN ('create', 'update', 'classes'));
ALTER TABLE import_job ADD COLUMN unchanged int NOT NULL DEFAULT 0;
