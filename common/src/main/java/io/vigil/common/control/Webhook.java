package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.util.Map;

/**
 * An HTTP endpoint of a tenant that receives alerts as JSON, signed with {@code secret} when one is
 * set. The secret is write-only: stored, never returned.
 *
 * @param fallbackEmail where the notification goes instead when the endpoint still fails after the
 *     channel's retries (down, timing out, answering errors, its breaker open); none: it fails
 */
public record Webhook(String name, String url, String secret, Map<String, String> headers, String fallbackEmail) {

  /** A webhook without a fallback address. */
  public Webhook(String name, String url, String secret, Map<String, String> headers) {
    this(name, url, secret, headers, null);
  }

  public void validate(Violations v, OutboundUrlPolicy urls) {
    Names.displayName(v, "name", name);
    v.capture("url", () -> urls.check("url", url));
    v.check(secret == null || (secret.length() >= 16 && secret.length() <= 256), "secret", "16 to 256 characters");
    if (headers != null) {
      v.check(headers.size() <= 20, "headers", "at most 20 headers");
      headers.forEach((k, val) -> v.check(k != null && k.matches("[A-Za-z0-9-]{1,64}")
          && !k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length") && val != null && val.length() <= 1024
          && val.indexOf('\r') < 0 && val.indexOf('\n') < 0, "headers." + k, "a header name and a one-line value"));
    }
    v.check(fallbackEmail == null || User.EMAIL.matcher(fallbackEmail).matches(), "fallbackEmail",
        "an e-mail address");
  }

  /** This webhook as the API shows it: the secret and header values hidden. */
  public Webhook redacted() {
    return new Webhook(name, url, secret == null ? null : Secrets.REDACTED,
        headers == null ? null : headers.keySet().stream().collect(java.util.stream.Collectors.toMap(k -> k,
            k -> Secrets.REDACTED)), fallbackEmail);
  }
}
