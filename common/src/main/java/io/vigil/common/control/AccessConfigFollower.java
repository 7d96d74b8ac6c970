package io.vigil.common.control;

import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.ControlChange;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.ProductCredentials;

/**
 * The broadcast follower of {@code control.changes} a service with its own copy of the access
 * config runs (gateway, cmdb): every instance loads the whole access config as its snapshot, then
 * changes it one namespace at a time; token and credential changes drop the cached copies.
 */
public final class AccessConfigFollower {

  private AccessConfigFollower() {}

  public static BroadcastConsumer<ControlChange> follow(ConsumerKit kit, AccessConfigCache access,
      ProductCredentials credentials, ControlCallerResolver callers) {
    return kit.broadcast(Topics.CONTROL_CHANGES, "control-changes", BroadcastConsumer.From.SNAPSHOT,
        access::loadAll, record -> {
          if (record.tombstone()) {
            return;
          }
          ControlChange change = record.value();
          access.apply(change);
          credentials.onChange(change);
          callers.onChange(change);
        });
  }
}
