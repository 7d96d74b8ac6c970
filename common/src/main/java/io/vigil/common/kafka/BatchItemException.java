package io.vigil.common.kafka;

/**
 * Thrown by a {@link BatchHandler}: every record before {@code index} is done, the one at {@code
 * index} failed with {@code cause} (which the kit classifies), the rest are not done.
 */
public class BatchItemException extends RuntimeException {

  private final int index;

  public BatchItemException(int index, Throwable cause) {
    super("batch item " + index + " failed: " + (cause == null ? "?" : cause.getMessage()), cause);
    if (index < 0) {
      throw new IllegalArgumentException("index " + index);
    }
    this.index = index;
  }

  public int index() {
    return index;
  }
}
