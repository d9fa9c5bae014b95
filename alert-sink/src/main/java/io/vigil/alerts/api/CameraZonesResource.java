package io.vigil.alerts.api;

import io.quarkus.security.identity.SecurityIdentity;
import io.vigil.auth.LocalUsers;
import io.vigil.common.registry.CameraEventSettings;
import io.vigil.common.registry.IgnoreZones;
import io.vigil.common.registry.ModelRegistry;
import io.vigil.proto.v1.CameraSettings;
import io.vigil.proto.v1.IgnoreMode;
import io.vigil.proto.v1.IgnoreZone;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A camera's ignore zones, drawn on the page: a viewer sees them, an operator sets and removes them. They are
 * stored with the camera's other settings in the model registry, where the scorer (not-scored zones) and this
 * service (not-alerted zones) pick them up on their next refresh.
 */
@Path("/cameras/{camera}/zones")
@RolesAllowed({LocalUsers.VIEWER, LocalUsers.OPERATOR})
public class CameraZonesResource {

    /** A zone as the page draws it: its name, its mode, and its corners as [x, y] fractions of the frame. */
    public record ZoneJson(String name, String mode, List<float[]> points) {
        static ZoneJson of(IgnoreZone z) {
            List<float[]> points = new ArrayList<>();
            for (int i = 0; i + 1 < z.getXyCount(); i += 2) {
                points.add(new float[] {z.getXy(i), z.getXy(i + 1)});
            }
            return new ZoneJson(z.getName(), z.getMode().name(), points);
        }
    }

    private static final Logger LOG = Logger.getLogger(CameraZonesResource.class);

    private final Optional<ModelRegistry> registry;
    private final SecurityIdentity identity;

    public CameraZonesResource(CameraEventSettings cameraEvents, SecurityIdentity identity) {
        this.registry = cameraEvents.registry();
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<ZoneJson> zones(@PathParam("camera") String camera) {
        EventResource.checkCamera(camera);
        CameraSettings settings = registry().cameraSettings().get(camera);
        return settings == null ? List.of() : settings.getIgnoreZonesList().stream().map(ZoneJson::of).toList();
    }

    /** Sets the zone of that name (a new one, or a new shape or mode for it). */
    @PUT
    @Path("{name}")
    @RolesAllowed(LocalUsers.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public List<ZoneJson> put(@PathParam("camera") String camera, @PathParam("name") String name, ZoneJson zone) {
        EventResource.checkCamera(camera);
        if (zone == null || zone.points() == null || zone.mode() == null) {
            throw new BadRequestException("a zone is {\"mode\": \"NOT_SCORED\" or \"NOT_ALERTED\", \"points\": [[x, y], ...]}");
        }
        IgnoreZone.Builder z = IgnoreZone.newBuilder().setName(name);
        try {
            z.setMode(IgnoreMode.valueOf(zone.mode().toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("a zone's mode is NOT_SCORED or NOT_ALERTED");
        }
        for (float[] p : zone.points()) {
            if (p == null || p.length != 2) {
                throw new BadRequestException("a point is [x, y]");
            }
            z.addXy(p[0]).addXy(p[1]);
        }
        IgnoreZone built = z.build();
        try {
            IgnoreZones.check(built);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        CameraSettings written = write(camera, old -> IgnoreZones.with(old, built));
        LOG.infof("camera %s: ignore zone '%s' (%s, %d points) set by %s", camera, name, built.getMode(),
                built.getXyCount() / 2, identity.getPrincipal().getName());
        return written.getIgnoreZonesList().stream().map(ZoneJson::of).toList();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(LocalUsers.OPERATOR)
    public Response delete(@PathParam("camera") String camera, @PathParam("name") String name) {
        EventResource.checkCamera(camera);
        write(camera, old -> IgnoreZones.without(old, name));
        LOG.infof("camera %s: ignore zone '%s' removed by %s", camera, name, identity.getPrincipal().getName());
        return Response.noContent().build();
    }

    private CameraSettings write(String camera, java.util.function.UnaryOperator<CameraSettings> change) {
        try {
            return registry().updateCameraSettings(camera, change);
        } catch (UncheckedIOException e) {
            LOG.errorf("camera %s: the zones could not be written: %s", camera, e.getMessage());
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity("the model registry cannot be written here (mounted read-only?)").build());
        }
    }

    private ModelRegistry registry() {
        return registry.orElseThrow(() -> new WebApplicationException(Response.status(Response.Status.CONFLICT)
                .entity("no model registry is configured (vigil.alerts.registry): zones are stored there").build()));
    }
}
