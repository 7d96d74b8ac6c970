-- The explain trail as one row per run of a notice through the pipeline, its steps in one JSON
-- array, in place of a row per step: a notice takes eight to a dozen steps, and at thousands of
-- events a second a row (and three index entries) per step made the trail the largest writer of
-- MySQL. Explain reads the same steps back.
CREATE TABLE notifier_trail_run (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  event_id     VARCHAR(64)  NOT NULL,
  alert_key    VARCHAR(300) NOT NULL,
  tenant       VARCHAR(64)  NOT NULL,
  policy_id    VARCHAR(64)  NOT NULL,
  sequence     BIGINT       NOT NULL,
  alert_status VARCHAR(16)  NOT NULL,
  -- [{"stage", "status", "reason", "detail", "recipient", "channel", "notificationId", "atMs"}, ...]
  -- in the order taken; absent fields left out
  steps        MEDIUMTEXT   NOT NULL,
  -- the run's first step (retention and "an alert's latest runs" go by it)
  at_ms        BIGINT       NOT NULL,
  PRIMARY KEY (id),
  -- an event run again after a restart is a second run: the trail shows both
  KEY ix_trail_run_event (event_id),
  KEY ix_trail_run_alert (alert_key(191), at_ms),
  KEY ix_trail_run_at (at_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- the steps already kept move over, an event's steps to one row, so explain still answers for the
-- trail's retention across the upgrade
SET SESSION group_concat_max_len = 16777216;
INSERT INTO notifier_trail_run (event_id, alert_key, tenant, policy_id, sequence, alert_status, steps, at_ms)
SELECT event_id, MIN(alert_key), MIN(tenant), MIN(policy_id), MIN(sequence), MIN(alert_status),
       CONCAT('[', GROUP_CONCAT(JSON_OBJECT('stage', stage, 'status', status, 'reason', reason, 'detail', detail,
           'recipient', recipient, 'channel', channel, 'notificationId', notification_id, 'atMs', at_ms)
           ORDER BY at_ms, id SEPARATOR ','), ']'),
       MIN(at_ms)
FROM notifier_trail
GROUP BY event_id;

DROP TABLE notifier_trail;
