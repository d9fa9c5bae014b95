package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.source.BadFrameException;
import io.vigil.ingest.source.FrameSource;
import io.vigil.ingest.source.SourceException;
import io.vigil.ingest.source.SourceFrame;
import io.vigil.proto.v1.Frame;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CameraRunnerTest {

    static final class ListSink implements FrameSink {
        final List<Frame> frames = new CopyOnWriteArrayList<>();
        final List<RejectedInput> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void publish(Frame frame) {
            frames.add(frame);
        }

        @Override
        public void reject(RejectedInput input) {
            rejected.add(input);
        }

        @Override
        public boolean flush() {
            return true;
        }
    }

    /** {@code count} frames; the frame at {@code badIndex} (if >= 0) is corrupt. */
    static FrameSource finite(int count, int badIndex) {
        return new FrameSource() {
            int i;

            @Override
            public Optional<SourceFrame> next() throws BadFrameException {
                if (i >= count) {
                    return Optional.empty();
                }
                int index = i++;
                if (index == badIndex) {
                    throw new BadFrameException(index, "corrupt frame " + index, new byte[] {9, 9}, null);
                }
                return Optional.of(new SourceFrame(index, 1000 + index, 8, 6, new byte[] {(byte) index}));
            }

            @Override
            public boolean isLive() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void finiteSourceIsPublishedInOrderWithItsLastFrameMarked() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-a", "test", () -> finite(5, -1), sink, 0, false);
        runner.run();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sink.frames.stream().map(Frame::getFrameIndex).toList());
        assertTrue(sink.frames.get(4).getEndOfSource());
        assertFalse(sink.frames.get(3).getEndOfSource());
        assertEquals("cam-a", sink.frames.get(0).getCameraId());
        assertEquals(8, sink.frames.get(0).getWidth());
        assertEquals(CameraState.FINISHED, runner.status().state());
        assertEquals(5, runner.status().framesPublished());
    }

    @Test
    void badFrameGoesToDeadLetterAndTheCameraContinues() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-b", "test", () -> finite(4, 2), sink, 0, false);
        runner.run();
        assertEquals(List.of(0L, 1L, 3L), sink.frames.stream().map(Frame::getFrameIndex).toList());
        assertEquals(1, sink.rejected.size());
        assertEquals(2, sink.rejected.get(0).frameIndex());
        assertEquals(2, sink.rejected.get(0).payload().length);
        assertEquals(1, runner.status().badFrames());
        assertEquals(CameraState.FINISHED, runner.status().state());
    }

    @Test
    void unopenableSourceFailsOnlyThisCamera() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-c", "missing", () -> {
            throw new SourceException("no such video file or image folder: /x");
        }, sink, 0, false);
        runner.run();
        assertEquals(CameraState.FAILED, runner.status().state());
        assertTrue(runner.status().lastError().contains("/x"));
        assertEquals(1, sink.rejected.size());
        assertTrue(sink.frames.isEmpty());
    }

    @Test
    void loopingReplaysWithIncreasingIndicesAndNoEndMarker() throws Exception {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-d", "test", () -> finite(3, -1), sink, 0, true);
        Thread t = new Thread(runner);
        t.start();
        while (sink.frames.size() < 10) {
            Thread.sleep(1);
        }
        runner.requestStop();
        t.interrupt();
        t.join(5000);
        List<Long> indices = sink.frames.stream().map(Frame::getFrameIndex).toList();
        for (int i = 0; i < indices.size(); i++) {
            assertEquals(i, indices.get(i));
        }
        assertTrue(sink.frames.stream().noneMatch(Frame::getEndOfSource));
        assertEquals(CameraState.STOPPED, runner.status().state());
    }

    @Test
    void fpsCapPacesPublishing() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-e", "test", () -> finite(6, -1), sink, 50, false);
        long start = System.nanoTime();
        runner.run();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        // 6 frames at 50 fps: the 6th is due 100 ms after the first.
        assertTrue(elapsedMs >= 95, "paced run took " + elapsedMs + " ms");
        assertEquals(6, sink.frames.size());
    }

    @Test
    void restartedFileContinuesAfterTheLastPublishedFrame() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-f", "test", () -> finite(6, -1), sink, 0, false,
                id -> Optional.of(new ResumePoint(3, "test", false)), true);
        runner.run();
        assertEquals(List.of(4L, 5L), sink.frames.stream().map(Frame::getFrameIndex).toList());
        assertTrue(sink.frames.get(1).getEndOfSource());
    }

    @Test
    void completedFileIsNotRepublished() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-g", "test", () -> finite(6, -1), sink, 0, false,
                id -> Optional.of(new ResumePoint(5, "test", true)), true);
        runner.run();
        assertTrue(sink.frames.isEmpty());
        assertEquals(CameraState.FINISHED, runner.status().state());
    }

    @Test
    void anotherSourceOnTheSameCameraGetsLaterIndices() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-h", "new-file", () -> finite(3, -1), sink, 0, false,
                id -> Optional.of(new ResumePoint(10, "old-file", true)), true);
        runner.run();
        assertEquals(List.of(11L, 12L, 13L), sink.frames.stream().map(Frame::getFrameIndex).toList());
    }

    @Test
    void unknownResumePointKeepsTheCameraFromStarting() {
        ListSink sink = new ListSink();
        CameraRunner runner = new CameraRunner("cam-i", "test", () -> finite(3, -1), sink, 0, false, id -> {
            throw new IllegalStateException("broker unreachable");
        }, true);
        runner.run();
        assertEquals(CameraState.FAILED, runner.status().state());
        assertTrue(runner.status().lastError().contains("broker unreachable"));
        assertTrue(sink.frames.isEmpty(), "publishing without knowing the last index could repeat indices");
    }
}
