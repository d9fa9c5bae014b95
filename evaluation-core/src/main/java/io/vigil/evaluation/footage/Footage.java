package io.vigil.evaluation.footage;

import io.vigil.proto.v1.TrainingRange;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** Normal footage to learn from: a folder of videos, or a camera's time range on {@code vigil.frames}. */
public interface Footage {

    /** The clips, in time order, with progress on {@code log}. */
    List<Clip> clips(PrintStream log) throws IOException;

    /** What was read, for the model's metadata and the registry (valid after {@link #clips}). */
    TrainingRange range();
}
