package io.vigil.console.system;

/**
 * Where a form (or sign-in) returns to: a page of this console only — never another site, a sign-in
 * page, a fragment or the error page — and nothing a redirect would read as a URI template.
 */
public final class Back {

  private static final java.util.List<String> NOT_PAGES = java.util.List.of("/sign-", "/alerts/rows", "/error",
      "/webjars/", "/console/", "/actuator");

  private Back() {}

  public static String safe(String back) {
    return isPage(back) ? back : "/";
  }

  /** Whether a browser may be sent here after a form or a sign-in. */
  public static boolean isPage(String back) {
    if (back == null || back.isBlank() || !back.startsWith("/") || back.startsWith("//") || back.startsWith("/\\")
        || back.length() > 2000 || back.chars().anyMatch(c -> c < 33 || c > 126 || c == '{' || c == '}')) {
      return false;
    }
    return NOT_PAGES.stream().noneMatch(back::startsWith);
  }
}
