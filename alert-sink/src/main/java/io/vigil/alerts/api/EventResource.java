package io.vigil.alerts.api;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vigil.alerts.AlertConfig;
import io.vigil.alerts.AlertSetup;
import io.vigil.alerts.EventFeed;
import io.vigil.alerts.EventIndex;
import io.vigil.alerts.EventJson;
import io.vigil.alerts.EventReviews;
import io.vigil.alerts.auth.FixedWindowLimit;
import io.vigil.alerts.clips.ClipEncoder;
import io.vigil.alerts.clips.EventClips;
import io.vigil.auth.LocalUsers;
import io.vigil.common.alerts.AlertTimeline;
import io.vigil.common.registry.CameraEventSettings;
import io.vigil.common.scoring.FrameScorer;
import io.vigil.proto.CameraIds;
import io.vigil.proto.MessageChecks;
import io.vigil.proto.Topics;
import io.vigil.proto.v1.AnomalyEvent;
import io.vigil.proto.v1.FrameScore;
import io.vigil.proto.v1.Review;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The REST API and the live stream of events, and the frame-score timelines of the page: a {@code viewer} or an
 * {@code operator} reads; an {@code operator} reviews events.
 */
@Path("/")
@RolesAllowed({LocalUsers.VIEWER, LocalUsers.OPERATOR})
public class EventResource {

    /** What an operator posts to acknowledge or resolve an event. */
    public record ReviewRequest(String note) {
    }

    /** One point of a camera's score timeline. */
    public record ScorePoint(long frame, long timeMs, float raw, float smoothed, int objects) {
    }

    /** What the page needs to draw: thresholds and the smoothing latency. */
    public record Settings(float openThreshold, float closeThreshold, int lookaheadFrames, double sigma) {
    }

    /**
     * A camera's event thresholds, the frame aggregation and smoothing its scores use, and where they come from
     * (configuration, registry, model calibration, defaults).
     */
    public record CameraThresholds(String camera, float openThreshold, float closeThreshold, String frameAggregation,
            double sigma, int lookaheadFrames, String origin, String detail) {
    }

    /** An event id's start frame, after the camera id and a colon. */
    private static final Pattern START_FRAME = Pattern.compile("[0-9]{1,19}");

    private static final int MAX_NOTE_LENGTH = MessageChecks.MAX_NOTE_LENGTH;

    private final EventFeed feed;
    private final EventReviews reviews;
    private final EventClips clips;
    private final FixedWindowLimit reviewLimit;
    private final SecurityIdentity identity;
    private final CameraEventSettings cameraEvents;
    private final AlertTimeline.Settings service;
    private final Settings settings;
    private final int maxStreamClients;
    private final int maxStreamClientsPerUser;
    private final AtomicInteger streamClients = new AtomicInteger();
    private final Map<String, AtomicInteger> streamClientsByUser = new ConcurrentHashMap<>();

    public EventResource(EventFeed feed, EventReviews reviews, EventClips clips, SecurityIdentity identity,
            CameraEventSettings cameraEvents, AlertConfig config) {
        this.feed = feed;
        this.clips = clips;
        this.reviews = reviews;
        this.identity = identity;
        this.reviewLimit = new FixedWindowLimit(config.auth().maxReviewsPerMinute(), Duration.ofMinutes(1), System::nanoTime);
        this.cameraEvents = cameraEvents;
        this.maxStreamClients = config.view().maxStreamClients();
        this.maxStreamClientsPerUser = config.view().maxStreamClientsPerUser();
        AlertTimeline.Settings t = AlertSetup.timelineSettings(config);
        this.service = t;
        this.settings = new Settings(t.events().openThreshold(), t.events().closeThreshold(),
                t.lookahead(), t.sigma());
    }

