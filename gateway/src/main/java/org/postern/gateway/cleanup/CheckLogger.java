// CheckLogger: writes the mail-log lines of header/body checks as they fire while a message streams
// in, in Postfix's cleanup wording ("QUEUEID: reject: header Subject: ... from host[ip]; from=<>
// to=<> proto=ESMTP helo=<>: 5.7.1 text"), each naming the table file:line through CheckResult.
package org.postern.gateway.cleanup;

import org.postern.policies.checks.CheckListener;
import org.postern.policies.checks.CheckLog;
import org.postern.policies.checks.CheckResult;
import org.postern.policies.checks.MimeError;
import org.postern.policies.table.TableLookupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class CheckLogger implements CheckListener {
    private static final Logger LOG = LoggerFactory.getLogger("postern.cleanup");
    private final CheckLog.Context context;

    public CheckLogger(CheckLog.Context context) {
        this.context = context;
    }

    @Override
    public void matched(CheckResult r) {
        if (r.logged()) LOG.info("{} (rule {})", CheckLog.line(r, context), r.origin());
        if (r.problem() != null) LOG.warn(r.problem());
    }

    @Override
    public void mimeError(MimeError error, String text) {
        LOG.info(CheckLog.mimeError(error, text, context));
    }

    @Override
    public void lookupFailed(String checks, TableLookupException cause) {
        LOG.warn("{}: {}", CheckLog.lookupProblem(context.queueId(), checks), cause.getMessage());
    }
}
