# queue_space.py: one SMTP session with python's smtplib for QueueMinfreeIT, driven by its arguments, which
# may also fill the queue file system in the middle of it. Prints "OP CODE TEXT" per operation; exit 0.
#   HOST PORT [--filler PATH] OP...   with OP one of
#   ehlo | mail | mail:SIZE | rcpt | data:BYTES | rset | noop | quit
#   mail-until:CODE   MAIL (RSET after a 250) every 0.1 s until the reply is CODE, at most 10 s
#   fill:LEAVE        append zeros to PATH until at most LEAVE bytes are free on its file system
#   unfill            remove PATH
import os
import smtplib
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
ops = sys.argv[3:]
filler = None
if ops and ops[0] == "--filler":
    filler, ops = ops[1], ops[2:]


def show(op, reply):
    code, text = reply
    print(op, code, text.decode("utf-8", "replace").replace("\n", " | "), flush=True)
    return code


def free_bytes(path):
    st = os.statvfs(os.path.dirname(path))
    return st.f_bavail * st.f_frsize


def message(size):
    head = b"From: <a@sender.test>\r\nTo: <u@example.test>\r\nSubject: queue space\r\n\r\n"
    line = b"x" * 76 + b"\r\n"
    body = line * max(1, (size - len(head)) // len(line))
    return head + body


s = smtplib.SMTP(host, port, timeout=60)
for op in ops:
    verb, _, arg = op.partition(":")
    if verb == "ehlo":
        show(op, s.ehlo("client.test"))
    elif verb == "mail":
        show(op, s.mail("a@sender.test", ["SIZE=" + arg] if arg else []))
    elif verb == "mail-until":
        deadline = time.monotonic() + 10
        while True:
            code, text = s.mail("a@sender.test")
            if code == int(arg) or time.monotonic() > deadline:
                show(op, (code, text))
                break
            if code == 250:
                s.rset()
            time.sleep(0.1)
    elif verb == "rcpt":
        show(op, s.rcpt("u@example.test"))
    elif verb == "data":
        try:
            show(op, s.data(message(int(arg))))
        except smtplib.SMTPDataError as e:
            show(op, (e.smtp_code, e.smtp_error))
    elif verb == "rset":
        show(op, s.rset())
    elif verb == "noop":
        show(op, s.noop())
    elif verb == "quit":
        show(op, s.quit())
        break
    elif verb == "fill":
        leave = int(arg)
        with open(filler, "ab") as f:
            try:
                while free_bytes(filler) > leave:
                    f.write(b"\0" * min(65536, free_bytes(filler) - leave))
                    f.flush()
            except OSError:
                pass  # the file system is full
        print(op, "free", free_bytes(filler), flush=True)
    elif verb == "unfill":
        os.remove(filler)
        print(op, "free", free_bytes(filler), flush=True)
    else:
        sys.exit("unknown operation " + op)
