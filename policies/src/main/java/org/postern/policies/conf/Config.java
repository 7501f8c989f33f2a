// Config: STUB of the frozen snapshot of main.cf + master.cf; owned by the policies helper.
package org.postern.policies.conf;

import java.nio.file.Path;

public final class Config {
    private Config() {}

    public static Config load(Path configDir) throws ConfigException {
        throw new UnsupportedOperationException("not built yet");
    }
}
