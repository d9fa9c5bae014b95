package io.vigil.ingest;

/**
 * The last frame a camera published before this instance started, read back from the frames topic.
 * Restarts continue from it instead of starting over, so a camera's frame indices never repeat.
 */
public record ResumePoint(long lastIndex, String source, boolean endOfSource) {

    /**
     * What a (re)started camera does with its source.
     *
     * @param indexOffset     added to the source's own frame positions
     * @param skipThrough     source positions up to and including this one were already published (-1: none)
     * @param alreadyComplete the whole finite source was published before: publish nothing
     */
    public record Plan(long indexOffset, long skipThrough, boolean alreadyComplete) {
        public static final Plan FRESH = new Plan(0, -1, false);
    }

    /**
     * @param live            the source has no end (live stream, endless synthetic scene)
     * @param sameSource      the camera still reads the source it published from before
     * @param loop            the source is replayed forever
     * @param resumeFinite    continue a finite source where it stopped (else replay it from the start)
     */
    public Plan plan(boolean live, boolean sameSource, boolean loop, boolean resumeFinite) {
        if (live || loop || !sameSource || !resumeFinite) {
            // New frames, or the same frames again: either way they get indices after the last one.
            return new Plan(lastIndex + 1, -1, false);
        }
        if (endOfSource) {
            return new Plan(0, -1, true);
        }
        return new Plan(0, lastIndex, false);
    }
}
