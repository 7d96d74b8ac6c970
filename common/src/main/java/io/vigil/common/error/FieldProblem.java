package io.vigil.common.error;

/** One field at fault and why, as it appears in a problem's {@code errors} list. */
public record FieldProblem(String field, String reason) {}
