-- 012: uploads at rest (issue 12, docs/decisions/0013). Import uploads,
-- evidence files and photos are stored as one XChaCha20-Poly1305 value each
-- under the data key (the format of core/pii.h); `data_key` is the key id of
-- that value. NULL = stored in clear before this migration: xuejid seals
-- those rows in the background and `xuejictl rekey` seals whatever is left.
-- An import's upload is deleted (data NULL, upload_deleted_at set) once its
-- errors file is no longer offered or the retention period has passed; the
-- job's counts and errors stay.

ALTER TABLE import_job ALTER COLUMN data DROP NOT NULL;
ALTER TABLE import_job ADD COLUMN data_key bigint;
ALTER TABLE import_job ADD COLUMN upload_deleted_at timestamptz;
-- the uploads still kept, by key (rotation) and by end (retention)
CREATE INDEX import_job_data_key_idx ON import_job (data_key) WHERE data IS NOT NULL;
CREATE INDEX import_job_kept_idx ON import_job (finished_at) WHERE data IS NOT NULL;

ALTER TABLE file ADD COLUMN data_key bigint;
CREATE INDEX file_data_key_idx ON file (data_key);

ALTER TABLE student_photo ADD COLUMN data_key bigint;
CREATE INDEX student_photo_data_key_idx ON student_photo (data_key);
