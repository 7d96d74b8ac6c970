package io.vigil.console.security;

import io.vigil.common.security.SecretBox;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;

/**
 * Seals what another serializer writes (common's {@link SecretBox}: AES-256-GCM under the master
 * key, the key id beside the ciphertext, so the master key can be rotated). Stored as
 * {@code <key id>:<base64>}. A value that does not open (altered, another deployment's key, or
 * not sealed at all) is refused before the inner serializer sees a byte of it.
 */
final class SealedSerializer implements RedisSerializer<Object> {

  /** A stored value that does not open: the session is unreadable, not the console broken. */
  static final class Unreadable extends SerializationException {
    Unreadable(String message) {
      super(message);
    }
  }

  /** Associated data: a value sealed for console sessions opens nowhere else. */
  static final String PURPOSE = "vigil.console.session";

  private final SecretBox box;
  private final RedisSerializer<Object> inner;

  SealedSerializer(SecretBox box, RedisSerializer<Object> inner) {
    this.box = box;
    this.inner = inner;
  }

  @Override
  public byte[] serialize(Object value) {
    if (value == null) {
      return new byte[0];
    }
    SecretBox.Sealed sealed = box.seal(PURPOSE, Base64.getEncoder().encodeToString(inner.serialize(value)));
    return (sealed.keyId() + ":" + sealed.ciphertext()).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public Object deserialize(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new Unreadable("a console session value that is not sealed");
    }
    byte[] plain;
    try {
      plain = Base64.getDecoder().decode(box.open(PURPOSE,
          new SecretBox.Sealed(text.substring(0, colon), text.substring(colon + 1))));
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new Unreadable("a console session value does not open: " + e.getMessage());
    }
    try {
      return inner.deserialize(plain);
    } catch (SerializationException e) {
      // ours, but of a console version whose classes differ (after an upgrade): sign in again
      throw new Unreadable("a console session value of another version: " + e.getMessage());
    }
  }
}
