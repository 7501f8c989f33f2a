// VscanParameters: the main.cf parameters of the content-filter stage between the two instances
// (org.postern.gateway.vscan, org.postern.filters.*) and of the quarantine store. Postern's own
// names (Postfix has no such stage); registered into Parameters at class load.
package org.postern.policies.conf;

import static org.postern.policies.conf.Parameter.Type.BOOL;
import static org.postern.policies.conf.Parameter.Type.INT;
import static org.postern.policies.conf.Parameter.Type.LIST;
import static org.postern.policies.conf.Parameter.Type.LONG;
import static org.postern.policies.conf.Parameter.Type.STRING;

import java.time.temporal.ChronoUnit;

final class VscanParameters {
    /** The actions a verdict class may map to. */
    static final String[] ACTIONS = {"deliver", "tag", "quarantine", "discard", "reject"};

    private VscanParameters() {}

    static void declare() {
        Parameters.choice("vscan_mode", "after-queue", "how a listener's mail is scanned: after-queue (incoming -> "
                        + "vscan -> active), before-queue (at end of DATA, 550 for a rejecting verdict), content-filter "
                        + "(scan, then reinject by SMTP to vscan_content_filter_nexthop), none (reinjection: straight to active)",
                "after-queue", "before-queue", "content-filter", "none");
        Parameters.time("vscan_before_queue_time_limit", "30s", ChronoUnit.SECONDS,
                "scan time budget at end of DATA in before-queue mode; a slower scan continues after-queue");
        Parameters.define("vscan_content_filter_nexthop", STRING, "[127.0.0.1]:10025",
                "where a content-filter listener reinjects scanned mail (smtp next hop)");
        Parameters.define("vscan_concurrency", INT, "16", "messages scanned at the same time");

        // Scanners.
        Parameters.define("vscan_clamd_address", STRING, "",
                "clamd to scan with: unix:/path or inet:host:port (empty: no antivirus)");
        Parameters.time("vscan_clamd_timeout", "60s", ChronoUnit.SECONDS, "time limit for one clamd scan");
        Parameters.time("vscan_clamd_connection_cache_time_limit", "10s", ChronoUnit.SECONDS,
                "how long an idle clamd session (IDSESSION) is kept for the next message up to 128 KB; 0: connect per message");
        Parameters.define("vscan_clamd_fail_open", BOOL, "no",
                "pass mail unscanned by clamd while it is down (no: keep it queued and retry)");
        Parameters.define("vscan_rspamd_url", STRING, "",
                "rspamd normal worker to ask, e.g. http://127.0.0.1:11333 or unix:/run/rspamd/normal.sock (empty: no spam filter)");
        Parameters.time("vscan_rspamd_timeout", "60s", ChronoUnit.SECONDS, "time limit for one rspamd check");
        Parameters.define("vscan_rspamd_fail_open", BOOL, "no",
                "pass mail unchecked by rspamd while it is down (no: keep it queued and retry)");
        Parameters.define("vscan_rspamd_password", STRING, "", "Password header sent to rspamd (empty: none)");
        Parameters.define("vscan_attachment_checks", BOOL, "yes", "check attachment names, types and archives");
        Parameters.define("vscan_banned_extensions", LIST,
                "ade adp app application appref-ms bas bat chm cmd com cpl diagcab exe gadget hta inf ins isp jar "
                        + "js jse lib lnk mde msc msh msh1 msh2 mshxml msi msp mst pif ps1 ps2 reg scf scr sct shb shs "
                        + "sys vb vbe vbs vxd wsc wsf wsh xll",
                "file name extensions (also as the last of several, invoice.pdf.exe) that ban a message");
        Parameters.define("vscan_banned_file_maps", LIST, "",
                "tables of attachment file name to REJECT text (banned) or OK (allowed), e.g. regexp:");
        Parameters.define("vscan_banned_types", LIST, "application/x-dosexec application/x-msdownload",
                "MIME types, declared or sniffed from the content, that ban a message");
        Parameters.define("vscan_ban_encrypted_archives", BOOL, "yes", "ban password-protected archives");
        Parameters.define("vscan_archive_nesting_limit", INT, "3", "archives inside archives opened for names");
        Parameters.define("vscan_archive_size_limit", LONG, "52428800",
                "uncompressed bytes read from one archive; beyond it the message is unscannable");

        // Verdict -> action.
        Parameters.choice("vscan_infected_action", "quarantine", "action for mail clamd finds infected", ACTIONS);
        Parameters.choice("vscan_unscannable_action", "quarantine",
                "action for mail a scanner cannot scan (size or archive limits)", ACTIONS);
        Parameters.choice("vscan_banned_action", "quarantine", "action for mail with a banned attachment", ACTIONS);
        Parameters.choice("vscan_spam_action", "quarantine",
                "action for spam: rspamd action reject, or score >= vscan_spam_kill_score", ACTIONS);
        Parameters.choice("vscan_probable_spam_action", "tag",
                "action for probable spam: rspamd add header or rewrite subject, or score >= vscan_spam_tag_score",
                ACTIONS);
        Parameters.choice("vscan_clean_action", "deliver", "action for everything else", ACTIONS);
        Parameters.define("vscan_spam_tag_score", STRING, "",
                "score from which mail is probable spam (empty: rspamd's add header/rewrite subject action decides)");
        Parameters.define("vscan_spam_kill_score", STRING, "",
                "score from which mail is spam (empty: rspamd's reject action decides)");
        Parameters.define("vscan_spam_subject_tag", STRING, "[SPAM] ", "text put before the Subject of tagged spam");
        Parameters.define("vscan_policy_maps", LIST, "",
                "tables of recipient, domain or parent domain to class=action overrides, e.g. spam=tag banned=deliver");

        // Notices.
        Parameters.define("vscan_admin_notify_recipient", STRING, "postmaster",
                "recipient of notices about infected (and vscan_admin_notify_classes) mail; empty: none");
        Parameters.define("vscan_admin_notify_classes", LIST, "infected", "verdict classes the admin is told about");
        Parameters.define("vscan_recipient_notify", BOOL, "no", "tell recipients about mail quarantined for them");
        Parameters.time("vscan_retry_time", "60s", ChronoUnit.SECONDS,
                "first wait before a message a scanner could not scan is tried again (doubles up to 15 minutes, or up to itself when longer)");
        Parameters.time("vscan_outage_notify_time", "1h", ChronoUnit.HOURS,
                "a scanner down this long is reported to error_notice_recipient");

        // Quarantine (org.postern.quarantine.store).
        Parameters.define("quarantine_directory", STRING, "$queue_directory/quarantine", "where quarantined messages are kept");
        Parameters.define("quarantine_database", STRING, "$data_directory/quarantine.db", "SQLite index of the quarantine");
        Parameters.time("quarantine_lifetime", "30d", ChronoUnit.DAYS, "quarantined mail older than this is purged");
    }
}
