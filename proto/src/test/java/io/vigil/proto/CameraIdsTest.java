package io.vigil.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.URI;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;

class CameraIdsTest {

    @Test
    void idsOfAnyScriptPass() {
        for (String id : new String[] {"cam-02", "synthetic-1", "入口", "Café-Nord 2", "Москва_7", "مدخل", "gate:north@site.3",
                "カメラ(東)", "c".repeat(CameraIds.MAX_LENGTH), "入".repeat(CameraIds.MAX_LENGTH)}) {
            assertNull(CameraIds.problem(id), id);
        }
    }

    @Test
    void separatorsControlAndFormatCharactersAreRefusedWithTheReason() {
        assertEquals("message without camera id", CameraIds.problem(""));
        assertTrue(CameraIds.problem("c".repeat(CameraIds.MAX_LENGTH + 1)).contains("longer than 200"));
        assertTrue(CameraIds.problem("a\nb").contains("control characters U+000A"));
        // A right-to-left override makes "cam-1" look like another name on a screen.
        assertTrue(CameraIds.problem("cam\u202E1-").contains("U+202E"));
        for (String id : new String[] {"a|b", "a/b", "..\\x", "a%2F", "a\"b", "a<b>", "a?b", "a#b", "a;b", "a=b", "a,b",
                " cam", "cam ", "a\tb", "a\u00A0b", "a\u2028b"}) {
            assertFalse(CameraIds.isValid(id), id);
        }
    }

    @Test
    void oneVisibleNameIsOneCamera() {
        String decomposed = Normalizer.normalize("Café", Normalizer.Form.NFD);
        assertTrue(CameraIds.problem(decomposed).contains("normal form C"));
        assertTrue(CameraIds.isValid(Normalizer.normalize(decomposed, Normalizer.Form.NFC)));
    }

    @Test
    void encodedIdsAreVisibleAsciiThatAnHttpClientAccepts() {
        assertEquals("cam-02:96:OPEN", CameraIds.percentEncoded("cam-02:96:OPEN"));
        assertEquals("%E5%85%A5%E5%8F%A3:96", CameraIds.percentEncoded("入口:96"));
        assertEquals("Caf%C3%A9-Nord%202", CameraIds.percentEncoded("Café-Nord 2"));
        // Java's HTTP client refuses the raw id in a header ("invalid header value"), and takes the encoded one.
        HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Idempotency-Key", CameraIds.percentEncoded("入口:96"));
    }

    @Test
    void fileNamesNeverNameAParentOrHiddenFile() {
        assertEquals("cam-02", CameraIds.fileName("cam-02"));
        assertEquals("%2E%2E", CameraIds.fileName(".."));
        assertEquals("%E5%85%A5%E5%8F%A3", CameraIds.fileName("入口"));
        assertEquals("gate%3An%2E1", CameraIds.fileName("gate:n.1"));
    }
}
