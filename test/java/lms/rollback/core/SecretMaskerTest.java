package lms.rollback.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {

  @Test
  void anAuthorizationHeadersCredentialsAreMaskedWhateverTheScheme() {
    assertEquals("Authorization: Basic ****", SecretMasker.mask("Authorization: Basic dXNlcjpwYXNz"));
    assertEquals("Authorization: Bearer ****", SecretMasker.mask("Authorization: Bearer eyJhbGciOi.x.y"));
    assertEquals("{\"authorization\": \"Token ****\"}", SecretMasker.mask("{\"authorization\": \"Token s3cr3t\"}"));
  }

  @Test
  void theWordAuthorizationInASentenceLeavesTheNextWordAlone() {
    assertEquals("then the database authorization: DBA and Release Commander",
        SecretMasker.mask("then the database authorization: DBA and Release Commander"));
  }

  @Test
  void passwordsTokensAndUrlCredentialsAreMasked() {
    assertEquals("password=**** token: ****", SecretMasker.mask("password=hunter2 token: abc123"));
    assertEquals("postgresql://lms:****@db:5432/lms", SecretMasker.mask("postgresql://lms:pa55@db:5432/lms"));
    assertEquals("--token ****", SecretMasker.mask("--token abc"));
  }
}
