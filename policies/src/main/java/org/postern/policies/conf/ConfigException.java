// ConfigException: STUB; owned by the policies helper.
package org.postern.policies.conf;

public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
