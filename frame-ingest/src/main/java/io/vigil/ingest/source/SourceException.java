package io.vigil.ingest.source;

/** A source that cannot be opened or read any further (missing file, unknown format, dropped stream). */
public class SourceException extends Exception {

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
