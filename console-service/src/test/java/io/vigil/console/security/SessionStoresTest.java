package io.vigil.console.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.security.SecretBox;
import io.vigil.common.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.serializer.JdkSerializationRedisSerializer;
import org.springframework.session.MapSession;

/**
 * The two session stores' own logic: the memory store forgets sessions nobody comes back to; the
 * Redis store's values are sealed, keep the token out of their bytes, and refuse what they did not seal.
 */
class SessionStoresTest {

  // from the real time: the map repository inside judges by the system clock too, this store then by its own
  private final ManualClock clock = new ManualClock(System.currentTimeMillis());

  private MapSession saved(MemorySessions sessions) {
    MapSession s = sessions.createSession();
    s.setLastAccessedTime(clock.instant());
    sessions.save(s);
    return s;
  }

  @Test
  void theMemoryStoreDropsASessionPastItsIdleTimeOnLookUpAndSweepsTheRestWhenOneIsMade() {
    MemorySessions sessions = new MemorySessions(Duration.ofHours(12), clock);
    MapSession left = saved(sessions);
    MapSession looked = saved(sessions);
    clock.advance(Duration.ofHours(11));
    MapSession fresh = saved(sessions);
    assertThat(sessions.findById(looked.getId())).isNotNull();
    assertThat(sessions.size()).isEqualTo(3);

    clock.advance(Duration.ofHours(1));
    assertThat(sessions.findById(looked.getId())).as("12 h idle").isNull();
    assertThat(sessions.size()).as("dropped on look-up; the other waits for a sweep").isEqualTo(2);
    saved(sessions);
    assertThat(sessions.size()).as("swept as a session is made").isEqualTo(2);
    assertThat(sessions.findById(left.getId())).isNull();
    assertThat(sessions.findById(fresh.getId())).isNotNull();

    clock.advance(Duration.ofSeconds(30));
    MapSession another = saved(sessions);
    assertThat(sessions.findById(another.getId())).isNotNull();
    assertThatThrownBy(() -> new MemorySessions(Duration.ZERO, clock)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSealedValueRoundTripsWithoutTheTokenInItsBytesAndRefusesWhatItDidNotSeal() {
    byte[] key = new byte[32];
    key[0] = 7;
    SecretBox box = new SecretBox(Map.of("k1", key));
    SealedSerializer sealed = new SealedSerializer(box, new JdkSerializationRedisSerializer());
    ConsoleUser user = new ConsoleUser("ops-alice", List.of("OPERATOR"), List.of("t1"), "the-secret-token-1234");

    byte[] bytes = sealed.serialize(new ConsoleAuthentication(user));
    String text = new String(bytes, StandardCharsets.US_ASCII);
    assertThat(text).startsWith("k1:").doesNotContain("the-secret-token").doesNotContain("ops-alice");
    ConsoleAuthentication back = (ConsoleAuthentication) sealed.deserialize(bytes);
    assertThat(back.getPrincipal().token()).isEqualTo("the-secret-token-1234");
    assertThat(back.getPrincipal().name()).isEqualTo("ops-alice");
    assertThat(sealed.deserialize(new byte[0])).isNull();

    char[] altered = text.toCharArray();
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> sealed.deserialize(new String(altered).getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(SealedSerializer.Unreadable.class);
    byte[] plain = new JdkSerializationRedisSerializer().serialize(new ConsoleAuthentication(user));
    assertThatThrownBy(() -> sealed.deserialize(plain)).as("never deserializes what it did not seal")
        .isInstanceOf(SealedSerializer.Unreadable.class);
    byte[] otherKey = new byte[32];
    SealedSerializer other = new SealedSerializer(new SecretBox(Map.of("k1", otherKey)),
        new JdkSerializationRedisSerializer());
    assertThatThrownBy(() -> other.deserialize(bytes)).isInstanceOf(SealedSerializer.Unreadable.class);
    assertThatThrownBy(() -> sealed.deserialize(("k1:" + Base64.getEncoder().encodeToString(new byte[40]))
        .getBytes(StandardCharsets.US_ASCII))).isInstanceOf(SealedSerializer.Unreadable.class);
  }
}
