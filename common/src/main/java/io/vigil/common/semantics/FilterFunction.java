package io.vigil.common.semantics;

/**
 * The nine filter functions of the seed's filter model. How each treats a dimension that is absent
 * from a series or event is part of its meaning (see {@link Filter}).
 */
public enum FilterFunction {
  /** The value equals the argument exactly (case-sensitive, code point by code point). Absent: false. */
  Equal,
  /** Not {@link #Equal}. Absent: true. */
  NotEqual,
  /** The value equals one of the arguments. Absent: false. */
  In,
  /** Not {@link #In}. Absent: true. */
  NotIn,
  /** The whole value matches the regular expression (anchored at both ends). Absent: false. */
  Regex,
  /** Not {@link #Regex}. Absent: true. */
  NotRegex,
  /** The value starts with the argument. Absent: false. */
  Prefix,
  /** The value contains the argument. Absent: false. */
  Contains,
  /** The dimension is present (an empty value counts as present). Takes no argument. */
  Exists;

  /** Functions whose argument is a list. */
  public boolean takesList() {
    return this == In || this == NotIn;
  }

  /** Functions that are true for an absent dimension. */
  public boolean trueWhenAbsent() {
    return this == NotEqual || this == NotIn || this == NotRegex;
  }
}
