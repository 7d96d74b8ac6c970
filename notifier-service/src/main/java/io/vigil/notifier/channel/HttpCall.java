package io.vigil.notifier.channel;

import io.vigil.common.error.ApiException;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP parts the webhook, chat bot and SMS senders share: one way to make the client, to bound an
 * attempt in time, to read an answer and to check a tenant's URL.
 */
public final class HttpCall {

  /** The most of an answer kept (bots answer a few dozen bytes; the rest is read and dropped). */
  static final int MAX_ANSWER_BYTES = 16 * 1024;

  private HttpCall() {}

  /**
   * A client for one channel. Redirects are never followed: a tenant's endpoint could otherwise send
   * the request on to an address the URL policy refuses. HTTP/1.1, so a plain-http sink is not offered
   * an upgrade it may not understand.
   */
  public static HttpClient client(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * Sends a request and waits for the whole answer at most {@code timeout} (the request's own timeout
   * stops waiting for the status line only, not for a body that trickles in).
   *
   * @return the answer whatever its status, its body cut at {@value #MAX_ANSWER_BYTES} bytes
   * @throws SendException for a timeout, a connection failure or an interrupt
   */
  public static HttpResponse<String> exchange(HttpClient client, HttpRequest request, Duration timeout)
      throws SendException {
    CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, capped(MAX_ANSWER_BYTES));
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw SendException.retryable(SendException.TIMEOUT, e);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw SendException.permanent(SendException.INTERRUPTED, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw SendException.forIo(io);
      }
      throw SendException.permanent("request_failed", e.getCause());
    }
  }

  /** Throws the failure an answer outside 2xx stands for. */
  public static void requireSuccess(HttpResponse<?> answer) throws SendException {
    if (answer.statusCode() < 200 || answer.statusCode() > 299) {
      throw SendException.forStatus(answer.statusCode());
    }
  }

  /**
   * Checks a tenant's URL right before a send (scheme, user info, metadata names, and every address the
   * name resolves to now); a refusal is permanent: {@code url_refused}.
   *
   * <p>What this covers and what it does not: the check resolves the name and refuses it if any address
   * it gets is internal, so a URL saved while it pointed outward and later turned inward is caught at
   * the next send. The JDK client then resolves the name again on its own when it connects; a name
   * whose answer changes between the two look-ups (DNS rebinding with a near-zero TTL) can still reach
   * an address that was never checked. The JVM's address cache ({@code networkaddress.cache.ttl}) makes
   * both look-ups usually agree but does not promise it. Redirects cannot be used to the same end: the
   * client does not follow them.
   */
  public static OutboundUrlPolicy.Target checkUrl(OutboundUrlPolicy policy, String url) throws SendException {
    try {
      return policy.check("url", url);
    } catch (ApiException e) {
      throw SendException.permanent(SendException.URL_REFUSED, e);
    }
  }

  /** Keeps the first {@code max} bytes of a body as UTF-8 text and reads past the rest. */
  static BodyHandler<String> capped(int max) {
    return info -> {
      ByteArrayOutputStream kept = new ByteArrayOutputStream();
      return BodySubscribers.mapping(BodySubscribers.ofByteArrayConsumer(chunk -> chunk.ifPresent(bytes -> {
        int room = max - kept.size();
        if (room > 0) {
          kept.write(bytes, 0, Math.min(room, bytes.length));
        }
      })), done -> kept.toString(StandardCharsets.UTF_8));
    };
  }
}
