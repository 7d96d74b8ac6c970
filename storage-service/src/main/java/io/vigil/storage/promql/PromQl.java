package io.vigil.storage.promql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The PromQL subset Vigil answers, parsed: number literals with + - * / between them (Grafana's
 * health check asks {@code 1+1}), instant selectors with label matchers ({@code = != =~ !~}) and
 * {@code offset}, and the aggregations sum, avg, min, max and count, {@code by} or {@code without}
 * labels. Anything else (functions such as rate, range selectors, subqueries, {@code @}, binary
 * operators between vectors) is refused naming what is unsupported.
 */
public final class PromQl {

  /** A parsed expression. */
  public sealed interface Expr permits Number, Binary, Selector, Aggregate {}

  public record Number(double value) implements Expr {}

  public record Binary(char op, Expr left, Expr right) implements Expr {}

  /** A label matcher; {@code pattern} compiled for the regex kinds (anchored, as Prometheus does). */
  public record Matcher(String label, String op, String value, Pattern pattern) {
    public boolean test(String actual) {
      String v = actual == null ? "" : actual;
      return switch (op) {
        case "=" -> v.equals(value);
        case "!=" -> !v.equals(value);
        case "=~" -> pattern.matcher(v).matches();
        case "!~" -> !pattern.matcher(v).matches();
        default -> throw new IllegalStateException(op);
      };
    }
  }

  public record Selector(String name, List<Matcher> matchers, Duration offset) implements Expr {}

  public record Aggregate(String op, boolean without, List<String> labels, Expr inner) implements Expr {}

  static final Set<String> AGGREGATIONS = Set.of("sum", "avg", "min", "max", "count");
  static final Set<String> UNSUPPORTED_AGGREGATIONS = Set.of("stddev", "stdvar", "topk", "bottomk", "quantile",
      "count_values", "group", "limitk", "limit_ratio");
  public static final int MAX_LENGTH = 4096;

  private final String text;
  private int at;

  private PromQl(String text) {
    this.text = text;
  }

  /** Parses a query; throws {@link PromQlException} naming what is wrong or unsupported. */
  public static Expr parse(String query) {
    if (query == null || query.isBlank()) {
      throw new PromQlException("query is required");
    }
    if (query.length() > MAX_LENGTH) {
      throw new PromQlException("query longer than " + MAX_LENGTH + " characters");
    }
    PromQl p = new PromQl(query);
    Expr e = p.sum();
    p.space();
    if (p.at < p.text.length()) {
      p.fail("unexpected '" + p.text.substring(p.at, Math.min(p.text.length(), p.at + 20)) + "'");
    }
    return e;
  }

  private Expr sum() {
    Expr left = product();
    while (true) {
      space();
      if (peek('+') || peek('-')) {
        char op = text.charAt(at++);
        left = binary(op, left, product());
      } else {
        return left;
      }
    }
  }

  private Expr product() {
    Expr left = unary();
    while (true) {
      space();
      if (peek('*') || peek('/')) {
        char op = text.charAt(at++);
        left = binary(op, left, unary());
      } else if (peek('%') || peek('^')) {
        throw new PromQlException("unsupported: the operator '" + text.charAt(at) + "'");
      } else {
        return left;
      }
    }
  }

  private Expr binary(char op, Expr left, Expr right) {
    if (!scalar(left) || !scalar(right)) {
      throw new PromQlException("unsupported: binary operator '" + op + "' on series (only between numbers)");
    }
    return new Binary(op, left, right);
  }

  private static boolean scalar(Expr e) {
    return e instanceof Number || e instanceof Binary;
  }

  private Expr unary() {
    space();
    if (peek('-')) {
      at++;
      Expr e = unary();
      if (e instanceof Number n) {
        return new Number(-n.value());
      }
      throw new PromQlException("unsupported: unary minus on series");
    }
    if (peek('+')) {
      at++;
      return unary();
    }
    return primary();
  }

  private Expr primary() {
    space();
    if (at >= text.length()) {
      fail("unexpected end of query");
    }
    char c = text.charAt(at);
    if (c == '(') {
      at++;
      Expr e = sum();
      expect(')');
      return e;
    }
    if (Character.isDigit(c) || c == '.') {
      return number();
    }
    if (c == '{') {
      return selector(null);
    }
    if (Character.isLetter(c) || c == '_' || c == ':') {
      String word = identifier(true);
      String lower = word.toLowerCase(Locale.ROOT);
      space();
      if (AGGREGATIONS.contains(lower) && (peek('(') || lookingAtWord("by") || lookingAtWord("without"))) {
        return aggregate(lower);
      }
      if (UNSUPPORTED_AGGREGATIONS.contains(lower)) {
        throw new PromQlException("unsupported: the aggregation " + lower + " (sum, avg, min, max, count are)");
      }
      if (lower.equals("inf") || lower.equals("nan")) {
        return new Number(lower.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN);
      }
      if (peek('(')) {
        throw new PromQlException("unsupported: the function " + word + "()");
      }
      return selector(word);
    }
    fail("unexpected '" + c + "'");
    return null;
  }

