package io.vigil.common.kafka;

/** Applies the deployment's prefix to topic and consumer-group names. */
public final class KafkaNaming {

  private final String prefix;
  private final String service;
  private final String groupSuffix;

  public KafkaNaming(String prefix, String service) {
    this(prefix, service, "");
  }

  /**
   * @param groupSuffix appended to every consumer group: empty in a deployment; in a test run each
   *     Spring context gets its own, so cached contexts in one JVM never join each other's groups
   */
  public KafkaNaming(String prefix, String service, String groupSuffix) {
    this.prefix = prefix;
    this.service = service;
    this.groupSuffix = groupSuffix == null ? "" : groupSuffix;
  }

  public String topic(Topic<?> topic) {
    return prefix + topic.base();
  }

  public String deadLetter(String topicName) {
    return topicName + Topics.DLT_SUFFIX;
  }

  /** The consumer group of this service for one purpose, e.g. {@code vigil.detector.rollups}. */
  public String group(String purpose) {
    return prefix + service + "." + purpose + groupSuffix;
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
