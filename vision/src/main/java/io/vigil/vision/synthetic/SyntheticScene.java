package io.vigil.vision.synthetic;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A generated fixed-camera scene: pedestrians walking at normal speed along a walkway over a static
 * background, plus optional injected anomalies, each with exact ground truth. Every frame is a pure function
 * of (spec, frame index), so a scene can be replayed, rendered out of order, or run for many virtual cameras.
 *
 * <p>Anomalies, each shown for {@link Spec#anomalyFrames()} frames:
 * <ul>
 *   <li>{@code FAST}: a person running several times faster than anyone else;</li>
 *   <li>{@code BACKWARD}: a person walking backwards (facing one way, moving the other, gait reversed);</li>
 *   <li>{@code ERRATIC}: a person changing direction every few frames;</li>
 *   <li>{@code UNUSUAL}: an object that looks like no pedestrian (a cart) at walking speed.</li>
 * </ul>
 */
public final class SyntheticScene {

    public enum Anomaly {
        FAST, BACKWARD, ERRATIC, UNUSUAL;

        public static Anomaly parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown anomaly '" + s + "', expected fast, backward, erratic or unusual");
            }
        }
    }

    /** An anomaly and the frame it starts at (within each period for endless scenes). */
    public record ScheduledAnomaly(Anomaly kind, long startFrame) {
    }

    /**
     * @param frames         frames in the scene; 0 = endless
     * @param period         for endless scenes, anomalies repeat every {@code period} frames
     * @param anomalyFrames  how long each anomaly is visible
     */
    public record Spec(int width, int height, double fps, long frames, int walkers, long seed,
            List<ScheduledAnomaly> anomalies, int anomalyFrames, int period) {
        public Spec {
            if (width < 64 || height < 64) {
                throw new IllegalArgumentException("synthetic scene must be at least 64x64, got " + width + "x" + height);
            }
            if (fps <= 0 || frames < 0 || walkers < 0 || anomalyFrames < 1 || period < anomalyFrames) {
                throw new IllegalArgumentException("invalid synthetic scene: fps=" + fps + " frames=" + frames
                        + " walkers=" + walkers + " anomalyFrames=" + anomalyFrames + " period=" + period);
            }
            anomalies = List.copyOf(anomalies);
        }

        /** The scene of a {@code synthetic:?...} URI (see {@link #of}); its {@code labels} key is the caller's. */
        public static Spec parse(String uri) {
            if (!uri.startsWith("synthetic:")) {
                throw new IllegalArgumentException("not a synthetic: URI: " + uri);
            }
            String query = uri.substring("synthetic:".length()).replaceFirst("^\\?", "");
            java.util.Map<String, String> q = new java.util.LinkedHashMap<>();
            for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
                int eq = pair.indexOf('=');
                q.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
            return of(q);
        }

        private static String decode(String s) {
            return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The query keys of a {@code synthetic:} URI. */
        public static final java.util.Set<String> KEYS = java.util.Set.of("width", "height", "fps", "frames", "walkers",
                "seed", "anomalies", "anomaly-frames", "period", "labels");

        /**
         * The scene of a {@code synthetic:?walkers=6&anomalies=fast,backward@120&...} query (already split into keys and
         * values); an unknown key or a bad value is an error that says which, so typos do not pass silently.
         */
        public static Spec of(java.util.Map<String, String> q) {
            for (String key : q.keySet()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown synthetic scene parameter '" + key + "'; known: " + KEYS);
                }
            }
            long frames = Long.parseLong(q.getOrDefault("frames", "0"));
            int anomalyFrames = Integer.parseInt(q.getOrDefault("anomaly-frames", "40"));
            int period = Integer.parseInt(q.getOrDefault("period", "300"));
            List<ScheduledAnomaly> anomalies = new ArrayList<>();
            List<Anomaly> unscheduled = new ArrayList<>();
            String list = q.getOrDefault("anomalies", "");
            for (String item : list.isBlank() ? new String[0] : list.split(",")) {
                int at = item.indexOf('@');
                if (at < 0) {
                    unscheduled.add(Anomaly.parse(item));
                } else {
                    anomalies.add(new ScheduledAnomaly(Anomaly.parse(item.substring(0, at)),
                            Long.parseLong(item.substring(at + 1).trim())));
                }
            }
            anomalies.addAll(spread(unscheduled, frames, period, anomalyFrames));
            return new Spec(Integer.parseInt(q.getOrDefault("width", "360")), Integer.parseInt(q.getOrDefault("height", "240")),
                    Double.parseDouble(q.getOrDefault("fps", "10")), frames, Integer.parseInt(q.getOrDefault("walkers", "6")),
                    Long.parseLong(q.getOrDefault("seed", "1")), anomalies, anomalyFrames, period);
        }

        /** Spreads the given anomalies evenly over the scene (or over one period of an endless scene). */
        public static List<ScheduledAnomaly> spread(List<Anomaly> kinds, long frames, int period, int anomalyFrames) {
            long span = frames > 0 ? frames : period;
            List<ScheduledAnomaly> out = new ArrayList<>();
            for (int j = 0; j < kinds.size(); j++) {
                long start = (j + 1) * span / (kinds.size() + 1) - anomalyFrames / 2;
                out.add(new ScheduledAnomaly(kinds.get(j), Math.max(0, start)));
            }
            return out;
        }
    }

    /** Where an anomaly is in one frame (pixels, clipped to the frame). */
    public record GroundTruthBox(Anomaly kind, int x1, int y1, int x2, int y2) {
    }

    /** A rendered frame: interleaved BGR bytes and the anomalies visible in it. */
    public record Rendered(byte[] bgr, List<GroundTruthBox> anomalies) {
    }

    private static final double WALK_SPEED_MIN = 0.8;
    private static final double WALK_SPEED_MAX = 1.6;
    private static final double FAST_SPEED = 7.0;
    private static final double ERRATIC_SPEED = 3.0;

    private final Spec spec;
    private final BufferedImage background;
    private final List<Walker> walkers = new ArrayList<>();

    public SyntheticScene(Spec spec) {
        this.spec = spec;
        this.background = paintBackground(spec);
        Random random = new Random(spec.seed());
        for (int i = 0; i < spec.walkers(); i++) {
            double lane = 0.38 + 0.5 * random.nextDouble();
            double speed = WALK_SPEED_MIN + (WALK_SPEED_MAX - WALK_SPEED_MIN) * random.nextDouble();
            int direction = random.nextBoolean() ? 1 : -1;
            double offset = random.nextDouble() * (spec.width() + 80);
            walkers.add(new Walker(lane, speed, direction, offset, shirt(random)));
        }
    }

    public Spec spec() {
        return spec;
    }

    public Rendered render(long frame) {
        BufferedImage image = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.drawImage(background, 0, 0, null);
        for (Walker w : walkers) {
            double travel = (w.offset + w.speed * frame) % (spec.width() + 80);
            double x = w.direction > 0 ? travel - 40 : spec.width() + 40 - travel;
            double y = spec.height() * w.lane + 3 * Math.sin(frame * 0.05 + w.offset);
            drawPerson(g, x, y, scaleAt(y), w.direction, w.speed * frame, w.shirt);
        }
        List<GroundTruthBox> truth = new ArrayList<>();
        for (ScheduledAnomaly a : spec.anomalies()) {
            long u = frameInAnomaly(a, frame);
            if (u >= 0) {
                int[] box = drawAnomaly(g, a, u);
                int x1 = Math.max(0, box[0]);
                int y1 = Math.max(0, box[1]);
                int x2 = Math.min(spec.width(), box[2]);
                int y2 = Math.min(spec.height(), box[3]);
                if (x2 > x1 && y2 > y1) {
                    truth.add(new GroundTruthBox(a.kind(), x1, y1, x2, y2));
                }
            }
        }
        g.dispose();
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        addSensorNoise(bgr, frame);
        return new Rendered(bgr, truth);
    }

    /** Frames since the anomaly started, or -1 when it is not visible in {@code frame}. */
    private long frameInAnomaly(ScheduledAnomaly a, long frame) {
        long t = spec.frames() > 0 ? frame : frame % spec.period();
        long u = t - a.startFrame();
        return u >= 0 && u < spec.anomalyFrames() ? u : -1;
    }

    private double scaleAt(double y) {
        // Perspective: people further up the image (further away) look smaller.
        return 0.55 + 0.6 * (y / spec.height());
    }

    /** A shirt colour as the walkers wear them. */
    private static Color shirt(Random random) {
        return Color.getHSBColor(random.nextFloat(), 0.35f + 0.3f * random.nextFloat(), 0.45f + 0.4f * random.nextFloat());
    }

    /**
     * Draws the anomaly {@code u} frames after it started; returns its box {x1,y1,x2,y2}. A person in it wears a shirt
     * like anyone else's, so what is unusual is how they move, not how they look.
     */
    private int[] drawAnomaly(Graphics2D g, ScheduledAnomaly a, long u) {
        double w = spec.width();
        double h = spec.height();
        Color shirt = shirt(new Random(spec.seed() * 31 + a.startFrame()));
        Anomaly kind = a.kind();
        switch (kind) {
            case FAST: {
                double x = 0.05 * w + FAST_SPEED * u;
                double y = 0.62 * h;
                return drawPerson(g, x, y, scaleAt(y), 1, FAST_SPEED * u, shirt);
            }
            case BACKWARD: {
                double x = 0.8 * w - 1.2 * u;
                double y = 0.55 * h;
                // Faces right (+1) while moving left; the gait phase runs backwards with the motion.
                return drawPerson(g, x, y, scaleAt(y), 1, -1.2 * u, shirt);
            }
            case ERRATIC: {
                double[] p = erraticPosition(u);
                return drawPerson(g, p[0], p[1], scaleAt(p[1]), p[2] >= 0 ? 1 : -1, ERRATIC_SPEED * u, shirt);
            }
            case UNUSUAL: {
                double x = 0.15 * w + 1.2 * u;
                double y = 0.7 * h;
                return drawCart(g, x, y, scaleAt(y));
            }
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    /** Random walk with a new heading every 3 frames, kept inside the walkway; {x, y, dx}. */
    private double[] erraticPosition(long u) {
        double x = 0.5 * spec.width();
        double y = 0.6 * spec.height();
        double dx = 0;
        for (long k = 0; k < u; k++) {
            Random r = new Random(spec.seed() * 31 + k / 3);
            double angle = r.nextDouble() * 2 * Math.PI;
            dx = ERRATIC_SPEED * Math.cos(angle);
            x = clamp(x + dx, 0.1 * spec.width(), 0.9 * spec.width());
            y = clamp(y + ERRATIC_SPEED * Math.sin(angle), 0.4 * spec.height(), 0.9 * spec.height());
        }
        return new double[] {x, y, dx};
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * A person standing at (x, y) = feet position, {@code s} = scale, facing {@code facing} (+1 right, -1 left);
     * legs swing with {@code walked} (pixels travelled). Returns the box {x1,y1,x2,y2}.
     */
    private static int[] drawPerson(Graphics2D g, double x, double y, double s, int facing, double walked, Color shirt) {
        double height = 34 * s;
        double torsoW = 0.32 * height;
        double torsoH = 0.38 * height;
        double head = 0.2 * height;
        double hipY = y - 0.45 * height;
        double legLen = 0.45 * height;
        double swing = Math.sin(walked / (0.35 * height) * Math.PI) * 0.45;
        g.setStroke(new BasicStroke((float) Math.max(1.5, 0.09 * height)));
        g.setColor(new Color(40, 40, 60));
        g.drawLine((int) x, (int) hipY, (int) (x + legLen * Math.sin(swing)), (int) (hipY + legLen * Math.cos(swing)));
        g.drawLine((int) x, (int) hipY, (int) (x - legLen * Math.sin(swing)), (int) (hipY + legLen * Math.cos(swing)));
        g.setColor(shirt);
        g.fillRoundRect((int) (x - torsoW / 2), (int) (hipY - torsoH), (int) torsoW, (int) torsoH, 4, 4);
        double headY = hipY - torsoH - head;
        g.setColor(new Color(225, 185, 150));
        g.fillOval((int) (x - head / 2), (int) headY, (int) head, (int) head);
        // A dark face mark on the side the person faces makes the facing direction visible.
        g.setColor(new Color(70, 40, 30));
        g.fillOval((int) (x + facing * head * 0.25 - head * 0.12), (int) (headY + head * 0.35), (int) Math.max(2, head * 0.25),
                (int) Math.max(2, head * 0.25));
        int half = (int) Math.ceil(Math.max(torsoW / 2, legLen * Math.abs(Math.sin(swing))) + 2);
        return new int[] {(int) x - half, (int) headY - 1, (int) x + half, (int) (y + 2)};
    }

    private static int[] drawCart(Graphics2D g, double x, double y, double s) {
        int w = (int) (46 * s);
        int h = (int) (22 * s);
        int wheel = (int) Math.max(4, 9 * s);
        int top = (int) (y - h - wheel / 2);
        g.setColor(new Color(30, 90, 170));
        g.fillRect((int) x, top, w, h);
        g.setColor(new Color(230, 230, 240));
        g.drawRect((int) x, top, w, h);
        g.setColor(Color.BLACK);
        g.fillOval((int) x + 2, (int) y - wheel, wheel, wheel);
        g.fillOval((int) x + w - wheel - 2, (int) y - wheel, wheel, wheel);
        return new int[] {(int) x - 1, top - 1, (int) x + w + 2, (int) y + 1};
    }

    private static BufferedImage paintBackground(Spec spec) {
        int w = spec.width();
        int h = spec.height();
        BufferedImage bg = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(spec.seed() ^ 0x5DEECE66DL);
        for (int y = 0; y < h; y++) {
            boolean walkway = y > 0.3 * h;
            for (int x = 0; x < w; x++) {
                int n = r.nextInt(18);
                int rgb = walkway
                        ? new Color(150 + n, 145 + n, 135 + n).getRGB()
                        : new Color(70 + n, 105 + n, 60 + n).getRGB();
                bg.setRGB(x, y, rgb);
            }
        }
        Graphics2D g = bg.createGraphics();
        g.setColor(new Color(90, 85, 80));
        for (int i = 0; i < 4; i++) {
            int x = (int) ((0.1 + 0.25 * i) * w);
            g.fillRect(x, (int) (0.18 * h), (int) (0.08 * w), (int) (0.1 * h)); // benches/planters along the top
        }
        g.setColor(new Color(120, 118, 112));
        g.drawLine(0, (int) (0.3 * h), w, (int) (0.3 * h)); // kerb
        g.dispose();
        return bg;
    }

    private void addSensorNoise(byte[] bgr, long frame) {
        Random r = new Random(spec.seed() * 1_000_003L + frame);
        for (int i = 0; i < bgr.length; i += 7) {
            int v = (bgr[i] & 0xFF) + r.nextInt(5) - 2;
            bgr[i] = (byte) Math.max(0, Math.min(255, v));
        }
    }

    private record Walker(double lane, double speed, int direction, double offset, Color shirt) {
    }
}
