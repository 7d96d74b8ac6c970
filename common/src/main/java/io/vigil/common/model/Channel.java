package io.vigil.common.model;

/** The ways Vigil reaches a person or a system. */
public enum Channel {
  SMS,
  EMAIL,
  PHONE,
  WEBHOOK,
  BOT
}
