package io.vigil.common.error;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects every bad field of one request, so a client sees all of them at once (the problem's
 * {@code errors} list) instead of one per round trip. Nothing is stored while any is present.
 */
public final class Violations {

  private final List<FieldProblem> problems = new ArrayList<>();

  public Violations add(String field, String reason) {
    problems.add(new FieldProblem(field, reason));
    return this;
  }

  /** Records {@code reason} for {@code field} unless {@code ok}; returns {@code ok}. */
  public boolean check(boolean ok, String field, String reason) {
    if (!ok) {
      add(field, reason);
    }
    return ok;
  }

  /**
   * Runs a check of the shared semantics (a filter, a window, a template, a URL): an {@link
   * ApiException} it throws is recorded under its own field; an {@link IllegalArgumentException}
   * under {@code field}. Returns the built value, or null when it failed.
   */
  public <T> T capture(String field, Supplier<T> check) {
    try {
      return check.get();
    } catch (ApiException e) {
      if (e.errors().isEmpty()) {
        add(e.field() == null ? field : e.field(), e.getMessage());
      } else {
        problems.addAll(e.errors());
      }
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      add(field, e.getMessage());
    }
    return null;
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<FieldProblem> list() {
    return List.copyOf(problems);
  }

  /** Throws {@code VALIDATION_FAILED} naming every field recorded; does nothing when none is. */
  public void throwIfAny() {
    throwIfAny(ErrorCode.VALIDATION_FAILED);
  }

  public void throwIfAny(ErrorCode code) {
    if (!problems.isEmpty()) {
      throw new ApiException(code, problems);
    }
  }
}
