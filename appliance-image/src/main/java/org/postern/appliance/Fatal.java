// Fatal: an expected failure of a postern command (not running, already running, a parameter not
// set, a process that will not stop). Main prints it Postfix-style, without a stack trace, and
// exits 1: "postern/postern-script: fatal: the Postern mail system is not running".
package org.postern.appliance;

/** An error the operator can act on; its message is the whole story. */
final class Fatal extends Exception {
    Fatal(String message) {
        super(message, null, false, false);
    }
}
