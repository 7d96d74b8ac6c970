-- The control-plane objects (issue 6). Every object type has a table of the same shape: the columns
-- lists and loads filter on, and the object itself as JSON in body (its record in common's
-- io.vigil.common.control package is the contract for body). Global objects (products, namespaces)
-- have tenant ''. Deletes are soft: deleted = 1, live = NULL (so unique keys hold among live rows
-- only), and version keeps counting, so a reader deduplicating by (type:id, version) never mistakes
-- an old change for a new one. Every list, search and load query has an index (PolicyQueryPlanIT
-- runs EXPLAIN on each over 100,000 rows).

CREATE TABLE ctl_products (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_products_tenant (tenant, deleted, id),
  INDEX ix_products_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_namespaces (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_namespaces_tenant (tenant, deleted, id),
  INDEX ix_namespaces_name (tenant, deleted, name),
  INDEX ix_namespaces_shard (shard, deleted, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_policies (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_policies_tenant (tenant, deleted, id),
  INDEX ix_policies_name (tenant, deleted, name),
  INDEX ix_policies_tenant_ns (tenant, namespace, deleted, id),
  INDEX ix_policies_shard (shard, deleted, id),
  INDEX ix_policies_ns (namespace, deleted, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_silences (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_silences_tenant (tenant, deleted, id),
  INDEX ix_silences_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_inhibition_rules (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_inhibition_rules_tenant (tenant, deleted, id),
  INDEX ix_inhibition_rules_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_users (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_users_tenant (tenant, deleted, id),
  INDEX ix_users_name (tenant, deleted, name),
  UNIQUE KEY uq_users_name (tenant, name, live)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_user_groups (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_user_groups_tenant (tenant, deleted, id),
  INDEX ix_user_groups_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_webhooks (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_webhooks_tenant (tenant, deleted, id),
  INDEX ix_webhooks_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_chat_bots (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_chat_bots_tenant (tenant, deleted, id),
  INDEX ix_chat_bots_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_oncall_schedules (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_oncall_schedules_tenant (tenant, deleted, id),
  INDEX ix_oncall_schedules_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_templates (
  id            VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  name          VARCHAR(256) NOT NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  enabled       TINYINT      NOT NULL DEFAULT 1,
  version       BIGINT       NOT NULL,
  deleted       TINYINT      NOT NULL DEFAULT 0,
  live          TINYINT      NULL DEFAULT 1,
  body          MEDIUMTEXT   NOT NULL,
  created_at_ms BIGINT       NOT NULL,
  updated_at_ms BIGINT       NOT NULL,
  updated_by    VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_templates_tenant (tenant, deleted, id),
  INDEX ix_templates_name (tenant, deleted, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The transactional outbox: a change and its row commit in one transaction; the relay publishes
-- whatever rows are here (never "seq greater than the last sent": rows commit out of seq order) and
-- deletes them once Kafka acknowledged. Several relays may run: each takes rows FOR UPDATE SKIP LOCKED.
CREATE TABLE ctl_outbox (
  seq           BIGINT       NOT NULL AUTO_INCREMENT,
  entity_type   VARCHAR(32)  NOT NULL,
  entity_id     VARCHAR(64)  NOT NULL,
  version       BIGINT       NOT NULL,
  op            VARCHAR(16)  NOT NULL,
  tenant        VARCHAR(64)  NULL,
  namespace     VARCHAR(128) NULL,
  shard         VARCHAR(64)  NULL,
  created_at_ms BIGINT       NOT NULL,
  traceparent   VARCHAR(64)  NULL,
  PRIMARY KEY (seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Who changed what, when, with the object before and after (secrets redacted), per object.
CREATE TABLE ctl_audit (
  seq           BIGINT       NOT NULL AUTO_INCREMENT,
  entity_type   VARCHAR(32)  NOT NULL,
  entity_id     VARCHAR(64)  NOT NULL,
  tenant        VARCHAR(64)  NOT NULL,
  version       BIGINT       NOT NULL,
  op            VARCHAR(16)  NOT NULL,
  actor         VARCHAR(128) NOT NULL,
  at_ms         BIGINT       NOT NULL,
  before_body   MEDIUMTEXT   NULL,
  after_body    MEDIUMTEXT   NULL,
  PRIMARY KEY (seq),
  INDEX ix_audit_entity (entity_type, entity_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The relay's baton: the relay that holds this row (FOR UPDATE SKIP LOCKED) is the one publishing,
-- so changes of one entity go out in version order even with several policy-service instances.
INSERT INTO control_meta (name, value, updated_at_ms) VALUES ('outbox_relay', 'baton', 0);
