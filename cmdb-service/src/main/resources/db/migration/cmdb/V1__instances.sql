-- Instances of monitored objects, keyed by (namespace, region, instance_id). version is the
-- writer's external version (epoch ms at its source, say): it never goes backwards, and a delete
-- leaves a tombstone (deleted = 1) carrying the version it was deleted at, so a late upsert cannot
-- bring the instance back. tenant is the value of the namespace's tenant dimension among the
-- attributes ('' for a tombstone of an instance never seen). body holds {"attributes","tags"}.
CREATE TABLE cmdb_instances (
  pk            BIGINT       NOT NULL AUTO_INCREMENT,
  namespace     VARCHAR(96)  NOT NULL,
  region        VARCHAR(64)  NOT NULL,
  instance_id   VARCHAR(128) NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  version       BIGINT       NOT NULL,
  deleted       TINYINT(1)   NOT NULL DEFAULT 0,
  source        VARCHAR(160) NOT NULL,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  PRIMARY KEY (pk),
  UNIQUE KEY uq_cmdb_instance (namespace, region, instance_id),
  KEY ix_cmdb_tenant (tenant, deleted, pk),
  KEY ix_cmdb_namespace (namespace, deleted, pk)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The search index of live instances: one row per attribute ('a') and tag ('t'), by the XXH64 of
-- the value (values may be longer than an index key allows); a match is confirmed on the body.
CREATE TABLE cmdb_labels (
  kind        CHAR(1)     NOT NULL,
  name        VARCHAR(128) NOT NULL,
  value_hash  BIGINT      NOT NULL,
  instance_pk BIGINT      NOT NULL,
  PRIMARY KEY (kind, name, value_hash, instance_pk),
  KEY ix_cmdb_labels_instance (instance_pk)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Committed changes waiting for cmdb.changes; payload is the CmdbChange as published.
CREATE TABLE cmdb_outbox (
  seq           BIGINT       NOT NULL AUTO_INCREMENT,
  instance_key  VARCHAR(300) NOT NULL,
  version       BIGINT       NOT NULL,
  payload       MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  traceparent   VARCHAR(64)  NULL,
  PRIMARY KEY (seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Named rows: outbox_relay is the relay's baton (one relay across instances).
CREATE TABLE cmdb_meta (
  name  VARCHAR(64)  NOT NULL,
  value VARCHAR(255) NULL,
  PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO cmdb_meta (name, value) VALUES ('outbox_relay', NULL);
