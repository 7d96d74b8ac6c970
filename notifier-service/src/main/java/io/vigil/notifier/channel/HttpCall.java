package io.vigil.notifier.channel;

import io.vigil.common.error.ApiException;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client of the webhook, chat bot and SMS senders: one way to post, to bound an attempt in
 * time, to read an answer and to check a tenant's URL.
 *
 * <p>A blocking client (Apache HttpClient, classic): an attempt runs on the dispatching thread, one
 * write and one read on a pooled keep-alive connection. The JDK's asynchronous client handed every
 * exchange between the caller, its selector thread and its executor, four thread wake-ups a
 * notification; on two cores that was a seventh of the notifier's CPU in a storm (docs/benchmarks.md,
 * 2026-12-07, later).
 *
 * <p>It connects to the addresses the outbound URL policy checked, not to a second DNS answer: a name
 * whose answer changes between the check and the connection (DNS rebinding with a near-zero TTL)
 * cannot lead a send to an address that was never checked. A pooled connection was opened to an
 * address checked when it was opened. Redirects are never followed (a tenant's endpoint could send
 * the request on to an address the policy refuses); HTTP/1.1 only, no cookies, no compression.
 *
 * <p>Failures are the dispatcher's to retry (with its backoff and breaker), but for one: a kept
 * connection the receiver had closed. A receiver may close a kept-alive connection right after an
 * answer without saying so (the JDK's own {@code HttpServer} does once it holds 200 idle connections;
 * proxies do past their keep-alive limits); a blocking client learns it only by sending on it and
 * getting no answer head at all. Such a send, and only such a one (the connection had carried an
 * exchange before, and this request got no answer head), is made once more at once, within the
 * attempt's deadline, on a connection opened for it alone. A receiver that closes a fresh
 * connection, or cuts an answer short, has had the request: that failure is the dispatcher's.
 */
public final class HttpCall {

  /** The most of an answer kept (bots answer a few dozen bytes; the rest is not read). */
  static final int MAX_ANSWER_BYTES = 16 * 1024;

  /** {@code application/json} as webhooks and the SMS provider contract name it. */
  public static final ContentType JSON = ContentType.create("application/json");
  /** {@code application/json; charset=UTF-8}, as the chat robots ask. */
  public static final ContentType JSON_UTF8 = ContentType.create("application/json", StandardCharsets.UTF_8);

  /** Aborts attempts past their deadline: a blocking read does not see an interrupt. */
  private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

  /** The addresses the current thread's attempt must connect to (set around one attempt). */
  private static final ThreadLocal<List<InetAddress>> PINNED = new ThreadLocal<>();

  /** An answer: its status, and its body cut at {@value #MAX_ANSWER_BYTES} bytes. */
  public record Answer(int statusCode, String body) {}

  private final CloseableHttpClient client;
  /** Sends again what a kept connection lost, each on a connection of its own (never kept). */
  private final CloseableHttpClient fresh;
  private final Runnable resent;

  private HttpCall(CloseableHttpClient client, CloseableHttpClient fresh, Runnable resent) {
    this.client = client;
    this.fresh = fresh;
    this.resent = resent;
  }

