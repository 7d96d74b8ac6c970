-- The control-plane schema is a contract like the topics: these migrations live in common,
-- policy-service alone applies them (and writes the tables), every other service reads them, and
-- the readers' tests run on the same migrations. Keep to SQL that MySQL 8 and MariaDB 10.11 accept.
-- This first step records what the schema is; the control-plane issue adds the tables.
CREATE TABLE control_meta (
  name          VARCHAR(64)  NOT NULL,
  value         VARCHAR(256) NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO control_meta (name, value, updated_at_ms) VALUES ('schema', 'vigil-control', 0);
