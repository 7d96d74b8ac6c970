package io.vigil.common.model;

/**
 * A message that cannot be accepted: a required field is missing, a value is out of range, or the
 * schema version is not one this build reads. Names the record type and the offending field so a
 * consumer can dead-letter it with a reason and an operator can see what was wrong without the
 * payload.
 */
public class InvalidRecordException extends RuntimeException {

  private final String recordType;
  private final String field;
  private final String reason;

  public InvalidRecordException(String recordType, String field, String reason) {
    super(recordType + "." + field + ": " + reason);
    this.recordType = recordType;
    this.field = field;
    this.reason = reason;
  }

  public InvalidRecordException(String recordType, String field, String reason, Throwable cause) {
    super(recordType + "." + field + ": " + reason, cause);
    this.recordType = recordType;
    this.field = field;
    this.reason = reason;
  }

  /**
   * The invalid-record error somewhere in {@code error}'s cause chain, or null if there is none. A
   * chain that loops back on itself ends the search.
   */
  public static InvalidRecordException in(Throwable error) {
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof InvalidRecordException invalid) {
        return invalid;
      }
    }
    return null;
  }

  public String recordType() {
    return recordType;
  }

  /** The JSON field at fault, or {@code "$"} when the record as a whole could not be read. */
  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
