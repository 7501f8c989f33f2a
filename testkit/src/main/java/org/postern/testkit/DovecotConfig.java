// DovecotConfig: what DovecotLmtp writes for its throwaway Dovecot -- the self-contained dovecot.conf,
// the passwd-file lines of the mail users (with per-user quota rules) and which system users run it
// (root: Dovecot's own users, mail owned by an unprivileged one). Test support only.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pure text and lookups of /etc/passwd; no process is started here. */
final class DovecotConfig {
    private DovecotConfig() {}

    /**
     * The whole dovecot.conf: nothing from /etc/dovecot is included. Paths are quoted-free (temp dirs
     * have no spaces). Mail users come from {@code passwd} (passdb and userdb passwd-file).
     */
    static String render(Path dir, int port, MailOwner owner, boolean verbose) {
        StringBuilder c = new StringBuilder();
        c.append("# written by org.postern.testkit.DovecotLmtp\n")
                .append("base_dir = ").append(dir.resolve("base")).append('\n')
                .append("state_dir = ").append(dir.resolve("state")).append('\n')
                .append("instance_name = postern-test-").append(port).append('\n')
                .append("log_path = ").append(dir.resolve("dovecot.log")).append('\n')
                .append("protocols = lmtp\n")
                .append("ssl = no\n")
                .append("hostname = ").append(DovecotLmtp.HOSTNAME).append('\n')
                .append("default_internal_user = ").append(owner.internalUser()).append('\n')
                .append("default_internal_group = ").append(owner.internalGroup()).append('\n')
                .append("default_login_user = ").append(owner.loginUser()).append('\n')
                .append("first_valid_uid = 1\nfirst_valid_gid = 1\n")
                .append("auth_username_format = %Lu\n")
                .append("mail_location = maildir:~/Maildir\n")
                .append("lmtp_save_to_detail_mailbox = no\n")
                .append("mail_plugins = quota\n")
                .append("plugin {\n  quota = maildir:User quota\n}\n")
                .append("passdb {\n  driver = passwd-file\n  args = ").append(dir.resolve("passwd")).append("\n}\n")
                .append("userdb {\n  driver = passwd-file\n  args = ").append(dir.resolve("passwd")).append("\n}\n")
                .append("service lmtp {\n")
                .append("  inet_listener lmtp {\n    address = 127.0.0.1\n    port = ").append(port).append("\n  }\n")
                .append("  unix_listener lmtp {\n    mode = 0666\n  }\n}\n");
        if (!owner.root()) c.append("service anvil {\n  chroot =\n}\n"); // chroot needs root
        if (verbose) c.append("auth_verbose = yes\nauth_debug = yes\nmail_debug = yes\n");
        return c.toString();
    }

    static String quotaRule(long bytes) {
        return "*:storage=" + bytes + "B";
    }

    /** user:password:uid:gid:gecos:home:shell:extra -- the quota fields override settings for this user only. */
    static String passwdLine(String user, MailOwner owner, Path home, Long quotaBytes, boolean tempfail) {
        String extra = "";
        if (quotaBytes != null) extra = "userdb_quota_rule=" + quotaRule(quotaBytes);
        if (tempfail) extra += " userdb_quota_full_tempfail=yes";
        return user + ":{PLAIN}unused:" + owner.uid() + ":" + owner.gid() + "::" + home + "::" + extra.strip() + "\n";
    }

    /**
     * Who Dovecot's services and the Maildirs belong to. As root: services as dovecot/dovenull (Debian's
     * package users; else the testkit's unprivileged user), mail as that unprivileged user (postfix or
     * nobody) since Dovecot delivers as the userdb uid. Otherwise all of it is the current user.
     */
    record MailOwner(boolean root, String internalUser, String internalGroup, String loginUser, int uid, int gid) {
        static MailOwner forThisProcess() {
            Map<String, String[]> passwd = readPasswd();
            if (SharedDirs.isRoot()) {
                String[] mail = passwd.get(SharedDirs.unprivilegedUser());
                if (mail == null) throw new IllegalStateException("no user " + SharedDirs.unprivilegedUser() + " in /etc/passwd");
                String internal = passwd.containsKey("dovecot") ? "dovecot" : SharedDirs.unprivilegedUser();
                String login = passwd.containsKey("dovenull") ? "dovenull" : SharedDirs.unprivilegedUser();
                String group = groupName(Integer.parseInt(passwd.get(internal)[3]), internal);
                return new MailOwner(true, internal, group, login, Integer.parseInt(mail[2]), Integer.parseInt(mail[3]));
            }
            try {
                int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
                String me = System.getProperty("user.name");
                return new MailOwner(false, me, groupName(gid, me), me, uid, gid);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the current uid", e);
            }
        }

        /** As root, hands {@code p} to the mail uid (Dovecot creates the Maildir below it). */
        void chown(Path p) throws IOException {
            if (!root) return;
            Files.setAttribute(p, "unix:uid", uid);
            Files.setAttribute(p, "unix:gid", gid);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }

        /** As root, every parent of {@code dir} must be searchable by others, or the mail uid cannot reach the homes. */
        void checkReachable(Path dir) throws IOException {
            if (!root) return;
            for (Path p = dir.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException(p + " is not searchable by others, so Dovecot's mail uid " + uid
                            + " cannot reach " + dir + "; point java.io.tmpdir at a directory like /tmp");
                }
            }
        }

        private static Map<String, String[]> readPasswd() {
            Map<String, String[]> out = new LinkedHashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                    String[] f = line.split(":", -1);
                    if (f.length >= 7) out.putIfAbsent(f[0], f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /etc/passwd", e);
            }
            return out;
        }

        /** The name of group {@code gid} from /etc/group, else {@code fallback}. */
        private static String groupName(int gid, String fallback) {
            try {
                for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                    String[] f = line.split(":", -1);
                    if (f.length >= 3 && f[2].equals(Integer.toString(gid))) return f[0];
                }
            } catch (IOException ignored) {
                // fall through
            }
            return fallback;
        }
    }
}
