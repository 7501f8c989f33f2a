// AttachmentPolicy: the frozen attachment rules of the vscan stage's "attachments" filter, read
// once per configuration load from vscan_banned_extensions, vscan_banned_file_maps, vscan_banned_types,
// vscan_ban_encrypted_archives, vscan_archive_nesting_limit and vscan_archive_size_limit.
package org.postern.filters.mime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.Tables;

/**
 * Immutable; safe to share between threads.
 *
 * @param bannedExtensions     extensions without the dot, lower case ("exe", "js")
 * @param bannedTypes          MIME types, lower case, banned when declared or sniffed
 * @param fileMaps             tables asked first for each file name: REJECT [text] bans, OK allows
 * @param banEncryptedArchives whether an encrypted zip entry bans the message
 * @param archiveNestingLimit  archives inside an attachment's archive that are opened (0: none)
 * @param archiveSizeLimit     uncompressed bytes read from one attachment's archives, nested ones included
 */
public record AttachmentPolicy(Set<String> bannedExtensions, Set<String> bannedTypes, List<LookupTable> fileMaps,
                               boolean banEncryptedArchives, int archiveNestingLimit, long archiveSizeLimit) {

    /** Nesting beyond this is never opened, whatever vscan_archive_nesting_limit says (bounds the stack). */
    static final int MAX_NESTING = 32;

    public AttachmentPolicy {
        bannedExtensions = normalize(bannedExtensions, true);
        bannedTypes = normalize(bannedTypes, false);
        fileMaps = List.copyOf(fileMaps);
        if (archiveNestingLimit < 0) throw new IllegalArgumentException("archiveNestingLimit < 0");
        if (archiveSizeLimit < 0) throw new IllegalArgumentException("archiveSizeLimit < 0");
        archiveNestingLimit = Math.min(archiveNestingLimit, MAX_NESTING);
    }

    /**
     * The policy of a configuration; opens the vscan_banned_file_maps tables through {@code tables}.
     * Blocking (reads table files): call it where the configuration snapshot is built, on a worker.
     *
     * @throws ConfigException a table that cannot be opened, naming its main.cf line or file:line
     */
    public static AttachmentPolicy fromConfig(Config config, Tables tables) throws ConfigException {
        List<LookupTable> maps = new ArrayList<>();
        for (String spec : config.getList("vscan_banned_file_maps")) {
            maps.add(tables.open(spec, config.originOf("vscan_banned_file_maps")));
        }
        // Config accepts only non-negative decimal numbers for both limits.
        return new AttachmentPolicy(Set.copyOf(config.getList("vscan_banned_extensions")),
                Set.copyOf(config.getList("vscan_banned_types")), maps, config.getBool("vscan_ban_encrypted_archives"),
                config.getInt("vscan_archive_nesting_limit"), config.getLong("vscan_archive_size_limit"));
    }

    /** Lower case; extensions lose a leading dot (".exe" and "exe" mean the same). */
    private static Set<String> normalize(Set<String> in, boolean extension) {
        Objects.requireNonNull(in);
        Set<String> out = new LinkedHashSet<>();
        for (String s : in) {
            String v = s.strip().toLowerCase(Locale.ROOT);
            if (extension) while (v.startsWith(".")) v = v.substring(1);
            if (!v.isEmpty()) out.add(v);
        }
        return Set.copyOf(out);
    }
}
