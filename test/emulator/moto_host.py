"""Hosts moto's server for keysweep's emulator tests (test/emulator/moto-host.ts starts it).

Binds 127.0.0.1 on a free port, prints one JSON line {"ready": true, "port": N} on stdout, then
answers JSON commands, one a line on stdin, each with one JSON line on stdout ({"ok": ...} or
{"error": "..."}). End of stdin (the test stopped or died) stops the server and exits, so a crashed
test leaves no moto behind.

Commands reach moto's backend objects in this process, for what the AWS API cannot set:
  {"op": "backdate", "users": [{"userName", "createDate" (or null), "keys": [{"accessKeyId",
      "newAccessKeyId", "createDate", "lastUsedDate" (or null)}]}], "accountId" (optional)}
      Gives users and keys created through the API the account file's IDs and dates, in moto's
      default account or, for an organization's member account, in `accountId`.
  {"op": "sent_emails", "region": "us-east-1"}
      The messages SES accepted (moto keeps them in its backend).
  {"op": "stop"}

stdlib and moto only. Dates are ISO 8601 with a zone; moto keeps naive UTC datetimes.
"""

import json
import logging
import sys
from datetime import datetime, timezone

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import AccessKeyLastUsed, iam_backends
from moto.server import ThreadedMotoServer
from moto.ses.models import ses_backends

# The region and service a used key reports; moto's credential report prints "not_supported" for
# both whatever is set here.
LAST_USED_REGION = "us-east-1"
LAST_USED_SERVICE = "s3"


def naive_utc(text):
    """An ISO 8601 date with a zone as the naive UTC datetime moto's models hold."""
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None)


def iam_backend(account_id):
    # IAM is global: moto keys its backend by partition, not region.
    return iam_backends[account_id or DEFAULT_ACCOUNT_ID]["aws"]


def backdate(users, account_id=None):
    backend = iam_backend(account_id)
    for spec in users:
        user = backend.get_user(spec["userName"])
        if spec.get("createDate") is not None:
            user.create_date = naive_utc(spec["createDate"])
        for key_spec in spec["keys"]:
            key = user.get_access_key_by_id(key_spec["accessKeyId"])
            # The backend also indexes keys by ID (physical_resource_id is access_key_id).
            del backend.access_keys[key.access_key_id]
            key.access_key_id = key_spec["newAccessKeyId"]
            backend.access_keys[key.access_key_id] = key
            key.create_date = naive_utc(key_spec["createDate"])
            used = key_spec.get("lastUsedDate")
            key.last_used = (
                None
                if used is None
                else AccessKeyLastUsed(naive_utc(used), LAST_USED_SERVICE, LAST_USED_REGION)
            )
    return len(users)


def sent_emails(region):
    # moto keeps one body a message: the HTML part when there is one, else the text part.
    return [
        {
            "source": message.source,
            "subject": message.subject,
            "body": message.body,
            "destinations": message.destinations,
        }
        for message in ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages
    ]


def answer(command):
    op = command.get("op")
    if op == "backdate":
        return backdate(command["users"], command.get("accountId"))
    if op == "sent_emails":
        return sent_emails(command.get("region", "us-east-1"))
    raise ValueError(f"unknown op {op!r}")


def reply(payload):
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main():
    # werkzeug logs every request on stderr; the test keeps stderr for error messages only.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        reply({"ready": True, "port": server.get_host_and_port()[1]})
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                command = json.loads(line)
                if command.get("op") == "stop":
                    reply({"ok": True})
                    break
                reply({"ok": answer(command)})
            except Exception as error:  # one bad command must not take the server down
                reply({"error": f"{type(error).__name__}: {error}"})
    finally:
        server.stop()


if __name__ == "__main__":
    main()
