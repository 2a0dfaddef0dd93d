#!/usr/bin/env python3
"""Writes the manifests to submit to Procore from the templates in manifests/.

The templates name our deployment and support address by reserved placeholders
(https://central.smartapp.invalid, support@smartapp.invalid: the server's defaults, see
server/src/config/contacts.rs). This replaces them with the same configuration the server
reads — PUBLIC_BASE_URL and SUPPORT_EMAIL — and refuses to write a manifest that would
still name a placeholder.

    PUBLIC_BASE_URL=https://central.example.com SUPPORT_EMAIL=help@example.com \
        python3 scripts/manifests.py [OUT_DIR]      # default: target/manifests
"""
import json
import os
import pathlib
import re
import sys
from urllib.parse import urlparse

HOST = "https://central.smartapp.invalid"
EMAIL = "support@smartapp.invalid"
EMAIL_SHAPE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def fail(message: str) -> None:
    print(f"manifests: {message}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "target" / "manifests"
    base = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    email = os.environ.get("SUPPORT_EMAIL", "").strip()
    parsed = urlparse(base)
    if parsed.scheme != "https" or not parsed.hostname or parsed.path not in ("", "/"):
        fail("PUBLIC_BASE_URL must be the https origin Procore frames, e.g. https://central.example.com")
    if parsed.hostname.endswith((".invalid", ".example", "localhost")):
        fail(f"PUBLIC_BASE_URL {base} is a placeholder or local host, not one Procore can reach")
    if not EMAIL_SHAPE.match(email) or email.endswith((".invalid", ".example")):
        fail("SUPPORT_EMAIL must be the real support address customers write to")
    out.mkdir(parents=True, exist_ok=True)
    for template in sorted((root / "manifests").glob("*.json")):
        text = template.read_text()
        if HOST not in text or EMAIL not in text:
            fail(f"{template.name} no longer names {HOST} and {EMAIL}: update this script")
        text = text.replace(HOST, base).replace(EMAIL, email)
        json.loads(text)  # still a manifest
        if ".invalid" in text:
            fail(f"{template.name} still names a .invalid placeholder after the replacement")
        (out / template.name).write_text(text)
        print(f"wrote {out / template.name}")


if __name__ == "__main__":
    main()
