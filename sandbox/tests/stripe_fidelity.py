#!/usr/bin/env python3
"""Fidelity of the Stripe sandbox with the official `stripe` Python library.

Tested with stripe==16.1.0 from PyPI (pip install stripe==16.1.0).

Usage:
    cargo build -p sandbox
    SANDBOX_BIN=$CARGO_TARGET_DIR/debug/sandbox python3 sandbox/tests/stripe_fidelity.py
    # or: python3 sandbox/tests/stripe_fidelity.py path/to/sandbox

It starts the sandbox binary with a local webhook receiver (http.server) as
SANDBOX_STRIPE_WEBHOOK_URL, points `stripe.api_base` at the `stripe:` line the binary
prints, and exercises create/retrieve/list/pay/webhook through the library, then the
billing checks in stripe_fidelity_billing.py (cards, subscription updates, previews,
payments and refunds, PDF, portal, clock and retries) and the test PaymentMethods in
stripe_fidelity_payment_methods.py (pm_card_*, attach, customer create). The last line
is `stripe fidelity: N passed, M failed`; the exit status is non-zero on any failure.
"""

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import stripe

import stripe_fidelity_billing
import stripe_fidelity_payment_methods

API_KEY = "sk_test_sandbox"
SECRET = "whsec_fidelity_py"


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records every webhook POST (raw body + signature header)."""

    received = []
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server naming)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        with Receiver.lock:
            Receiver.received.append((body, self.headers.get("Stripe-Signature", "")))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass

    @classmethod
    def snapshot(cls):
        """Every (body, signature) received so far."""
        with cls.lock:
            return list(cls.received)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Lets the test read the 303 from the hosted page instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def start_receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d/webhook" % server.server_address[1]


def start_sandbox(binary, webhook_url):
    env = dict(os.environ)
    env.update(
        SANDBOX_PROCORE_PORT="0",
        SANDBOX_STRIPE_PORT="0",
        SANDBOX_STRIPE_WEBHOOK_URL=webhook_url,
        SANDBOX_STRIPE_WEBHOOK_SECRET=SECRET,
        RUST_LOG="warn",
    )
    proc = subprocess.Popen([binary], stdout=subprocess.PIPE, env=env, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("stripe: "):
            return proc, line.split(" ", 1)[1].strip()
    proc.kill()
    raise RuntimeError("sandbox did not print a stripe: line")


def wait_for(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        try:
            fn()
            self.passed += 1
            print("ok   %s" % name)
        except Exception:  # report every failure, keep going
            self.failed += 1
            print("FAIL %s" % name)
            traceback.print_exc()


def main():
    binary = os.environ.get("SANDBOX_BIN") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not binary:
        print("usage: SANDBOX_BIN=path/to/sandbox python3 stripe_fidelity.py")
        print("stripe fidelity: 0 passed, 1 failed")
        return 2
    server, webhook_url = start_receiver()
    proc, base = start_sandbox(binary, webhook_url)
    stripe.api_key = API_KEY
    stripe.api_base = base
    stripe.max_network_retries = 0
    state = {}
    checks = Checks()

    def create_price():
        product = stripe.Product.create(name="Planner", metadata={"module": "planner"})
        assert product.id.startswith("prod_"), product.id
        price = stripe.Price.create(
            product=product.id,
            currency="usd",
            unit_amount=29500,
            recurring={"interval": "month"},
            lookup_key="planner_month",
        )
        assert price.id.startswith("price_") and price.unit_amount == 29500
        assert price.recurring.interval == "month"
        found = stripe.Price.list(lookup_keys=["planner_month"])
        assert [p.id for p in found.data] == [price.id]
        state["price"] = price.id

    def create_session():
        session = stripe.checkout.Session.create(
            mode="subscription",
            line_items=[{"price": state["price"], "quantity": 3}],
            customer_email="py@example.com",
            client_reference_id="order-py",
            subscription_data={"metadata": {"procore_company_id": "77"}},
            metadata={"k with space": "v&=x"},
            success_url="http://app.test/ok?session_id={CHECKOUT_SESSION_ID}",
            cancel_url="http://app.test/cancel",
            idempotency_key="py-session-1",
        )
        assert session.id.startswith("cs_test_"), session.id
        assert session.status == "open" and session.payment_status == "unpaid"
        assert session.amount_total == 88500
        assert session.url.startswith(base + "/pay/")
        replay = stripe.checkout.Session.create(
            mode="subscription",
            line_items=[{"price": state["price"], "quantity": 3}],
            customer_email="py@example.com",
            client_reference_id="order-py",
            subscription_data={"metadata": {"procore_company_id": "77"}},
            metadata={"k with space": "v&=x"},
            success_url="http://app.test/ok?session_id={CHECKOUT_SESSION_ID}",
            cancel_url="http://app.test/cancel",
            idempotency_key="py-session-1",
        )
        assert replay.id == session.id, "idempotent replay returns the same session"
        state["session"] = session

    def retrieve_session():
        s = stripe.checkout.Session.retrieve(state["session"].id, expand=["line_items"])
        assert s.client_reference_id == "order-py"
        assert s.metadata["k with space"] == "v&=x"
        assert s.line_items.data[0].quantity == 3
        items = stripe.checkout.Session.list_line_items(state["session"].id)
        assert items.data[0].price.id == state["price"]

    def paginate():
        ids = [stripe.Customer.create(email="c%d@example.com" % i).id for i in range(23)]
        page = stripe.Customer.list(limit=10)
        assert len(page.data) == 10 and page.has_more
        seen = [c.id for c in stripe.Customer.list(limit=10).auto_paging_iter()]
        assert seen == list(reversed(ids)), "auto_paging_iter walks every page newest first"

    def errors():
        try:
            stripe.Price.retrieve("price_missing")
            raise AssertionError("expected an error")
        except stripe.InvalidRequestError as e:
            assert e.http_status == 404 and e.code == "resource_missing"
        try:
            stripe.Product.create(name="X", api_key="sk_test_wrong")
            raise AssertionError("expected an error")
        except stripe.AuthenticationError as e:
            assert e.http_status == 401

    def pay():
        url = state["session"].url
        opener = urllib.request.build_opener(NoRedirect)
        page = opener.open(url).read().decode()
        assert "Card number" in page and "Smartapp" in page
        form = urllib.parse.urlencode(
            {"email": "py@example.com", "card_number": "4242 4242 4242 4242", "exp": "12/34", "cvc": "123"}
        ).encode()
        try:
            opener.open(urllib.request.Request(url, data=form, method="POST"))
            raise AssertionError("expected a 303")
        except urllib.error.HTTPError as e:
            assert e.code == 303, e.code
            location = e.headers["Location"]
        assert location == "http://app.test/ok?session_id=" + state["session"].id, location
        s = stripe.checkout.Session.retrieve(state["session"].id)
        assert s.status == "complete" and s.payment_status == "paid"
        sub = stripe.Subscription.retrieve(s.subscription)
        assert sub.status == "active"
        assert sub["items"].data[0].quantity == 3
        assert sub.metadata["procore_company_id"] == "77"
        state["subscription"] = sub.id

    def webhook():
        assert wait_for(lambda: any('"checkout.session.completed"' in b for b, _ in Receiver.received))
        with Receiver.lock:
            received = list(Receiver.received)
        types = set()
        for body, sig in received:
            event = stripe.Webhook.construct_event(body, sig, SECRET)
            types.add(event.type)
            if event.type == "checkout.session.completed":
                assert event.data.object.id == state["session"].id
                assert event.data.object.subscription == state["subscription"]
        assert {"checkout.session.completed", "customer.subscription.created", "invoice.paid"} <= types, types
        body, sig = received[0]
        try:
            stripe.Webhook.construct_event(body, sig, "whsec_wrong")
            raise AssertionError("wrong secret must not verify")
        except stripe.SignatureVerificationError:
            pass

    try:
        checks.run("create product and price, list by lookup key", create_price)
        checks.run("create checkout session (idempotent)", create_session)
        checks.run("retrieve session and line items", retrieve_session)
        checks.run("list with auto_paging_iter over > 10 items", paginate)
        checks.run("errors map to library exceptions", errors)
        checks.run("pay on the hosted page, subscription active", pay)
        checks.run("verify delivered webhooks with construct_event", webhook)
        for name, fn in stripe_fidelity_billing.checks(base, state, Receiver, SECRET):
            checks.run(name, fn)
        for name, fn in stripe_fidelity_payment_methods.checks(state, Receiver, SECRET):
            checks.run(name, fn)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        server.shutdown()
    print("stripe fidelity: %d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
