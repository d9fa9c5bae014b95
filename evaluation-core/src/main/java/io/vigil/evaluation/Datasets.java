package io.vigil.evaluation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Labelled test videos from the layouts people have on disk:
 * <ul>
 *   <li><b>Vigil</b> ({@code ../shared/datasets/ucsd-ped2}): {@code testing/VV/NNN.jpg}, {@code testing-labels/VV.txt}
 *       (one 0/1 per frame), optional {@code testing-masks/VV/NNN.png};</li>
 *   <li><b>official UCSD</b>: {@code Test/Test001/001.tif} with the frame ranges of {@code UCSDped2.m} (or
 *       {@code UCSDped1.m}) and optional pixel masks in {@code Test001_gt/};</li>
 *   <li><b>frame-label files</b> (ShanghaiTech, Avenue as commonly converted): {@code testing/frames/<video>/*.jpg}
 *       with {@code testing/test_frame_mask/<video>.npy} (or {@code .txt}), one label per frame.</li>
 * </ul>
 */
public final class Datasets {

    /** One test video: its frames in order, a label per frame, and pixel masks per frame when there are any. */
    public record LabelledVideo(String id, List<Path> frames, boolean[] labels, Optional<List<Path>> masks) {
        public LabelledVideo {
            if (frames.size() != labels.length) {
                throw new IllegalArgumentException("video " + id + " has " + frames.size() + " frames but " + labels.length
                        + " labels");
            }
            masks.ifPresent(m -> {
                if (m.size() != frames.size()) {
                    throw new IllegalArgumentException("video " + id + " has " + frames.size() + " frames but " + m.size()
                            + " masks");
                }
            });
        }
    }

    private static final Pattern GT_LINE = Pattern.compile("gt_frame\\s*=\\s*\\[([^\\]]*)\\]");
    private static final Pattern RANGE = Pattern.compile("(\\d+)\\s*:\\s*(\\d+)|(\\d+)");

    private Datasets() {
    }

    /** The videos of the data set at {@code root}, restricted to {@code only} (ids) when not empty. */
    public static List<LabelledVideo> open(Path root, List<String> only) throws IOException {
        List<LabelledVideo> all;
        if (Files.isDirectory(root.resolve("testing-labels"))) {
            all = vigil(root);
        } else if (ucsdMatlabFile(root).isPresent()) {
            all = officialUcsd(root);
        } else if (Files.isDirectory(root.resolve("testing/test_frame_mask"))) {
            all = frameLabelFiles(root.resolve("testing/frames"), root.resolve("testing/test_frame_mask"));
        } else {
            throw new IOException("no known data set layout at " + root + ": expected testing-labels/ (Vigil), "
                    + "UCSDped1.m/UCSDped2.m (official UCSD) or testing/test_frame_mask/ (ShanghaiTech/Avenue frame labels)");
        }
        if (only.isEmpty()) {
            return all;
        }
        List<LabelledVideo> picked = new ArrayList<>();
        for (String id : only) {
            picked.add(all.stream().filter(v -> v.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IOException("no video " + id + " in " + root)));
        }
        return picked;
    }

    /** The video folders of {@code root} ({@code only} those, when not empty) as normal video: every frame normal. */
    public static List<LabelledVideo> normal(Path root, List<String> only) throws IOException {
        List<LabelledVideo> out = new ArrayList<>();
        for (Path dir : sortedDirs(root)) {
            String id = dir.getFileName().toString();
            if (only.isEmpty() || only.contains(id)) {
                List<Path> frames = images(dir);
                out.add(new LabelledVideo(id, frames, new boolean[frames.size()], Optional.empty()));
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no normal videos " + only + " in " + root);
        }
        return out;
    }

    static List<LabelledVideo> vigil(Path root) throws IOException {
        List<LabelledVideo> out = new ArrayList<>();
        for (Path dir : sortedDirs(root.resolve("testing"))) {
            String id = dir.getFileName().toString();
            List<Path> frames = images(dir);
            boolean[] labels = readTextLabels(root.resolve("testing-labels").resolve(id + ".txt"));
            Path maskDir = root.resolve("testing-masks").resolve(id);
            Optional<List<Path>> masks = Files.isDirectory(maskDir) ? Optional.of(images(maskDir)) : Optional.empty();
            out.add(new LabelledVideo(id, frames, labels, masks));
        }
        return out;
    }

    static Optional<Path> ucsdMatlabFile(Path root) throws IOException {
        for (Path dir : new Path[] {root, root.resolve("Test")}) {
            for (String name : new String[] {"UCSDped2.m", "UCSDped1.m"}) {
                if (Files.isRegularFile(dir.resolve(name))) {
                    return Optional.of(dir.resolve(name));
                }
            }
        }
        return Optional.empty();
    }

    /** Test/TestNNN/*.tif; the m-file lists one {@code gt_frame = [a:b, c:d]} (1-based) per test video in order. */
    static List<LabelledVideo> officialUcsd(Path root) throws IOException {
        Path mFile = ucsdMatlabFile(root).orElseThrow();
        Path test = Files.isDirectory(root.resolve("Test")) ? root.resolve("Test") : root;
        List<String> ranges = new ArrayList<>();
        Matcher m = GT_LINE.matcher(Files.readString(mFile, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            ranges.add(m.group(1));
        }
        List<Path> videos = sortedDirs(test).stream().filter(d -> d.getFileName().toString().matches("Test\\d+")).toList();
        if (videos.size() != ranges.size()) {
            throw new IOException(mFile + " has " + ranges.size() + " gt_frame entries but " + test + " has " + videos.size()
                    + " TestNNN folders");
        }
        List<LabelledVideo> out = new ArrayList<>();
        for (int v = 0; v < videos.size(); v++) {
            Path dir = videos.get(v);
            List<Path> frames = images(dir);
            boolean[] labels = new boolean[frames.size()];
            Matcher r = RANGE.matcher(ranges.get(v));
            while (r.find()) {
                int from = Integer.parseInt(r.group(1) != null ? r.group(1) : r.group(3));
                int to = Integer.parseInt(r.group(2) != null ? r.group(2) : r.group(3));
                for (int f = from; f <= to && f <= labels.length; f++) {
                    labels[f - 1] = true;
                }
            }
            Path gt = test.resolve(dir.getFileName() + "_gt");
            Optional<List<Path>> masks = Files.isDirectory(gt) ? Optional.of(images(gt)) : Optional.empty();
            out.add(new LabelledVideo(dir.getFileName().toString().substring(4), frames, labels, masks));
        }
        return out;
    }

    static List<LabelledVideo> frameLabelFiles(Path framesRoot, Path labelsDir) throws IOException {
        List<LabelledVideo> out = new ArrayList<>();
        for (Path dir : sortedDirs(framesRoot)) {
            String id = dir.getFileName().toString();
            Path npy = labelsDir.resolve(id + ".npy");
            boolean[] labels = Files.exists(npy) ? readNpyLabels(npy) : readTextLabels(labelsDir.resolve(id + ".txt"));
            out.add(new LabelledVideo(id, images(dir), labels, Optional.empty()));
        }
        return out;
    }

    static boolean[] readTextLabels(Path file) throws IOException {
        List<String> tokens = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            for (String t : line.trim().split("[\\s,]+")) {
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        boolean[] out = new boolean[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(tokens.get(i)) != 0;
        }
        return out;
    }

    /** A 1-D NumPy array (.npy v1/v2) of bool, int or float, as labels (non-zero = anomalous). */
    static boolean[] readNpyLabels(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get() != (byte) 0x93 || b.get() != 'N' || b.get() != 'U' || b.get() != 'M' || b.get() != 'P' || b.get() != 'Y') {
            throw new IOException(file + " is not a .npy file");
        }
        int major = b.get();
        b.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        byte[] header = new byte[headerLength];
        b.get(header);
        String h = new String(header, StandardCharsets.ISO_8859_1);
        Matcher descr = Pattern.compile("'descr':\\s*'([<>|=]?)([a-z])(\\d+)'").matcher(h);
        Matcher shape = Pattern.compile("'shape':\\s*\\((\\d+),?\\)").matcher(h);
        if (!descr.find() || !shape.find()) {
            throw new IOException(file + ": unsupported .npy header " + h.trim() + " (need a 1-D array)");
        }
        if (descr.group(1).equals(">")) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        char kind = descr.group(2).charAt(0);
        int size = Integer.parseInt(descr.group(3));
        int n = Integer.parseInt(shape.group(1));
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            double v = switch (kind) {
                case 'b', 'u' -> size == 1 ? Byte.toUnsignedInt(b.get()) : size == 2 ? Short.toUnsignedInt(b.getShort())
                        : size == 4 ? Integer.toUnsignedLong(b.getInt()) : b.getLong();
                case 'i' -> size == 1 ? b.get() : size == 2 ? b.getShort() : size == 4 ? b.getInt() : b.getLong();
                case 'f' -> size == 4 ? b.getFloat() : b.getDouble();
                default -> throw new IOException(file + ": unsupported dtype " + descr.group(0));
            };
            out[i] = v != 0;
        }
        return out;
    }

    private static List<Path> sortedDirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /** Image files of a folder in natural order (2.jpg before 10.jpg). */
    static List<Path> images(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                            .matches(".*\\.(jpe?g|png|tiff?|bmp)$"))
                    .sorted(Comparator.comparing((Path p) -> naturalKey(p.getFileName().toString()))).toList();
        }
    }

    private static String naturalKey(String name) {
        Matcher m = Pattern.compile("\\d+").matcher(name);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            sb.append(name, last, m.start()).append(String.format("%012d", Long.parseLong(m.group())));
            last = m.end();
        }
        return sb.append(name.substring(last)).toString();
    }
}
