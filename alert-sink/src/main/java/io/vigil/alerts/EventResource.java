package io.vigil.alerts;

import io.smallrye.mutiny.Multi;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameScore;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** The REST API and the live stream of events, and the frame-score timelines of the page. */
@Path("/")
public class EventResource {

    /** One point of a camera's score timeline. */
    public record ScorePoint(long frame, long timeMs, float raw, float smoothed, int objects) {
    }

    /** What the page needs to draw: thresholds and the smoothing latency. */
    public record Settings(float openThreshold, float closeThreshold, int lookaheadFrames, double sigma) {
    }

    private final EventFeed feed;
    private final Settings settings;

    public EventResource(EventFeed feed, AlertConfig config) {
        this.feed = feed;
        AlertTimeline.Settings t = AlertSetup.timelineSettings(config);
        this.settings = new Settings(t.events().openThreshold(), t.events().closeThreshold(),
                new AlertTimeline("-", t).lookahead(), t.sigma());
    }

    /** Events, newest first; {@code from}/{@code to} are epoch milliseconds and select events overlapping them. */
    @GET
    @Path("events")
    @Produces(MediaType.APPLICATION_JSON)
    public List<EventJson> events(@QueryParam("camera") String camera, @QueryParam("from") Long from,
            @QueryParam("to") Long to, @QueryParam("limit") Integer limit) {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 10_000) {
            throw new BadRequestException("limit must be 1..10000, got " + n);
        }
        return feed.index().events(new EventIndex.Query(camera, from, to, n)).stream().map(EventJson::of).toList();
    }

    @GET
    @Path("events/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public EventJson event(@PathParam("id") String id) {
        return EventJson.of(find(id));
    }

    @GET
    @Path("events/{id}/thumbnail.jpg")
    @Produces("image/jpeg")
    public Response thumbnail(@PathParam("id") String id) {
        AnomalyEvent e = find(id);
        if (e.getThumbnailJpeg().isEmpty()) {
            throw new NotFoundException("event " + id + " has no thumbnail");
        }
        return Response.ok(e.getThumbnailJpeg().toByteArray()).header("Cache-Control", "max-age=60").build();
    }

    /** Server-sent events: every announcement (OPEN, UPDATE, CLOSED) as it is committed. */
    @GET
    @Path("events/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<EventJson> stream() {
        return Multi.createFrom().emitter(emitter -> {
            Runnable unsubscribe = feed.index().subscribe(e -> emitter.emit(EventJson.of(e)));
            emitter.onTermination(unsubscribe);
        });
    }

    @GET
    @Path("cameras")
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> cameras() {
        return feed.index().cameras();
    }

    @GET
    @Path("cameras/{camera}/scores")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ScorePoint> scores(@PathParam("camera") String camera) {
        List<FrameScore> t = feed.index().timeline(camera);
        return t.stream().map(s -> new ScorePoint(s.getFrameIndex(), s.getCaptureTimeMs(), s.getRawScore(),
                s.getSmoothedScore(), s.getObjectCount())).toList();
    }

    @GET
    @Path("settings")
    @Produces(MediaType.APPLICATION_JSON)
    public Settings settings() {
        return settings;
    }

    private AnomalyEvent find(String id) {
        return feed.index().event(id).orElseThrow(() -> new NotFoundException("no event " + id));
    }
}