  private static ScheduledThreadPoolExecutor deadlines() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "vigil-notify-http-deadlines");
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true); // an attempt that ended in time leaves nothing queued
    return s;
  }

  /**
   * A client for one channel.
   *
   * @param connectTimeout the most a connection may take to open
   */
  public static HttpCall client(Duration connectTimeout) {
    return client(connectTimeout, () -> { });
  }

  /**
   * A client for one channel that tells {@code resent} of each request sent again after a kept
   * connection was found closed (the channel counts it as a degraded path).
   */
  public static HttpCall client(Duration connectTimeout, Runnable resent) {
    DnsResolver pinning = new DnsResolver() {
      @Override
      public InetAddress[] resolve(String host) throws UnknownHostException {
        List<InetAddress> pinned = PINNED.get();
        return pinned != null ? pinned.toArray(InetAddress[]::new) : SystemDefaultDnsResolver.INSTANCE.resolve(host);
      }

      @Override
      public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetAddress a : resolve(host)) {
          out.add(new InetSocketAddress(a, port));
        }
        return out;
      }

      @Override
      public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
      }
    };
    return new HttpCall(build(pinning, connectTimeout, 64, true), build(pinning, connectTimeout, 16, false),
        resent);
  }

  private static CloseableHttpClient build(DnsResolver resolver, Duration connectTimeout, int perRoute, boolean keep) {
    var connections = PoolingHttpClientConnectionManagerBuilder.create()
        .setDnsResolver(resolver)
        .setMaxConnTotal(perRoute * 8)
        .setMaxConnPerRoute(perRoute)
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(connectTimeout))
            // a kept connection idle this long is checked before use: a receiver may have closed it
            .setValidateAfterInactivity(TimeValue.ofSeconds(1))
            .setTimeToLive(TimeValue.ofMinutes(5))
            .build())
        .build();
    var builder = HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(RequestConfig.custom().setRedirectsEnabled(false).build())
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableCookieManagement()
        .disableContentCompression()
        .disableAuthCaching()
        .setUserAgent("vigil-notifier");
    if (!keep) {
      builder.setConnectionReuseStrategy((request, response, context) -> false);
    }
    return builder.build();
  }

  /**
   * Posts a body and waits for the whole answer at most {@code timeout}, connection included.
   *
   * @param pinned the addresses to connect to (the URL policy's answer); null to resolve the name
   * @param headers the request's headers, in order; checked by {@link #checkHeader} before
   * @return the answer whatever its status
   * @throws SendException for a timeout, a connection failure or a broken exchange
   */
  public Answer post(URI uri, List<InetAddress> pinned, Map<String, String> headers, byte[] body,
      ContentType contentType, Duration timeout) throws SendException {
    AtomicBoolean late = new AtomicBoolean();
    AtomicReference<HttpPost> current = new AtomicReference<>();
    ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
      late.set(true);
      HttpPost p = current.get();
      if (p != null) {
        p.cancel();
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    PINNED.set(pinned == null || pinned.isEmpty() ? null : pinned);
    try {
      HttpPost post = request(uri, headers, body, contentType, timeout, current, late);
      HttpClientContext context = HttpClientContext.create();
      ClassicHttpResponse response;
      try {
        response = client.executeOpen(null, post, context);
      } catch (NoHttpResponseException | SocketException e) {
        if (late.get() || connectFailure(e) || !keptAndUnanswered(context)) {
          throw e;
        }
        // a kept connection the receiver had closed: this request got no answer head at all
        resent.run();
        post = request(uri, headers, body, contentType, timeout, current, late);
        response = fresh.executeOpen(null, post, null);
      }
      return answer(response, post);
    } catch (IOException e) {
      if (late.get() || e instanceof SocketTimeoutException || e instanceof ConnectTimeoutException) {
        throw SendException.retryable(SendException.TIMEOUT, e);
      }
      if (connectFailure(e)) { // HttpHostConnectException too
        throw SendException.retryable(SendException.CONNECT_FAILED, e);
      }
      if (e instanceof InterruptedIOException) {
        throw SendException.retryable(SendException.TIMEOUT, e);
      }
      throw SendException.retryable(SendException.IO_ERROR, e);
    } catch (RuntimeException e) {
      if (late.get()) {
        // cancelled by the deadline outside a blocking read (leasing, between two steps): a timeout
        throw SendException.retryable(SendException.TIMEOUT, e);
      }
      throw SendException.permanent("request_failed", e);
    } finally {
      PINNED.remove();
      deadline.cancel(false);
    }
  }

  /** A request for one try, the deadline's to cancel (at once, when it has passed already). */
  private static HttpPost request(URI uri, Map<String, String> headers, byte[] body, ContentType contentType,
      Duration timeout, AtomicReference<HttpPost> current, AtomicBoolean late) {
    HttpPost post = new HttpPost(uri);
    headers.forEach(post::addHeader);
    post.setEntity(new ByteArrayEntity(body, contentType));
    post.setConfig(RequestConfig.custom().setRedirectsEnabled(false)
        .setConnectionRequestTimeout(Timeout.of(timeout)) // waiting for a pooled connection counts too
        .setResponseTimeout(Timeout.of(timeout)).build());
    current.set(post);
    if (late.get()) {
      post.cancel();
    }
    return post;
  }

  private static boolean connectFailure(IOException e) {
    return e instanceof ConnectException || e instanceof NoRouteToHostException;
  }

  /**
   * Whether a try that failed inside {@code executeOpen} (which returns once an answer head is in, so
   * this request had none) did so on a connection that had carried an answer before: a kept
   * connection found closed. The details are set when the request starts out on a connection, so a
   * failure to lease or to connect has none.
   */
  private static boolean keptAndUnanswered(HttpClientContext context) {
    EndpointDetails d = context.getEndpointDetails();
    return d != null && d.getResponseCount() >= 1;
  }

  /** The answer's status and its first {@value #MAX_ANSWER_BYTES} bytes (a cut answer is not sent again). */
  private static Answer answer(ClassicHttpResponse response, HttpPost post) throws IOException {
    boolean whole = false;
    try {
      ByteArrayOutputStream kept = new ByteArrayOutputStream();
      whole = read(response.getEntity(), kept);
      return new Answer(response.getCode(), kept.toString(StandardCharsets.UTF_8));
    } finally {
      if (!whole) {
        post.cancel(); // the rest of a long answer is not read: the connection is closed, not kept
      }
      try {
        response.close();
      } catch (IOException ignored) {
        // the answer is in hand (or its failure is on its way): closing has nothing to add
      }
    }
  }

  /**
   * Reads the first {@value #MAX_ANSWER_BYTES} bytes of a body; answers whether that was the whole body
   * (then the connection goes back to the pool).
   */
  private static boolean read(HttpEntity entity, ByteArrayOutputStream kept) throws IOException {
    if (entity == null) {
      return true;
    }
    InputStream in = entity.getContent();
    if (in == null) {
      return true;
    }
    byte[] chunk = new byte[4096];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      int room = MAX_ANSWER_BYTES - kept.size();
      if (n > room) {
        kept.write(chunk, 0, room);
        return false;
      }
      kept.write(chunk, 0, n);
    }
    return true;
  }

  /**
   * Checks a header a tenant configured: a token name (RFC 9110) and a value of visible characters,
   * spaces and tabs (no line break that could start a header of its own).
   */
  public static boolean validHeader(String name, String value) {
    if (name == null || name.isEmpty() || value == null) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        return false;
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && (c < 0x20 || c == 0x7f || c > 0xff)) {
        return false;
      }
    }
    return true;
  }

  /** Throws the failure an answer outside 2xx stands for. */
  public static void requireSuccess(Answer answer) throws SendException {
    if (answer.statusCode() < 200 || answer.statusCode() > 299) {
      throw SendException.forStatus(answer.statusCode());
    }
  }

  /**
   * Checks a tenant's URL right before a send (scheme, user info, metadata names, and every address the
   * name resolves to now); a refusal is permanent: {@code url_refused}. The send then connects to the
   * addresses checked ({@link OutboundUrlPolicy.Target#addresses()}).
   */
  public static OutboundUrlPolicy.Target checkUrl(OutboundUrlPolicy policy, String url) throws SendException {
    try {
      return policy.check("url", url);
    } catch (ApiException e) {
      throw SendException.permanent(SendException.URL_REFUSED, e);
    }
  }
}
