package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.ingest.ResumePoint.Plan;
import org.junit.jupiter.api.Test;

class ResumePointTest {

    @Test
    void unfinishedFileContinuesAfterItsLastPublishedFrame() {
        assertEquals(new Plan(0, 41, false), new ResumePoint(41, "/v/01", false).plan(false, true, false, true));
    }

    @Test
    void completeFileIsNotPublishedAgain() {
        assertEquals(new Plan(0, -1, true), new ResumePoint(179, "/v/01", true).plan(false, true, false, true));
    }

    @Test
    void everythingElseContinuesTheIndicesAfterTheLastFrame() {
        ResumePoint r = new ResumePoint(99, "/v/01", true);
        assertEquals(new Plan(100, -1, false), r.plan(true, true, false, true), "live");
        assertEquals(new Plan(100, -1, false), r.plan(false, false, false, true), "another file");
        assertEquals(new Plan(100, -1, false), r.plan(false, true, true, true), "looping");
        assertEquals(new Plan(100, -1, false), r.plan(false, true, false, false), "resume switched off");
    }
}
