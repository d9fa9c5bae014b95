package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CuesTest {

    @Test
    void theCauseIsTheCueWithTheLargestShareOfThePositiveSurprises() {
        Cues.Explanation why = Cues.explain(Map.of("arrow_of_time", 0.5f, "irregularity", -0.4f, "distillation", 1f,
                "speed", 2.5f));
        assertEquals("speed", why.cause());
        assertEquals(Map.of("arrow_of_time", 0.125f, "irregularity", 0f, "distillation", 0.25f, "speed", 0.625f), why.shares());
        assertEquals("unusually fast (speed 63 %, appearance 25 %, arrow of time 13 %, motion 0 %)", why.words());
        assertEquals("moves as if played backwards", Cues.describe("arrow_of_time"));
    }

    @Test
    void nothingSurprisingHasNoCause() {
        assertEquals(Cues.Explanation.NONE, Cues.explain(Map.of("speed", 0f, "distillation", -1f)));
        assertEquals(Cues.Explanation.NONE, Cues.explain(Map.of()));
        assertEquals("", Cues.Explanation.NONE.words());
        assertEquals("speed", Cues.explain(Map.of("speed", 1f, "distillation", Float.NaN)).cause(), "NaN adds nothing");
    }
}
