package io.vigil.notifier.channel;

import io.vigil.common.control.Secrets;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The channel senders and how patiently the dispatcher treats each channel
 * ({@code vigil.notifier.channels.*}). Every channel has {@code timeout} (one attempt), {@code retry.*},
 * {@code breaker.*} and {@code bulkhead.*}; SMS and PHONE add their provider's {@code endpoint} and
 * {@code api-key}, EMAIL its {@code from} address (the SMTP relay itself is {@code spring.mail.*}).
 *
 * @param maxHostBreakers per-host circuit breakers each of WEBHOOK and BOT keeps (least recently used
 *     dropped beyond)
 */
@Validated
@ConfigurationProperties("vigil.notifier.channels")
public record ChannelProperties(
    @DefaultValue @Valid Provider sms,
    @DefaultValue @Valid Provider phone,
    @DefaultValue @Valid Email email,
    @DefaultValue @Valid Http webhook,
    @DefaultValue @Valid Http bot,
    @DefaultValue("1000") @Min(1) int maxHostBreakers) {

  /**
   * Retries of one message.
   *
   * @param maxAttempts tries, the first included
   * @param backoff the pause before the second try
   * @param multiplier how much longer each further pause is (each randomised by ±50%)
   * @param maxBackoff the longest pause
   */
  public record Retry(
      @DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
      @DefaultValue("200ms") Duration backoff,
      @DefaultValue("2.0") @DecimalMin("1.0") double multiplier,
      @DefaultValue("5s") Duration maxBackoff) {}

  /**
   * The circuit breaker (per channel; per target host for WEBHOOK and BOT).
   *
   * @param failureRate percent of failed calls in the window that opens it
   * @param window calls it judges at a time (it judges from half a window on)
   * @param openFor how long it stays open before it lets two calls through to probe
   */
  public record Breaker(
      @DefaultValue("50") @Min(1) @Max(100) int failureRate,
      @DefaultValue("20") @Min(2) int window,
      @DefaultValue("30s") Duration openFor) {}

  /**
   * Calls of the channel in flight at once on this instance.
   *
   * @param maxWait how long a call waits for a free place before it fails {@code bulkhead_full}
   */
  public record Bulkhead(
      @DefaultValue("32") @Min(1) int size,
      @DefaultValue("100ms") Duration maxWait) {}

  /** What every channel has. */
  public interface Limits {
    Duration timeout();

    Retry retry();

    Breaker breaker();

    Bulkhead bulkhead();

    /** The plain settings the dispatcher takes. */
    default Resilience resilience() {
      return new Resilience(retry().maxAttempts(), retry().backoff(), retry().multiplier(), retry().maxBackoff(),
          breaker().failureRate(), breaker().window(), breaker().openFor(), bulkhead().size(), bulkhead().maxWait());
    }
  }

  /**
   * SMS or PHONE through an HTTP provider.
   *
   * @param endpoint where the provider takes texts; absent: every message of the channel fails
   *     {@code sms_not_configured} / {@code phone_not_configured}
   * @param apiKey sent as {@code Authorization: Bearer}; a secret, masked in {@link #toString()}
   */
  public record Provider(
      @DefaultValue("5s") Duration timeout,
      @DefaultValue @Valid Retry retry,
      @DefaultValue @Valid Breaker breaker,
      @DefaultValue @Valid Bulkhead bulkhead,
      URI endpoint,
      @DefaultValue("") String apiKey) implements Limits {

    @Override
    public String toString() {
      return "Provider[timeout=" + timeout + ", retry=" + retry + ", breaker=" + breaker + ", bulkhead=" + bulkhead
          + ", endpoint=" + endpoint + ", apiKey=" + (apiKey.isEmpty() ? "(none)" : Secrets.REDACTED) + "]";
    }
  }

  /**
   * EMAIL through the SMTP relay of {@code spring.mail.*} (no {@code spring.mail.host}: every email fails
   * {@code email_not_configured}).
   *
   * @param timeout bounds connecting, each read and each write, unless {@code spring.mail.properties}
   *     set {@code mail.smtp.*timeout} already
   * @param from the sender address
   */
  public record Email(
      @DefaultValue("10s") Duration timeout,
      @DefaultValue @Valid Retry retry,
      @DefaultValue @Valid Breaker breaker,
      @DefaultValue @Valid Bulkhead bulkhead,
      @DefaultValue("vigil@localhost") @NotBlank String from) implements Limits {}

  /** WEBHOOK or BOT: tenants' URLs, checked against the outbound URL policy ({@code vigil.outbound.*}) before each send. */
  public record Http(
      @DefaultValue("5s") Duration timeout,
      @DefaultValue @Valid Retry retry,
      @DefaultValue @Valid Breaker breaker,
      @DefaultValue @Valid Bulkhead bulkhead) implements Limits {}
}
