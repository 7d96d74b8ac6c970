package io.vigil.common.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets the control plane must be able to read back (product credentials' HMAC
 * secrets, which the gateway needs in clear to verify signatures) under a master key: AES-256-GCM,
 * a fresh 96-bit nonce each time, the row's id as associated data (a ciphertext copied to another
 * row does not decrypt). The key id is stored beside each ciphertext, so master keys can be rotated:
 * the first key of the file encrypts, every key decrypts.
 *
 * <p>The key file holds one key a line, {@code <key id>:<base64 of 32 bytes>}; it must be readable by
 * its owner only. There is no default key: a service that needs one and has none does not start.
 */
public final class SecretBox {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKeySpec> keys;
  private final String current;

  /** A sealed secret: the ciphertext (base64 of nonce + ciphertext + tag) and the key that sealed it. */
  public record Sealed(String keyId, String ciphertext) {}

  public SecretBox(Map<String, byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no master key");
    }
    Map<String, SecretKeySpec> m = new LinkedHashMap<>();
    keys.forEach((id, bytes) -> {
      if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
        throw new IllegalArgumentException("a master key id is 1 to 32 letters, digits, '_' or '-': " + id);
      }
      if (bytes.length != 32) {
        throw new IllegalArgumentException("master key " + id + " is not 32 bytes (AES-256)");
      }
      m.put(id, new SecretKeySpec(bytes, "AES"));
    });
    this.keys = Map.copyOf(m);
    this.current = m.keySet().iterator().next();
  }

  /**
   * Reads a key file; refuses a missing or empty file, a malformed line, and a file others may read.
   */
  public static SecretBox fromFile(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      throw new IllegalStateException("the master key file " + file + " does not exist: generate one with"
          + " 'bin/vigil keys' (or set vigil.security.master-key-file); there is no default key");
    }
    try {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
        others.retainAll(perms);
        if (!others.isEmpty()) {
          throw new IllegalStateException("the master key file " + file + " is readable by others (" + perms
              + "): chmod 600 it");
        }
      } catch (UnsupportedOperationException notPosix) {
        // a file system without POSIX permissions: nothing to check
      }
      Map<String, byte[]> keys = new LinkedHashMap<>();
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).trim();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IllegalStateException(file + " line " + (i + 1) + ": expected <key id>:<base64 key>");
        }
        try {
          keys.put(line.substring(0, colon), Base64.getDecoder().decode(line.substring(colon + 1).trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(file + " line " + (i + 1) + ": the key is not base64");
        }
      }
      return new SecretBox(keys);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the master key file " + file + ": " + e.getMessage(), e);
    }
  }

  /** A new key file line: a key id and 32 random bytes. */
  public static String newKeyLine(String keyId) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return keyId + ":" + Base64.getEncoder().encodeToString(key);
  }

  /** Seals {@code secret} for the row {@code rowId} under the current master key. */
  public Sealed seal(String rowId, String secret) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(current), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(rowId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return new Sealed(current, Base64.getEncoder().encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /**
   * Opens a sealed secret of row {@code rowId}.
   *
   * @throws IllegalStateException when the key is unknown or the ciphertext was altered or moved
   */
  public String open(String rowId, Sealed sealed) {
    SecretKeySpec key = keys.get(sealed.keyId());
    if (key == null) {
      throw new IllegalStateException("master key " + sealed.keyId() + " is not in the key file");
    }
    try {
      byte[] in = Base64.getDecoder().decode(sealed.ciphertext());
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      c.updateAAD(rowId.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("a sealed secret of " + rowId + " does not open (altered, or not this row's)");
    }
  }

  public String currentKeyId() {
    return current;
  }
}
