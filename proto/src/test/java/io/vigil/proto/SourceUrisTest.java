package io.vigil.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SourceUrisTest {

    @Test
    void credentialsAreRemovedWhereverAUriAppears() {
        assertEquals("rtsp://***@cam.local:554/stream", SourceUris.withoutCredentials("rtsp://admin:secret@cam.local:554/stream"));
        assertEquals("rtsp://***@cam.local/s", SourceUris.withoutCredentials("rtsp://admin@cam.local/s"), "user alone");
        assertEquals("Could not open input \"rtsp://***@10.0.0.1:8554/a\" (error -111) and \"http://***@b/c\"",
                SourceUris.withoutCredentials("Could not open input \"rtsp://alice:S3cretMarker@10.0.0.1:8554/a\" (error -111)"
                        + " and \"http://bob:pw@b/c\""));
        assertEquals("http://cam.local/x?user=a@b", SourceUris.withoutCredentials("http://cam.local/x?user=a@b"),
                "an @ after the host is not user info");
        assertEquals("/data/ped2/02", SourceUris.withoutCredentials("/data/ped2/02"));
        assertNull(SourceUris.withoutCredentials(null));
    }
}
