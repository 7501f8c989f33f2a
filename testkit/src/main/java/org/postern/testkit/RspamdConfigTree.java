// RspamdConfigTree: the files and command line the testkit's Rspamd runs from -- a main rspamd.conf over
// Debian's /etc/rspamd rules with one normal worker, override.d switches that keep rspamd off DNS and the
// network, a test's local.d files, and the shared hyperscan cache. Test support only.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Package-private engine under {@link Rspamd}; see its class comment for what is switched off and why. */
final class RspamdConfigTree {
    /** Debian's stock configuration, included, never changed. */
    static final String CONFDIR = "/etc/rspamd";

    /**
     * Switched off with {@code enabled = false} in override.d. DNS: rbl (with the surbl and emails rules
     * rspamd converts into it), emails, asn, spf, dmarc, dkim, arc, dkim_signing (needs dkim),
     * once_received (PTR lookup when Hostname is absent), mx_check. HTTP maps or network feeds:
     * fuzzy_check, phishing, multimap, mime_types, mid, whitelist, rspamd_update, dcc. Redis only
     * (none here): neural, reputation, greylist, ratelimit, replies, history_redis, url_redirector.
     */
    static final List<String> DISABLED_MODULES = List.of("rbl", "emails", "asn", "spf", "dmarc", "dkim", "arc",
            "dkim_signing", "once_received", "mx_check", "fuzzy_check", "phishing", "multimap", "mime_types", "mid",
            "whitelist", "rspamd_update", "dcc", "neural", "reputation", "greylist", "ratelimit", "replies",
            "history_redis", "url_redirector");

    private RspamdConfigTree() {}

    /** rspamd in the foreground on {@code dir}'s tree; as root it drops to _rspamd (or runs --insecure). */
    static List<String> command(Path exe, Path dir) {
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-f", "-c", dir.resolve("rspamd.conf").toString(),
                "--var=CONFDIR=" + CONFDIR, "--var=LOCAL_CONFDIR=" + dir, "--var=DBDIR=" + dir.resolve("db"),
                "--var=RUNDIR=" + dir.resolve("run"), "--var=LOGDIR=" + dir.resolve("log")));
        if (SharedDirs.isRoot()) {
            if (systemUserExists("_rspamd")) cmd.addAll(List.of("-u", "_rspamd", "-g", "_rspamd"));
            else cmd.add("--insecure");
        }
        return cmd;
    }

    /**
     * {@code requested}, or a directory below java.io.tmpdir shared by every Rspamd of this user (rspamd
     * writes its cache files atomically: temporary name, then rename), or {@code dir}/db when that one
     * is not writable.
     */
    /** The normal worker's UNIX socket (it listens there as well as on TCP). */
    static Path socket(Path dir) {
        return dir.resolve("run/normal.sock");
    }

    static Path cacheDir(Path requested, Path dir) {
        if (requested != null) {
            SharedDirs.prepareSharedDir(requested);
            return requested;
        }
        String who = SharedDirs.isRoot() ? "" : "-" + System.getProperty("user.name");
        Path shared = Path.of(System.getProperty("java.io.tmpdir"), "postern-rspamd-hs-cache" + who);
        try {
            Files.createDirectories(shared);
            // as root, rspamd's hs_helper writes here as _rspamd
            if (SharedDirs.isRoot()) Files.setPosixFilePermissions(shared, EnumSet.allOf(PosixFilePermission.class));
            if (Files.isWritable(shared)) return shared;
        } catch (IOException | UnsupportedOperationException e) {
            // fall back to a private cache: slower starts, same results
        }
        return dir.resolve("db");
    }

    /** Writes rspamd.conf, override.d/ (this class's switches, then {@code override}) and local.d/. */
    static void write(Path dir, int port, Path cache, Map<String, String> local, Map<String, String> override) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("options.inc", String.join("\n",
                "# C modules: no dkim (DNS key lookups), no fuzzy_check (UDP to rspamd.com)",
                "filters = \"chartable,regexp\";",
                "hs_cache_dir = \"" + cache + "/\";",
                "map_watch_interval = 1d;",
                "dns {",
                "  nameserver = [\"127.0.0.1:" + closedUdpPort() + "\"];",
                "  timeout = 0.1s;",
                "  retransmits = 1;",
                "  sockets = 1;",
                "}", ""));
        for (String m : DISABLED_MODULES) overrides.put(m + ".conf", "enabled = false;\n");
        // HELO, MAIL FROM, URL and Message-ID host checks resolve names; hostname and recipient checks do not
        overrides.put("hfilter.conf", String.join("\n", "helo_enabled = false;", "from_enabled = false;",
                "url_enabled = false;", "mid_enabled = false;", "hostname_enabled = true;", "rcpt_enabled = true;", ""));
        overrides.putAll(override);
        String main = String.join("\n",
                "# Written by org.postern.testkit.Rspamd: Debian's rules and scores, own workers, no network.",
                ".include \"$CONFDIR/common.conf\"",
                "options {",
                "    pidfile = \"$RUNDIR/rspamd.pid\";",
                "    .include \"$CONFDIR/options.inc\"",
                "    .include(try=true; priority=1,duplicate=merge) \"$LOCAL_CONFDIR/local.d/options.inc\"",
                "    .include(try=true; priority=10) \"$LOCAL_CONFDIR/override.d/options.inc\"",
                "}",
                "logging {",
                "    type = \"file\";",
                "    filename = \"$LOGDIR/rspamd.log\";",
                "    .include \"$CONFDIR/logging.inc\"",
                "    .include(try=true; priority=1,duplicate=merge) \"$LOCAL_CONFDIR/local.d/logging.inc\"",
                "}",
                "# no controller, proxy or fuzzy worker",
                "worker \"normal\" {",
                "    bind_socket = \"127.0.0.1:" + port + "\";",
                "    bind_socket = \"" + socket(dir) + " mode=0666\";",
                "    .include \"$CONFDIR/worker-normal.inc\"",
                "    count = 1;",
                "}", "");
        try {
            for (String sub : List.of("local.d", "override.d", "db", "run", "log")) {
                SharedDirs.prepareSharedDir(dir.resolve(sub));
            }
            Files.writeString(dir.resolve("rspamd.conf"), main);
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                Files.writeString(dir.resolve("override.d").resolve(e.getKey()), e.getValue());
            }
            for (Map.Entry<String, String> e : local.entrySet()) {
                Files.writeString(dir.resolve("local.d").resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write rspamd's config below " + dir, e);
        }
    }

    /** A loopback UDP port nothing listens on (bound, then closed): lookups fail instead of waiting. */
    private static int closedUdpPort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot bind a UDP socket on 127.0.0.1", e);
        }
    }

    private static boolean systemUserExists(String user) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
        } catch (IOException e) {
            return false;
        }
    }
}
