-- The notifier's explain trail: every step an alert event took through the pipeline, so "why was I
-- (not) paged" is one query. Operational state with a bounded retention, not the public history
-- (that is notify.records, indexed by storage).
CREATE TABLE notifier_trail (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  event_id        VARCHAR(64)  NOT NULL,
  alert_key       VARCHAR(300) NOT NULL,
  tenant          VARCHAR(64)  NOT NULL,
  policy_id       VARCHAR(64)  NOT NULL,
  sequence        BIGINT       NOT NULL,
  alert_status    VARCHAR(16)  NOT NULL,
  step            SMALLINT     NOT NULL,
  stage           VARCHAR(32)  NOT NULL,
  status          VARCHAR(32)  NOT NULL,
  reason          VARCHAR(128) NULL,
  detail          VARCHAR(1024) NULL,
  recipient       VARCHAR(200) NULL,
  channel         VARCHAR(16)  NULL,
  notification_id VARCHAR(64)  NULL,
  at_ms           BIGINT       NOT NULL,
  PRIMARY KEY (id),
  -- an event run again after a restart adds its steps again: the trail shows both runs
  KEY ix_trail_event (event_id),
  KEY ix_trail_alert (alert_key(191), at_ms),
  KEY ix_trail_at (at_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
