-- 023: university students imported from a spreadsheet (issue 16, the
-- second import template, core/uni_file.h). Import jobs get mode
-- 'uni_students': each row creates a university student.

ALTER TABLE import_job DROP CONSTRAINT import_job_mode_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_mode_check
    CHECK (mode IN ('create', 'update', 'classes', 'uni_students'));
