package io.vigil.common.scoring;

/** An object's anomaly score in its box (frame pixels). */
public record ScoredBox(float x1, float y1, float x2, float y2, float score) {
}
