package io.vigil.common.registry;

import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import java.util.Optional;

/** Whether an object lies in one of a camera's ignore zones: its box centre inside the polygon (even-odd rule). */
public final class IgnoreZones {

    private IgnoreZones() {
    }

    /** The first zone of {@code mode} that holds the box's centre, in a frame of {@code width} x {@code height}. */
    public static Optional<IgnoreZone> find(CameraSettings camera, IgnoreMode mode, Box box, int width, int height) {
        if (camera == null || camera.getIgnoreZonesCount() == 0 || width <= 0 || height <= 0) {
            return Optional.empty();
        }
        double x = (box.getX1() + box.getX2()) / 2.0 / width;
        double y = (box.getY1() + box.getY2()) / 2.0 / height;
        for (IgnoreZone z : camera.getIgnoreZonesList()) {
            if (z.getMode() == mode && contains(z, x, y)) {
                return Optional.of(z);
            }
        }
        return Optional.empty();
    }

    /** Zones have names people type, and a polygon is bounded, so a camera's settings stay small. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
    public static final int MAX_POINTS = 64;

    /** The camera's settings with {@code zone} added, or replacing its namesake. */
    public static CameraSettings with(CameraSettings camera, IgnoreZone zone) {
        check(zone);
        return without(camera, zone.getName()).toBuilder().addIgnoreZones(zone).build();
    }

    /** The camera's settings without the zone of that name. */
    public static CameraSettings without(CameraSettings camera, String name) {
        CameraSettings.Builder next = camera.toBuilder().clearIgnoreZones();
        camera.getIgnoreZonesList().stream().filter(z -> !z.getName().equals(name)).forEach(next::addIgnoreZones);
        return next.build();
    }

    /** A zone is a name and 3..64 points (x,y pairs) in [0,1]. */
    public static void check(IgnoreZone z) {
        if (!NAME.matcher(z.getName()).matches()) {
            throw new IllegalArgumentException("an ignore zone's name has 1..64 of A-Z a-z 0-9 space . _ -, not '"
                    + z.getName() + "'");
        }
        if (z.getXyCount() < 6 || z.getXyCount() % 2 != 0 || z.getXyCount() > 2 * MAX_POINTS) {
            throw new IllegalArgumentException("ignore zone '" + z.getName() + "' needs 3.." + MAX_POINTS + " points (x,y pairs), got "
                    + z.getXyCount() + " numbers");
        }
        for (float v : z.getXyList()) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("ignore zone '" + z.getName() + "': coordinates are fractions of the "
                        + "frame in [0,1], got " + v);
            }
        }
    }

    static boolean contains(IgnoreZone z, double x, double y) {
        int n = z.getXyCount() / 2;
        boolean inside = false;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double xi = z.getXy(2 * i);
            double yi = z.getXy(2 * i + 1);
            double xj = z.getXy(2 * j);
            double yj = z.getXy(2 * j + 1);
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
                inside = !inside;
            }
        }
        return inside;
    }
}
