package io.vigil.common.model;

/** What happened to an entity on a change topic. */
public enum ChangeOp {
  UPSERT,
  DELETE
}
