package io.vigil.common.semantics;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The message templates' renderer: logic-less by construction, so a template saved by an operator
 * can read the alert and nothing else. It knows three tags:
 *
 * <ul>
 *   <li>{@code {{path.to.value}}}: the value, escaped for the channel;
 *   <li>{@code {{#name}} ... {{/name}}}: the block once per element of a list, once for a true or
 *       non-empty value, never for a false, empty or absent one; inside, names resolve against the
 *       element first;
 *   <li>{@code {{^name}} ... {{/name}}}: the block when {@code name} is false, empty or absent.
 * </ul>
 *
 * The data is plain maps, lists, strings, numbers and booleans: no method is ever called on a value
 * (no reflection), nothing is read from files or the network, and output is bounded. A template is
 * parsed and rendered against a sample alert when saved ({@link #compile}, {@link #render} with
 * {@code strict}), so a typo in a variable name is refused then, not at 3 a.m.
 */
public final class Template {

  /** How values are escaped for a channel. */
  public enum Escape { NONE, HTML, JSON }

  public static final int MAX_SOURCE = 64 * 1024;
  public static final int MAX_OUTPUT = 256 * 1024;
  private static final int MAX_DEPTH = 16;

  private sealed interface Node permits Text, Var, Section {}

  private record Text(String text) implements Node {}

  private record Var(String path, int at) implements Node {}

  private record Section(String path, boolean inverted, List<Node> body, int at) implements Node {}

  private final List<Node> nodes;

  private Template(List<Node> nodes) {
    this.nodes = nodes;
  }

  /** Parses a template; a syntax error names {@code field} and the character position. */
  public static Template compile(String field, String source) {
    if (source == null || source.length() > MAX_SOURCE) {
      throw invalid(field, "a template of at most " + MAX_SOURCE + " characters");
    }
    List<List<Node>> stack = new ArrayList<>();
    List<String> open = new ArrayList<>();
    List<Integer> openAt = new ArrayList<>();
    List<Boolean> openInverted = new ArrayList<>();
    stack.add(new ArrayList<>());
    int i = 0;
    while (i < source.length()) {
      int start = source.indexOf("{{", i);
      if (start < 0) {
        stack.get(stack.size() - 1).add(new Text(source.substring(i)));
        break;
      }
      if (start > i) {
        stack.get(stack.size() - 1).add(new Text(source.substring(i, start)));
      }
      int end = source.indexOf("}}", start + 2);
      if (end < 0) {
        throw invalid(field, "a tag opened at " + start + " is not closed");
      }
      String tag = source.substring(start + 2, end).trim();
      char kind = tag.isEmpty() ? ' ' : tag.charAt(0);
      String name = (kind == '#' || kind == '^' || kind == '/') ? tag.substring(1).trim() : tag;
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
        throw invalid(field, "not a variable name at " + start + ": '" + tag + "'");
      }
      if (kind == '#' || kind == '^') {
        if (open.size() >= MAX_DEPTH) {
          throw invalid(field, "sections nested deeper than " + MAX_DEPTH + " at " + start);
        }
        open.add(name);
        openAt.add(start);
        openInverted.add(kind == '^');
        stack.add(new ArrayList<>());
      } else if (kind == '/') {
        if (open.isEmpty() || !open.get(open.size() - 1).equals(name)) {
          throw invalid(field, "'{{/" + name + "}}' at " + start + " closes no open section");
        }
        List<Node> body = stack.remove(stack.size() - 1);
        int last = open.size() - 1;
        stack.get(stack.size() - 1).add(new Section(open.remove(last), openInverted.remove(last), List.copyOf(body),
            openAt.remove(last)));
      } else {
        stack.get(stack.size() - 1).add(new Var(name, start));
      }
      i = end + 2;
    }
    if (!open.isEmpty()) {
      throw invalid(field, "section '" + open.get(open.size() - 1) + "' opened at " + openAt.get(openAt.size() - 1)
          + " is not closed");
    }
    return new Template(List.copyOf(stack.get(0)));
  }

  /**
   * Renders the template with {@code data}.
   *
   * @param strict refuse a variable that the data does not have (used when saving, against the
   *     sample alert); otherwise it renders as empty
   */
  public String render(String field, Map<String, ?> data, Escape escape, boolean strict) {
    StringBuilder out = new StringBuilder();
    List<Object> scopes = new ArrayList<>();
    scopes.add(data);
    render(field, nodes, scopes, escape, strict, out);
    return out.toString();
  }

  private static void render(String field, List<Node> nodes, List<Object> scopes, Escape escape, boolean strict,
      StringBuilder out) {
    for (Node node : nodes) {
      if (out.length() > MAX_OUTPUT) {
        throw invalid(field, "renders to more than " + MAX_OUTPUT + " characters");
      }
      if (node instanceof Text t) {
        out.append(t.text());
      } else if (node instanceof Var v) {
        Object value = lookup(scopes, v.path());
        if (value == MISSING) {
          if (strict) {
            throw invalid(field, "unknown variable '" + v.path() + "' at " + v.at());
          }
        } else if (value != null) {
          out.append(escape(scalar(field, v.path(), value), escape));
        }
      } else if (node instanceof Section s) {
        Object value = lookup(scopes, s.path());
        if (value == MISSING && strict && !s.inverted()) {
          throw invalid(field, "unknown section '" + s.path() + "' at " + s.at());
        }
        boolean truthy = truthy(value);
        if (s.inverted()) {
          if (!truthy) {
            render(field, s.body(), scopes, escape, strict, out);
          }
        } else if (value instanceof List<?> list) {
          for (Object element : list) {
            scopes.add(element);
            render(field, s.body(), scopes, escape, strict, out);
            scopes.remove(scopes.size() - 1);
          }
        } else if (truthy) {
          scopes.add(value);
          render(field, s.body(), scopes, escape, strict, out);
          scopes.remove(scopes.size() - 1);
        }
      }
    }
  }

  private static final Object MISSING = new Object();

  /** A dotted path against the innermost scope that has its first name; only maps are looked into. */
  private static Object lookup(List<Object> scopes, String path) {
    String[] parts = path.split("\\.");
    for (int s = scopes.size() - 1; s >= 0; s--) {
      if (scopes.get(s) instanceof Map<?, ?> map && map.containsKey(parts[0])) {
        Object value = map.get(parts[0]);
        for (int i = 1; i < parts.length; i++) {
          if (!(value instanceof Map<?, ?> inner) || !inner.containsKey(parts[i])) {
            return MISSING;
          }
          value = inner.get(parts[i]);
        }
        return value;
      }
    }
    return MISSING;
  }

  private static boolean truthy(Object value) {
    return value != null && value != MISSING && !Boolean.FALSE.equals(value)
        && !(value instanceof List<?> l && l.isEmpty()) && !(value instanceof String s && s.isEmpty());
  }

  private static String scalar(String field, String path, Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw invalid(field, "'" + path + "' is not a text or a number");
  }

  static String escape(String s, Escape escape) {
    return switch (escape) {
      case NONE -> s;
      case HTML -> s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
          .replace("'", "&#39;");
      case JSON -> io.vigil.common.json.JsonText.escape(new StringBuilder(s.length() + 8), s).toString();
    };
  }

  private static ApiException invalid(String field, String detail) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, field, detail);
  }
}
