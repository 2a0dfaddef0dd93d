-- The first visit of a big company shows Procore's first page of projects at once while
-- the rest loads: a refresh stores pages as they arrive and records its progress here.
ALTER TABLE project_catalog_syncs ADD COLUMN arrived BIGINT NOT NULL DEFAULT 0;
ALTER TABLE project_catalog_syncs ADD COLUMN expected BIGINT;
ALTER TABLE project_catalog_syncs ADD COLUMN loading_since BIGINT;
