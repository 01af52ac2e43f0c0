package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SigningKeysTest {

    static final byte[] KEY_A = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] KEY_B = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    private final SessionRecord record = SessionRecord.builder(SessionIds.newId(), SessionIds.newId())
            .idleTimeoutMillis(1000).build();

    @Test
    void shortKeysAreRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKeys.of(new byte[31]));
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.of(KEY_A, new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.fromBase64("c2hvcnQ="));
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.fromBase64("not base64 !!"));
    }

    @Test
    void digestIsHmacSha256OfSidColonRandval() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY_A, "HmacSHA256"));
        String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal((record.id() + ":" + record.randval()).getBytes(StandardCharsets.US_ASCII)));
        assertEquals(expected, SigningKeys.of(KEY_A).digest(record));
        assertEquals(SigningKeys.DIGEST_LENGTH, expected.length());
    }

    @Test
    void newestSignsEveryKeyVerifies() {
        SigningKeys old = SigningKeys.of(KEY_B);
        SigningKeys rotated = SigningKeys.of(KEY_A, KEY_B);
        String signedByOld = "x" + old.digest(record);
        String signedByNew = "x" + rotated.digest(record);
        assertEquals(SigningKeys.of(KEY_A).digest(record), rotated.digest(record));
        assertEquals(0, rotated.verify(record, signedByNew, 1));
        assertEquals(1, rotated.verify(record, signedByOld, 1));
        assertEquals(-1, SigningKeys.of(KEY_A).verify(record, signedByOld, 1));
    }

    @Test
    void aDigestForAnotherRandvalDoesNotVerify() {
        SigningKeys keys = SigningKeys.of(KEY_A);
        SessionRecord sameIdOtherSecret = SessionRecord.builder(record.id(), SessionIds.newId())
                .idleTimeoutMillis(1000).build();
        String digest = keys.digest(sameIdOtherSecret);
        assertNotEquals(keys.digest(record), digest);
        assertEquals(-1, keys.verify(record, digest, 0));
    }

    @Test
    void anyChangedCharacterFailsVerification() {
        SigningKeys keys = SigningKeys.of(KEY_A);
        String digest = keys.digest(record);
        for (int i = 0; i < digest.length(); i++) {
            char[] c = digest.toCharArray();
            c[i] = c[i] == 'A' ? 'B' : 'A';
            assertEquals(-1, keys.verify(record, new String(c), 0));
            c[i] = '\u0141'; // same low byte as 'A': only a full-width comparison catches it
            assertEquals(-1, keys.verify(record, new String(c), 0));
        }
    }

    @Test
    void theDigestIsComputedOncePerRecordAndKeys() {
        SigningKeys keys = SigningKeys.of(KEY_A);
        String digest = keys.digest(record);
        Object memo = record.digestMemo();
        assertEquals(0, keys.verify(record, digest, 0));
        assertEquals(0, keys.verify(record, digest, 0));
        assertSame(memo, record.digestMemo());
        SigningKeys other = SigningKeys.of(KEY_B);
        other.digest(record);
        assertFalse(memo == record.digestMemo(), "other keys compute their own");
    }

    @Test
    void base64KeysInEitherAlphabetWithOrWithoutPadding() {
        String std = Base64.getEncoder().encodeToString(KEY_A);
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(KEY_A);
        assertEquals(SigningKeys.of(KEY_A).digest(record), SigningKeys.fromBase64(std).digest(record));
        assertEquals(SigningKeys.of(KEY_A).digest(record), SigningKeys.fromBase64(" " + url + "\n").digest(record));
        assertEquals(32, Base64.getUrlDecoder().decode(SigningKeys.generateBase64Key()).length);
    }

    @Test
    void toStringShowsNoKeyMaterial() {
        String s = SigningKeys.fromBase64(Base64.getEncoder().encodeToString(KEY_A)).toString();
        assertEquals("SigningKeys[1 key]", s);
    }
}
