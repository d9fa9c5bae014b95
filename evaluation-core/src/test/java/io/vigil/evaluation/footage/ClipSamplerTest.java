package io.vigil.evaluation.footage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Frame;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipSamplerTest {

    static Frame frame(long index) {
        return Frame.newBuilder().setCameraId("cam").setFrameIndex(index).setCaptureTimeMs(1_000_000 + index * 100).build();
    }

    private static List<Long> firstIndices(List<Clip> clips) {
        return clips.stream().map(c -> c.frames().get(0).getFrameIndex()).toList();
    }

    @Test
    void clipsEndAtTheirLengthAtGapsAndAtExcludedFrames() {
        ClipSampler s = new ClipSampler("cam", 10, 7, 1000, 0, 1);
        for (long i = 0; i < 25; i++) {
            s.accept(frame(i));          // 0-9, 10-19, then 20-24 (too short once the gap comes)
        }
        for (long i = 40; i < 48; i++) {
            s.accept(frame(i));          // a gap in the indices: 40-47
        }
        s.exclude();                     // an event
        for (long i = 50; i < 53; i++) {
            s.accept(frame(i));          // too short: dropped
        }
        List<Clip> clips = s.clips();
        assertEquals(List.of(0L, 10L, 40L), firstIndices(clips));
        assertEquals(List.of(10, 10, 8), clips.stream().map(c -> c.frames().size()).toList());
        assertEquals(28, s.framesKept());
        assertEquals(36, s.framesSeen());
        assertTrue(clips.stream().noneMatch(Clip::heldOut));
        assertEquals("cam-1000000-0", clips.get(0).id(), "named by camera, start time and first index");
    }

    @Test
    void aTailShorterThanTheDetectorsWarmUpIsNotTheClipHeldOut() {
        // 358 frames of a camera in clips of 150 with the motion detector (60 frames of warm-up, then one sequence of
        // 7): the 58-frame tail would have no object; the clip held out is a whole one.
        ClipSampler s = new ClipSampler("cam", 150, 60 + 7, 1000, 0.2, 1);
        for (long i = 0; i < 358; i++) {
            s.accept(frame(i));
        }
        List<Clip> clips = s.clips();
        assertEquals(List.of(150, 150), clips.stream().map(c -> c.frames().size()).toList());
        assertEquals(List.of(false, true), clips.stream().map(Clip::heldOut).toList());
    }

    @Test
    void clipsEndWhereTheSceneDoesNotContinue() {
        ClipSampler s = new ClipSampler("cam", 100, 3, 1000, 0, 1);
        for (long i = 0; i < 5; i++) {
            s.accept(frame(i).toBuilder().setEndOfSource(i == 4).setSource("a.mp4").build()); // a file ends
        }
        for (long i = 5; i < 10; i++) {
            s.accept(frame(i).toBuilder().setSource("b.mp4").build());                        // the next file
        }
        for (long i = 10; i < 15; i++) {
            s.accept(frame(i).toBuilder().setSource("rtsp://cam").build());                   // another source
        }
        for (long i = 15; i < 20; i++) {                                                       // a reconnect 10 s later
            s.accept(frame(i).toBuilder().setSource("rtsp://cam").setCaptureTimeMs(frame(i).getCaptureTimeMs()
                    + (i >= 17 ? 10_000 : 0)).build());
        }
        List<Clip> clips = s.clips();
        assertEquals(List.of(0L, 5L, 10L, 17L), firstIndices(clips));
        assertEquals(List.of(5, 5, 7, 3), clips.stream().map(c -> c.frames().size()).toList());
    }

    @Test
    void longFootageIsSampledUniformlyInBoundedMemoryAndRepeatably() {
        int[] counts = new int[100];
        List<Long> firstRun = null;
        for (long seed = 1; seed <= 200; seed++) {
            ClipSampler s = new ClipSampler("cam", 10, 7, 100, 0.2, seed);
            for (long i = 0; i < 1000; i++) {
                s.accept(frame(i));
            }
            List<Clip> clips = s.clips();
            assertEquals(10, clips.size(), "max frames / clip frames");
            assertEquals(100, s.framesKept());
            List<Long> starts = firstIndices(clips);
            assertEquals(starts.stream().sorted().toList(), starts, "in time order");
            assertEquals(List.of(false, false, false, false, false, false, false, false, true, true),
                    clips.stream().map(Clip::heldOut).toList(), "the latest 20% held out");
            starts.forEach(i -> counts[(int) (i / 10)]++);
            if (seed == 1) {
                firstRun = starts;
            }
        }
        ClipSampler again = new ClipSampler("cam", 10, 7, 100, 0.2, 1);
        for (long i = 0; i < 1000; i++) {
            again.accept(frame(i));
        }
        assertEquals(firstRun, firstIndices(again.clips()), "the same seed, the same sample");
        // Each of the 100 clips is kept with probability 0.1: 20 of 200 runs expected; early ones as often as late ones.
        int early = 0;
        int late = 0;
        for (int c = 0; c < 50; c++) {
            early += counts[c];
            late += counts[50 + c];
        }
        assertTrue(Math.abs(early - late) < 200, "early " + early + ", late " + late);
        for (int c : counts) {
            assertTrue(c > 2 && c < 50, "every clip has its chance: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ClipSampler("c", 5, 7, 100, 0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClipSampler("c", 10, 7, 5, 0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClipSampler("c", 10, 7, 100, 1.0, 1));
        ClipSampler one = new ClipSampler("c", 10, 7, 100, 0.5, 1);
        for (long i = 0; i < 10; i++) {
            one.accept(frame(i));
        }
        assertFalse(one.clips().get(0).heldOut(), "a single clip is trained on, not held out");
    }
}
