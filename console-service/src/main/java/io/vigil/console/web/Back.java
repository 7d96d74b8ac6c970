package io.vigil.console.web;

/** Where a form returns to: a path of this console only (never another site, never a sign-in page). */
final class Back {

  private Back() {}

  static String safe(String back) {
    if (back == null || back.isBlank() || !back.startsWith("/") || back.startsWith("//") || back.startsWith("/\\")
        || back.startsWith("/sign-") || back.length() > 2000 || back.chars().anyMatch(c -> c < 33 || c > 126)) {
      return "/";
    }
    return back;
  }
}
