package io.vigil.trainer.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Each epoch's mean training losses and held-out losses, kept in {@code training.csv} (a resumed run continues it)
 * and drawn in {@code loss-curves.png}; the epoch to export is the one with the lowest held-out joint loss.
 */
final class LossCurves {

    static final String HEADER = "epoch,train_aot,train_mi,train_rec,train_dist,train_total,"
            + "held_aot,held_mi,held_rec,held_dist,held_total";

    private record Row(int epoch, TaskLosses train, TaskLosses held) {
    }

    private final Path dir;
    private final List<Row> rows = new ArrayList<>();

    private LossCurves(Path dir) {
        this.dir = dir;
    }

    /** The curves so far, from the rows of epochs before {@code firstEpoch} in {@code dir/training.csv}. */
    static LossCurves open(Path dir, int firstEpoch) throws IOException {
        LossCurves c = new LossCurves(dir);
        Path csv = dir.resolve("training.csv");
        if (firstEpoch > 1 && Files.exists(csv)) {
            for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("epoch")) {
                    continue;
                }
                String[] f = line.split(",");
                int epoch = Integer.parseInt(f[0]);
                if (epoch < firstEpoch) {
                    c.rows.add(new Row(epoch, losses(f, 1), f[6].isEmpty() ? null : losses(f, 6)));
                }
            }
        }
        return c;
    }

    void add(int epoch, TaskLosses train, TaskLosses held) {
        rows.add(new Row(epoch, train, held));
        write();
    }

    /** The epoch with the lowest held-out joint loss; the last epoch when there are no held-out losses. */
    int bestEpoch() {
        Row best = null;
        for (Row r : rows) {
            if (r.held() != null && (best == null || r.held().total() < best.held().total())) {
                best = r;
            }
        }
        if (best != null) {
            return best.epoch();
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("no epoch was trained");
        }
        return rows.get(rows.size() - 1).epoch();
    }

    /** An epoch's held-out losses, or null when there were none. */
    TaskLosses heldOut(int epoch) {
        return rows.stream().filter(r -> r.epoch() == epoch).map(Row::held).filter(h -> h != null).findFirst().orElse(null);
    }

    private void write() {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        XYSeries train = new XYSeries("training (mean over the epoch)");
        XYSeries held = new XYSeries("held-out videos");
        for (Row r : rows) {
            csv.append(r.epoch()).append(',').append(format(r.train())).append(',')
                    .append(r.held() == null ? ",,,," : format(r.held())).append('\n');
            train.add(r.epoch(), r.train().total());
            if (r.held() != null) {
                held.add(r.epoch(), r.held().total());
            }
        }
        try {
            Files.writeString(dir.resolve("training.csv"), csv, StandardCharsets.UTF_8);
            XYSeriesCollection data = new XYSeriesCollection(train);
            data.addSeries(held);
            JFreeChart chart = ChartFactory.createXYLineChart("SSMTL joint loss", "epoch", "loss", data);
            ChartUtils.saveChartAsPNG(dir.resolve("loss-curves.png").toFile(), chart, 640, 400);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the loss curves in " + dir, e);
        }
    }

    private static String format(TaskLosses l) {
        return String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f,%.5f", l.arrowOfTime(), l.irregularity(), l.reconstruction(),
                l.distillation(), l.total());
    }

    private static TaskLosses losses(String[] f, int from) {
        return new TaskLosses(Float.parseFloat(f[from]), Float.parseFloat(f[from + 1]), Float.parseFloat(f[from + 2]),
                Float.parseFloat(f[from + 3]), Float.parseFloat(f[from + 4]));
    }
}
