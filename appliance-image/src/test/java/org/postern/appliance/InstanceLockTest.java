// InstanceLockTest: master.lock admits one holder at a time and is free again once closed.
// (Two processes racing for it is covered by PosternCommandIT's "start twice".)
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceLockTest {
    @Test
    void oneHolderAtATime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("master.lock");
        Optional<InstanceLock> first = InstanceLock.tryAcquire(file);
        assertThat(first).isPresent();
        assertThat(InstanceLock.tryAcquire(file)).isEmpty();
        first.get().close();
        Optional<InstanceLock> again = InstanceLock.tryAcquire(file);
        assertThat(again).isPresent();
        again.get().close();
    }
}
