"""A real SMTP server for the end-to-end tests (aiosmtpd): every message it
receives is written to $E2E_MAIL_DIR as JSON (envelope, headers, decoded
text body and the raw message), for the tests to read."""
import asyncio
import email
import email.policy
import json
import os
import pathlib
import time

from aiosmtpd.controller import Controller

MAIL_DIR = pathlib.Path(os.environ["E2E_MAIL_DIR"])
PORT = int(os.environ.get("E2E_SMTP_PORT", "2525"))


class Save:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "body": body.get_content() if body else "",
            "raw": envelope.content.decode("utf-8", "replace"),
        }
        name = f"{time.time_ns()}.json"
        tmp = MAIL_DIR / (name + ".tmp")
        tmp.write_text(json.dumps(record))
        tmp.rename(MAIL_DIR / name)
        return "250 Message accepted for delivery"


async def main():
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    controller = Controller(Save(), hostname="127.0.0.1", port=PORT)
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{PORT}, writing to {MAIL_DIR}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
