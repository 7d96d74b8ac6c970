package io.vigil.console;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A cookie-keeping HTTP client that does not follow redirects: what a browser sends, step by step. */
final class Browser {

  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  private final int port;
  final CookieManager cookies;
  private final HttpClient http;
  String lastCsrf;

  Browser(int port) {
    this(port, new CookieManager());
  }

  /** A browser whose cookies are {@code cookies}: another tab, e.g. on another replica behind one address. */
  Browser(int port, CookieManager cookies) {
    this.port = port;
    this.cookies = cookies;
    this.http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return remember(send(b.build()));
  }

  /** A form POST; {@code withCsrf} adds the token of the last page read. */
  HttpResponse<String> post(String path, Map<String, String> form, boolean withCsrf) {
    Map<String, String> fields = new LinkedHashMap<>(form);
    if (withCsrf && lastCsrf != null) {
      fields.put("_csrf", lastCsrf);
    }
    String body = fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return remember(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build()));
  }

  /** A raw form body (repeated fields), with the last page's CSRF token. */
  HttpResponse<String> postRaw(String path, String body) {
    return remember(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body + "&_csrf=" + enc(lastCsrf))).build()));
  }

  /** GETs where a redirect points (as a browser would, flash messages and all). */
  HttpResponse<String> follow(HttpResponse<String> redirect) {
    String location = redirect.headers().firstValue("Location").orElseThrow();
    return get(URI.create(location).isAbsolute() ? URI.create(location).getRawPath()
        + (URI.create(location).getRawQuery() == null ? "" : "?" + URI.create(location).getRawQuery()) : location);
  }

  /** Signs in: reads the form (session and CSRF token), posts the token. */
  HttpResponse<String> signIn(String token) {
    get("/sign-in");
    return post("/sign-in", Map.of("token", token), true);
  }

  HttpCookie session() {
    return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("VIGIL_CONSOLE"))
        .findFirst().orElse(null);
  }

  static String enc(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  private HttpResponse<String> remember(HttpResponse<String> r) {
    Matcher m = CSRF.matcher(r.body());
    if (m.find()) {
      lastCsrf = m.group(1);
    }
    return r;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
