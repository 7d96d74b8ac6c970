-- The explain trail as one row per run of a notice through the pipeline, its steps in one JSON
-- array, in place of a row per step: a notice takes eight to a dozen steps, and at thousands of
-- events a second a row (and three index entries) per step made the trail the largest writer of
-- MySQL. Explain reads the same steps back.
--
-- The per-step table (V1) stays as it is and is not copied: explain reads both, and its rows age out
-- under the same retention. Copying a week of steps would hold up every instance's start for as
-- long as it took, and instances not yet upgraded go on writing to it during a rolling upgrade. A
-- later migration drops it once no deployment can hold steps younger than the retention there.
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
  -- an event run again (a redelivery, a repeat, an acknowledgement) is a run of its own
  KEY ix_trail_run_event (event_id),
  KEY ix_trail_run_alert (alert_key(191), at_ms),
  KEY ix_trail_run_at (at_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
