-- 008: school merges (学校合并, API.md "Schools": POST /schools/{code}/merge).
-- The merged school keeps its row, closed, and names the school that took
-- its classes and students, so old history rows and requests that name it
-- still resolve. A merged school stays closed.
ALTER TABLE school ADD COLUMN merged_into char(10) REFERENCES school (code);
ALTER TABLE school ADD CONSTRAINT school_merged_closed
    CHECK (merged_into IS NULL OR (closed AND merged_into <> code));