    /** Events, newest first; {@code from}/{@code to} are epoch milliseconds and select events overlapping them. */
    @GET
    @Path("events")
    @Produces(MediaType.APPLICATION_JSON)
    public List<EventJson> events(@QueryParam("camera") String camera, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("limit") String limit) {
        if (camera != null) {
            checkCamera(camera);
        }
        Long fromMs = number("from", from, 0, Long.MAX_VALUE);
        Long toMs = number("to", to, 0, Long.MAX_VALUE);
        if (fromMs != null && toMs != null && fromMs > toMs) {
            throw new BadRequestException("from must not be after to");
        }
        Long n = number("limit", limit, 1, 10_000);
        return feed.index().events(new EventIndex.Query(camera, fromMs, toMs, n == null ? 100 : n.intValue())).stream()
                .map(EventJson::of).toList();
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
            throw new NotFoundException("the event has no thumbnail");
        }
        return Response.ok(e.getThumbnailJpeg().toByteArray()).header("Cache-Control", "max-age=60").build();
    }

    /** An operator has seen the event and is looking into it. */
    @POST
    @Path("events/{id}/acknowledge")
    @RolesAllowed(LocalUsers.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public EventJson acknowledge(@PathParam("id") String id, ReviewRequest request) {
        return review(id, Review.Action.ACKNOWLEDGED, request);
    }

    /** An operator has dealt with the event (or found it a false alarm). */
    @POST
    @Path("events/{id}/resolve")
    @RolesAllowed(LocalUsers.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public EventJson resolve(@PathParam("id") String id, ReviewRequest request) {
        return review(id, Review.Action.RESOLVED, request);
    }

    private EventJson review(String id, Review.Action action, ReviewRequest request) {
        String note = request == null || request.note() == null ? "" : request.note();
        if (note.length() > MAX_NOTE_LENGTH || note.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
            throw new BadRequestException("a note has at most " + MAX_NOTE_LENGTH + " characters and no control characters");
        }
        AnomalyEvent latest = find(id);
        String by = identity.getPrincipal().getName();
        Duration wait = reviewLimit.tryAcquire(by);
        if (!wait.isZero()) {
            throw new WebApplicationException(Response.status(Response.Status.TOO_MANY_REQUESTS)
                    .header("Retry-After", Math.max(1, wait.toSeconds())).entity("too many reviews; try again later").build());
        }
        Review review = Review.newBuilder().setAction(action).setBy(by).setTimeMs(System.currentTimeMillis()).setNote(note).build();
        return EventJson.of(reviews.publish(latest, review));
    }

    /** The event's frames, with a few seconds either side, as an MP4 (inline on the page, or saved). */
    @GET
    @Path("events/{id}/clip.mp4")
    @Produces("video/mp4")
    @Blocking
    public Response clip(@PathParam("id") String id) throws IOException, InterruptedException {
        AnomalyEvent e = find(id);
        EventClips.Clip clip;
        try {
            clip = clips.clip(e).orElseThrow(() -> new NotFoundException("the event's frames are no longer on "
                    + Topics.FRAMES));
        } catch (EventClips.Busy | ClipEncoder.TooSlow busy) {
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "5")
                    .entity(busy.getMessage()).build());
        }
        String name = CameraIds.fileName(e.getCameraId()) + "-" + e.getStartFrameIndex() + ".mp4";
        return Response.ok(clip.mp4()).header("Content-Disposition", "inline; filename=\"" + name.replace('%', '_')
                + "\"; filename*=UTF-8''" + name)
                .header("X-Vigil-Frames", clip.frames()).header("Cache-Control", "private, max-age=60").build();
    }

    /** Server-sent events: every announcement (OPEN, UPDATE, CLOSED) as it is committed. */
    @GET
    @Path("events/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<EventJson> stream() {
        // Per user first, so one viewer cannot take every slot; anonymous (authentication off) counts as one user.
        AtomicInteger mine = streamClientsByUser.computeIfAbsent(identity.isAnonymous() ? "" : identity.getPrincipal().getName(),
                u -> new AtomicInteger());
        if (mine.incrementAndGet() > maxStreamClientsPerUser) {
            mine.decrementAndGet();
            throw new WebApplicationException(Response.status(429).header("Retry-After", "30")
                    .entity("too many event streams of this user").build());
        }
        if (streamClients.incrementAndGet() > maxStreamClients) {
            streamClients.decrementAndGet();
            mine.decrementAndGet();
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", "30").entity("too many clients of the event stream").build());
        }
        return Multi.createFrom().<EventJson>emitter(emitter -> {
            Runnable unsubscribe = feed.index().subscribe(e -> emitter.emit(EventJson.of(e)));
            emitter.onTermination(unsubscribe);
        }).onTermination().invoke(() -> {
            streamClients.decrementAndGet();
            mine.decrementAndGet();
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
        checkCamera(camera);
        List<FrameScore> t = feed.index().timeline(camera);
        return t.stream().map(s -> new ScorePoint(s.getFrameIndex(), s.getCaptureTimeMs(), s.getRawScore(),
                s.getSmoothedScore(), s.getObjectCount())).toList();
    }

    @GET
    @Path("cameras/{camera}/thresholds")
    @Produces(MediaType.APPLICATION_JSON)
    public CameraThresholds thresholds(@PathParam("camera") String camera) {
        checkCamera(camera);
        CameraEventSettings.Resolved r = cameraEvents.forCamera(camera);
        AlertTimeline.Settings own = r.timeline(service);
        return new CameraThresholds(camera, own.events().openThreshold(), own.events().closeThreshold(),
                own.aggregation().name().toLowerCase(java.util.Locale.ROOT), own.sigma(),
                own.lookahead(), r.origin().name().toLowerCase(java.util.Locale.ROOT),
                r.detail());
    }

    @GET
    @Path("settings")
    @Produces(MediaType.APPLICATION_JSON)
    public Settings settings() {
        return settings;
    }

    private AnomalyEvent find(String id) {
        int colon = id.lastIndexOf(':');
        if (colon < 0 || !CameraIds.isValid(id.substring(0, colon))
                || !START_FRAME.matcher(id.substring(colon + 1)).matches()) {
            throw new BadRequestException("an event id is camera:startFrame");
        }
        return feed.index().event(id).orElseThrow(() -> new NotFoundException("no such event"));
    }

    static void checkCamera(String camera) {
        String problem = CameraIds.problem(camera);
        if (problem != null) {
            throw new BadRequestException(problem);
        }
    }

    /** A query parameter that must be a whole number in {@code [min, max]}; null when absent. */
    private static Long number(String name, String value, long min, long max) {
        if (value == null) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadRequestException(name + " must be a whole number");
        }
        if (n < min || n > max) {
            throw new BadRequestException(name + " must be " + min + ".." + max);
        }
        return n;
    }
}
