// SourceFile: one file a lookup table was read from, with the size and modification time seen at
// load -- what `postern reload` compares to decide whether the policy files changed on disk.
// Tables.sources() lists them for one configuration load.
package org.postern.policies.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/** A table source file as it was when read. */
public record SourceFile(Path path, FileTime lastModified, long size) {
    public SourceFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(lastModified, "lastModified");
    }

    /** Stats {@code path} now. Blocking (file system): call from a worker thread. */
    public static SourceFile of(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return new SourceFile(path, a.lastModifiedTime(), a.size());
    }

    /**
     * True when the file on disk is no longer the one that was read: another size or modification
     * time, or gone. Blocking (file system): call from a worker thread.
     */
    public boolean changedOnDisk() throws IOException {
        try {
            SourceFile now = of(path);
            return now.size != size || !now.lastModified.equals(lastModified);
        } catch (NoSuchFileException e) {
            return true;
        }
    }
}
