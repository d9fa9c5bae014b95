package io.vigil.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IgnoreZonesTest {

    /** The lower half of the frame is a road (not scored); a flag in the top-right corner is scored, not alerted. */
    static final CameraSettings CAMERA = CameraSettings.newBuilder().setCameraId("cam")
            .addIgnoreZones(IgnoreZone.newBuilder().setName("road").setMode(IgnoreMode.NOT_SCORED)
                    .addAllXy(List.of(0f, 0.5f, 1f, 0.5f, 1f, 1f, 0f, 1f)))
            .addIgnoreZones(IgnoreZone.newBuilder().setName("flag").setMode(IgnoreMode.NOT_ALERTED)
                    .addAllXy(List.of(0.8f, 0f, 1f, 0f, 1f, 0.2f)))
            .build();

    private static Optional<String> zone(IgnoreMode mode, float x1, float y1, float x2, float y2) {
        return IgnoreZones.find(CAMERA, mode, Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2).build(), 200, 100)
                .map(IgnoreZone::getName);
    }

    @Test
    void anObjectIsInAZoneWhenItsBoxCentreIs() {
        assertEquals(Optional.of("road"), zone(IgnoreMode.NOT_SCORED, 10, 40, 30, 90), "centre (20, 65): on the road");
        assertEquals(Optional.empty(), zone(IgnoreMode.NOT_SCORED, 10, 10, 30, 80), "centre (20, 45): above it");
        assertEquals(Optional.empty(), zone(IgnoreMode.NOT_ALERTED, 10, 40, 30, 90), "the road is another mode");
        // The flag's triangle has corners (160,0), (200,0), (200,20): (195, 5) is inside, (165, 15) is not.
        assertEquals(Optional.of("flag"), zone(IgnoreMode.NOT_ALERTED, 190, 0, 200, 10));
        assertEquals(Optional.empty(), zone(IgnoreMode.NOT_ALERTED, 160, 10, 170, 20));
        assertEquals(Optional.empty(), IgnoreZones.find(null, IgnoreMode.NOT_SCORED, Box.getDefaultInstance(), 200, 100));
    }

    @Test
    void zonesNeedThreePointsInsideTheFrame() {
        IgnoreZones.check(CAMERA.getIgnoreZones(0));
        assertThrows(IllegalArgumentException.class, () -> IgnoreZones.check(IgnoreZone.newBuilder().setName("line")
                .addAllXy(List.of(0f, 0f, 1f, 1f)).build()));
        assertThrows(IllegalArgumentException.class, () -> IgnoreZones.check(IgnoreZone.newBuilder().setName("out")
                .addAllXy(List.of(0f, 0f, 2f, 0f, 1f, 1f)).build()));
    }

    @Test
    void aZoneIsAddedReplacedAndRemovedByName() {
        IgnoreZone lawn = IgnoreZone.newBuilder().setName("lawn").addAllXy(List.of(0f, 0f, 1f, 0f, 1f, 1f)).build();
        CameraSettings added = IgnoreZones.with(CAMERA, lawn);
        assertEquals(List.of("road", "flag", "lawn"), added.getIgnoreZonesList().stream().map(IgnoreZone::getName).toList());
        CameraSettings replaced = IgnoreZones.with(added, lawn.toBuilder().setMode(IgnoreMode.NOT_ALERTED).build());
        assertEquals(3, replaced.getIgnoreZonesCount());
        assertEquals(IgnoreMode.NOT_ALERTED, replaced.getIgnoreZones(2).getMode());
        assertEquals(List.of("road", "flag"), IgnoreZones.without(replaced, "lawn").getIgnoreZonesList().stream()
                .map(IgnoreZone::getName).toList());
        for (String badName : List.of("", "a/b", "x".repeat(65))) {
            assertThrows(IllegalArgumentException.class, () -> IgnoreZones.with(CAMERA, lawn.toBuilder().setName(badName).build()));
        }
        IgnoreZone.Builder many = IgnoreZone.newBuilder().setName("many");
        for (int i = 0; i <= IgnoreZones.MAX_POINTS; i++) {
            many.addXy(i / 100f).addXy(0.5f);
        }
        assertThrows(IllegalArgumentException.class, () -> IgnoreZones.check(many.build()));
    }
}
