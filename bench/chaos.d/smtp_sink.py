#!/usr/bin/env python3
"""A minimal SMTP sink for bench/chaos (standard library only; smtpd is gone in Python 3.12).

It speaks just enough SMTP for lettre without TLS or AUTH: EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT. Every message is stored as one file in --out before the final 250 is sent, written
to a temporary name, fsynced and renamed, so a file that exists is a message the sink has
accepted. Messages are never rejected.

--hold FLAG: while the file FLAG exists, the sink stores each message and then does not answer
its final "." until FLAG is removed (at most 120 s). Before waiting it creates FLAG + ".held".
bench/chaos uses this to kill the server while a message has been received but not yet
acknowledged: the at-least-once window of the outbox.

Usage: smtp_sink.py --port P --out DIR [--hold FLAG] [--ready FILE]
"""

import argparse
import asyncio
import json
import os
import signal
import time
import uuid

HOLD_LIMIT_S = 120.0


class Sink:
    def __init__(self, out, hold):
        self.out = out
        self.hold = hold
        os.makedirs(out, exist_ok=True)

    def store(self, mail_from, rcpts, data):
        name = "%.6f-%s" % (time.time(), uuid.uuid4().hex)
        tmp = os.path.join(self.out, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        meta = {"mail_from": mail_from, "rcpts": rcpts, "received_at": time.time()}
        with open(os.path.join(self.out, "." + name + ".json.tmp"), "w") as f:
            json.dump(meta, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(os.path.join(self.out, "." + name + ".json.tmp"),
                  os.path.join(self.out, name + ".json"))
        os.rename(tmp, os.path.join(self.out, name + ".eml"))
        return name

    async def handle(self, reader, writer):
        def send(line):
            writer.write(line.encode("ascii") + b"\r\n")

        try:
            send("220 chaos-sink ESMTP ready")
            await writer.drain()
            mail_from, rcpts = None, []
            while True:
                line = await asyncio.wait_for(reader.readline(), timeout=60)
                if not line:
                    return
                command = line.decode("utf-8", "replace").strip()
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    send("250-chaos-sink")
                    send("250-8BITMIME")
                    send("250 SMTPUTF8")
                elif verb == "HELO":
                    send("250 chaos-sink")
                elif verb == "MAIL":
                    mail_from, rcpts = command[10:].strip(), []
                    send("250 2.1.0 OK")
                elif verb == "RCPT":
                    rcpts.append(command[8:].strip())
                    send("250 2.1.5 OK")
                elif verb == "DATA":
                    if mail_from is None or not rcpts:
                        send("503 5.5.1 MAIL and RCPT first")
                        await writer.drain()
                        continue
                    send("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    chunks = []
                    while True:
                        data_line = await asyncio.wait_for(reader.readline(), timeout=60)
                        if not data_line:
                            return  # the client went away mid-DATA: nothing was accepted
                        if data_line in (b".\r\n", b".\n"):
                            break
                        if data_line.startswith(b"."):
                            data_line = data_line[1:]
                        chunks.append(data_line)
                    name = self.store(mail_from, rcpts, b"".join(chunks))
                    if self.hold and os.path.exists(self.hold):
                        with open(self.hold + ".held", "a") as f:
                            f.write(name + "\n")
                        deadline = time.monotonic() + HOLD_LIMIT_S
                        while os.path.exists(self.hold) and time.monotonic() < deadline:
                            await asyncio.sleep(0.05)
                    send("250 2.0.0 OK queued as " + name)
                    mail_from, rcpts = None, []
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    send("250 2.0.0 OK")
                elif verb == "NOOP":
                    send("250 2.0.0 OK")
                elif verb == "QUIT":
                    send("221 2.0.0 bye")
                    await writer.drain()
                    return
                else:
                    send("502 5.5.2 command not implemented")
                await writer.drain()
        except (asyncio.TimeoutError, ConnectionError, OSError):
            return
        finally:
            try:
                writer.close()
            except Exception:
                pass


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--hold")
    parser.add_argument("--ready")
    args = parser.parse_args()
    sink = Sink(args.out, args.hold)
    server = await asyncio.start_server(sink.handle, "127.0.0.1", args.port, reuse_address=True)
    if args.ready:
        with open(args.ready, "w") as f:
            f.write(str(os.getpid()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
