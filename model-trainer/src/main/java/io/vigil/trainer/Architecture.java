package io.vigil.trainer;

import java.util.List;
import java.util.Locale;

/**
 * The four encoder configurations of the paper (§3.2): 3 or 6 3D conv layers (3x3x3, stride 1, same padding, each
 * followed by batch norm and ReLU), narrow or with doubled filters, and three 3D max poolings. Pooling is 1x2x2
 * (spatial only): with 2t+1 = 7 frames a temporal pooling of 2 would leave no time after three stages; time is
 * pooled globally (max) at the end of the encoder so the heads are 2D. In the deep variants each pooling follows
 * two conv layers.
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
