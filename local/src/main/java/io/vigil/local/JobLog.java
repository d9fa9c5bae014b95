package io.vigil.local;

/** The main job's own lines on standard output, told apart from the flow print-out by their prefix. */
final class JobLog {

    static void say(String message) {
        System.out.println("vigil-local: " + message);
        System.out.flush();
    }

    private JobLog() {
    }
}
