package io.vigil.common.kafka;

import java.util.regex.Pattern;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpoint;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * Stands where Boot would put its listener container factory: every {@code @KafkaListener} and
 * every container asked of it is refused with the reason, because a consumer made outside {@link
 * ConsumerKit} skips the dead-letter path, the error classes, the meters and tracing.
 */
public final class RefusingListenerContainerFactory implements KafkaListenerContainerFactory<MessageListenerContainer> {

  static final String REASON = "plain @KafkaListener / container factories are not used in Vigil: declare the"
      + " consumer with ConsumerKit (consume(...).records(...), .batches(...), .lanes(...) or broadcast(...)),"
      + " which gives it error classes, dead letters, meters and tracing";

  @Override
  public MessageListenerContainer createListenerContainer(KafkaListenerEndpoint endpoint) {
    throw new IllegalStateException(REASON + " (refused: " + endpoint.getId() + ")");
  }

  @Override
  public MessageListenerContainer createContainer(TopicPartitionOffset... topicPartitions) {
    throw new IllegalStateException(REASON);
  }

  @Override
  public MessageListenerContainer createContainer(String... topics) {
    throw new IllegalStateException(REASON);
  }

  @Override
  public MessageListenerContainer createContainer(Pattern topicPattern) {
    throw new IllegalStateException(REASON);
  }
}