  private Expr aggregate(String op) {
    boolean without = false;
    List<String> labels = List.of();
    boolean grouped = false;
    if (lookingAtWord("by") || lookingAtWord("without")) {
      without = identifier(false).equals("without");
      labels = labelList();
      grouped = true;
    }
    expect('(');
    Expr inner = sum();
    expect(')');
    space();
    if (!grouped && (lookingAtWord("by") || lookingAtWord("without"))) {
      without = identifier(false).equals("without");
      labels = labelList();
    }
    if (scalar(inner)) {
      throw new PromQlException("unsupported: " + op + "() of a number");
    }
    return new Aggregate(op, without, labels, inner);
  }

  private List<String> labelList() {
    expect('(');
    List<String> out = new ArrayList<>();
    space();
    while (!peek(')')) {
      out.add(identifier(false));
      space();
      if (peek(',')) {
        at++;
        space();
      } else if (!peek(')')) {
        fail("expected ',' or ')' in the label list");
      }
    }
    at++;
    return out;
  }

  private Expr selector(String name) {
    List<Matcher> matchers = new ArrayList<>();
    space();
    if (peek('{')) {
      at++;
      space();
      while (!peek('}')) {
        String label = identifier(false);
        space();
        String op;
        if (text.startsWith("=~", at) || text.startsWith("!~", at) || text.startsWith("!=", at)) {
          op = text.substring(at, at + 2);
          at += 2;
        } else if (peek('=')) {
          op = "=";
          at++;
        } else {
          fail("expected a matcher operator (= != =~ !~) after " + label);
          return null;
        }
        space();
        String value = string();
        Pattern pattern = null;
        if (op.endsWith("~")) {
          try {
            pattern = Pattern.compile(value);
          } catch (PatternSyntaxException e) {
            throw new PromQlException("bad regex for " + label + ": " + e.getDescription());
          }
        }
        matchers.add(new Matcher(label, op, value, pattern));
        space();
        if (peek(',')) {
          at++;
          space();
        } else if (!peek('}')) {
          fail("expected ',' or '}' in the matchers");
        }
      }
      at++;
    }
    if (name == null && matchers.stream().noneMatch(m -> m.label().equals("__name__"))) {
      throw new PromQlException("a selector needs a metric name");
    }
    space();
    if (peek('[')) {
      throw new PromQlException("unsupported: range selectors ([...]); rollups already summarise each period");
    }
    if (peek('@')) {
      throw new PromQlException("unsupported: the @ modifier");
    }
    Duration offset = Duration.ZERO;
    if (lookingAtWord("offset")) {
      identifier(false);
      space();
      boolean negative = peek('-');
      if (negative) {
        at++;
      }
      offset = duration();
      if (negative) {
        offset = offset.negated();
      }
    }
    return new Selector(name, matchers, offset);
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|y|w|d|h|m|s)");

  private Duration duration() {
    space();
    int start = at;
    Duration total = Duration.ZERO;
    java.util.regex.Matcher m = DURATION.matcher(text);
    while (at < text.length() && m.region(at, text.length()).lookingAt()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        case "w" -> Duration.ofDays(7 * n);
        default -> Duration.ofDays(365 * n);
      });
      at = m.end();
    }
    if (at == start) {
      fail("expected a duration such as 5m or 1d");
    }
    return total;
  }

  private Expr number() {
    int start = at;
    while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '.'
        || ((text.charAt(at) == '+' || text.charAt(at) == '-') && (text.charAt(at - 1) == 'e'
        || text.charAt(at - 1) == 'E')))) {
      at++;
    }
    String s = text.substring(start, at);
    try {
      return new Number(s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Double.parseDouble(s));
    } catch (NumberFormatException e) {
      throw new PromQlException("bad number '" + s + "'");
    }
  }

  private String string() {
    if (at >= text.length() || (text.charAt(at) != '"' && text.charAt(at) != '\'' && text.charAt(at) != '`')) {
      fail("expected a quoted label value");
    }
    char quote = text.charAt(at++);
    StringBuilder out = new StringBuilder();
    while (at < text.length() && text.charAt(at) != quote) {
      char c = text.charAt(at++);
      if (c == '\\' && quote != '`' && at < text.length()) {
        char e = text.charAt(at++);
        out.append(switch (e) {
          case 'n' -> '\n';
          case 't' -> '\t';
          case 'r' -> '\r';
          default -> e;
        });
      } else {
        out.append(c);
      }
    }
    if (at >= text.length()) {
      fail("unterminated label value");
    }
    at++;
    return out.toString();
  }

  private String identifier(boolean metric) {
    space();
    int start = at;
    while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_'
        || (metric && text.charAt(at) == ':'))) {
      at++;
    }
    if (at == start) {
      fail("expected a name");
    }
    return text.substring(start, at);
  }

  private boolean lookingAtWord(String word) {
    space();
    if (!text.startsWith(word, at)) {
      return false;
    }
    int end = at + word.length();
    return end >= text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
  }

  private boolean peek(char c) {
    return at < text.length() && text.charAt(at) == c;
  }

  private void expect(char c) {
    space();
    if (!peek(c)) {
      fail("expected '" + c + "'");
    }
    at++;
  }

  private void space() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c == '#') {
        while (at < text.length() && text.charAt(at) != '\n') {
          at++;
        }
      } else if (Character.isWhitespace(c)) {
        at++;
      } else {
        return;
      }
    }
  }

  private void fail(String message) {
    throw new PromQlException("parse error at character " + (at + 1) + ": " + message);
  }
}
