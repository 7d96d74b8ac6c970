package io.vigil.common.kafka;

/** Applies the deployment's prefix to topic and consumer-group names. */
public final class KafkaNaming {

  private final String prefix;
  private final String service;

  public KafkaNaming(String prefix, String service) {
    this.prefix = prefix;
    this.service = service;
  }

  public String topic(Topic<?> topic) {
    return prefix + topic.base();
  }

  public String deadLetter(String topicName) {
    return topicName + Topics.DLT_SUFFIX;
  }

  /** The consumer group of this service for one purpose, e.g. {@code vigil.detector.rollups}. */
  public String group(String purpose) {
    return prefix + service + "." + purpose;
  }

  /** The topic's name without the deployment prefix: the bounded label used in metrics. */
  public String base(String topicName) {
    return topicName.startsWith(prefix) ? topicName.substring(prefix.length()) : topicName;
  }

  public String prefix() {
    return prefix;
  }

  public String service() {
    return service;
  }
}
