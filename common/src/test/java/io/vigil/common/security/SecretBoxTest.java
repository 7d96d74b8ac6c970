package io.vigil.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

  @TempDir
  Path dir;

  Path keyFile(String... lines) throws Exception {
    Path f = dir.resolve("master-" + System.nanoTime() + ".key");
    Files.writeString(f, String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void aSealedSecretOpensOnlyForItsRowAndUnaltered() throws Exception {
    SecretBox box = SecretBox.fromFile(keyFile(SecretBox.newKeyLine("k1")));
    SecretBox.Sealed sealed = box.seal("ak_1", "the-secret");
    assertThat(sealed.keyId()).isEqualTo("k1");
    assertThat(sealed.ciphertext()).doesNotContain("the-secret");
    assertThat(box.open("ak_1", sealed)).isEqualTo("the-secret");
    assertThat(box.seal("ak_1", "the-secret").ciphertext()).as("a fresh nonce each time").isNotEqualTo(sealed.ciphertext());
    assertThatThrownBy(() -> box.open("ak_2", sealed)).as("moved to another row").isInstanceOf(IllegalStateException.class);
    char[] c = sealed.ciphertext().toCharArray();
    c[20] = c[20] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> box.open("ak_1", new SecretBox.Sealed("k1", new String(c))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theFirstKeySealsAndEveryKeyOpensSoMasterKeysRotate() throws Exception {
    String oldLine = SecretBox.newKeyLine("old");
    SecretBox.Sealed underOld = SecretBox.fromFile(keyFile(oldLine)).seal("r", "s");
    SecretBox rotated = SecretBox.fromFile(keyFile(SecretBox.newKeyLine("new"), oldLine));
    assertThat(rotated.currentKeyId()).isEqualTo("new");
    assertThat(rotated.open("r", underOld)).isEqualTo("s");
    assertThat(rotated.seal("r", "s").keyId()).isEqualTo("new");
  }

  @Test
  void thereIsNoDefaultKeyAndALooseFileIsRefused() throws Exception {
    assertThatThrownBy(() -> SecretBox.fromFile(dir.resolve("absent.key"))).hasMessageContaining("no default key");
    Path loose = keyFile(SecretBox.newKeyLine("k"));
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> SecretBox.fromFile(loose)).hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> SecretBox.fromFile(keyFile("k:c2hvcnQ="))).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> SecretBox.fromFile(keyFile("# only a comment"))).hasMessageContaining("no master key");
  }
}
