# smtp_send.py: send one message with Python's smtplib (testkit's PythonSmtp); the message is read
# from stdin or --file as raw bytes. Prints the server's replies; exit 0 when accepted, 2 when the
# server refused (SMTP error printed as "SMTP-ERROR <code> <text>"), 3 on connection problems.
import argparse
import smtplib
import ssl
import sys

p = argparse.ArgumentParser(description="send one message with smtplib")
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--port", type=int, required=True)
p.add_argument("--helo", default="client.test")
p.add_argument("--from", dest="sender", default="sender@sender.test")
p.add_argument("--to", action="append", default=[], help="recipient (repeatable)")
p.add_argument("--file", help="message file (default: stdin)")
p.add_argument("--starttls", action="store_true", help="require STARTTLS (certificate not verified)")
p.add_argument("--user")
p.add_argument("--password")
p.add_argument("--smtputf8", action="store_true", help="send MAIL FROM with SMTPUTF8")
p.add_argument("--timeout", type=float, default=20.0)
p.add_argument("--debug", action="store_true", help="smtplib protocol trace on stderr")
a = p.parse_args()

data = open(a.file, "rb").read() if a.file else sys.stdin.buffer.read()
rcpts = a.to or ["user@example.test"]
try:
    with smtplib.SMTP(a.host, a.port, local_hostname=a.helo, timeout=a.timeout) as s:
        if a.debug:
            s.set_debuglevel(1)
        code, msg = s.ehlo()
        print("EHLO", code, msg.decode("utf-8", "replace").replace("\n", " | "))
        if a.starttls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            code, msg = s.starttls(context=ctx)
            print("STARTTLS", code, msg.decode("utf-8", "replace"))
            s.ehlo()
        if a.user is not None:
            code, msg = s.login(a.user, a.password or "")
            print("AUTH", code, msg.decode("utf-8", "replace"))
        opts = ["SMTPUTF8"] if a.smtputf8 else []
        refused = s.sendmail(a.sender, rcpts, data, mail_options=opts)
        for r, (code, msg) in refused.items():
            print("REFUSED", r, code, msg.decode("utf-8", "replace"))
        print("SENT", len(rcpts) - len(refused), "of", len(rcpts))
except smtplib.SMTPRecipientsRefused as e:
    for r, (code, msg) in e.recipients.items():
        print("SMTP-ERROR", code, r, msg.decode("utf-8", "replace"))
    sys.exit(2)
except smtplib.SMTPResponseException as e:
    err = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
    print("SMTP-ERROR", e.smtp_code, err)
    sys.exit(2)
except (OSError, smtplib.SMTPException) as e:
    print("CONNECTION-ERROR", type(e).__name__, e)
    sys.exit(3)
