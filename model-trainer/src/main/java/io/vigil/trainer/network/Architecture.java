package io.vigil.trainer.network;

import java.util.List;
import java.util.Locale;

/**
 * The four encoder configurations of the paper (§3.2): 3 or 6 3D conv layers (3x3x3, stride 1, same padding, each
 * followed by batch norm and ReLU), narrow or with doubled filters, and three 3D max poolings. As in the paper the
 * poolings are 2x2x2 while there is time to halve (7 frames: 7 → 3 → 1), then 1x2x2; what time is left is pooled
 * globally (max) at the end of the encoder so the heads are 2D. In the deep variants each pooling follows two conv
 * layers.
 */
public enum Architecture {
    SHALLOW_NARROW(List.of(16, 32, 32), 1),
    SHALLOW_WIDE(List.of(32, 64, 64), 1),
    DEEP_NARROW(List.of(16, 16, 32, 32, 32, 32), 2),
    DEEP_WIDE(List.of(32, 32, 64, 64, 64, 64), 2);

    /** Filters of each conv layer, in order. */
    public final List<Integer> filters;
    /** Conv layers before each of the three poolings. */
    public final int convsPerStage;

    Architecture(List<Integer> filters, int convsPerStage) {
        this.filters = filters;
        this.convsPerStage = convsPerStage;
    }

    /** The temporal kernel of each stage's pooling for {@code frames} input frames: 2 while at least 2 remain. */
    public int[] temporalPooling(int frames) {
        int stages = filters.size() / convsPerStage;
        int[] kernels = new int[stages];
        int t = frames;
        for (int s = 0; s < stages; s++) {
            kernels[s] = t >= 2 ? 2 : 1;
            t /= kernels[s];
        }
        return kernels;
    }

    public int featureChannels() {
        return filters.get(filters.size() - 1);
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Architecture parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
