"""Billing checks of the Stripe sandbox fidelity test (run by stripe_fidelity.py).

The official `stripe` library drives cards on file, subscription create/update with
payment_behavior, pending updates, create_preview, invoice payments and refunds, the
invoice PDF, the Customer Portal configuration, and the clock through a failed renewal,
its retries, `unpaid`, and payment back to `active`.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import stripe

DAY = 86400
OK_CARD = "4242424242424242"
DECLINE_LATER = "4000000000000341"
AUTH_CARD = "4000002760003184"


def checks(base, state, receiver, secret):
    """(name, function) pairs; `state` carries ids between them and from the main script."""

    def switch(path, **query):
        url = "%s/__sandbox/stripe/%s?%s" % (base, path, urllib.parse.urlencode(query))
        with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST")) as r:
            return json.loads(r.read().decode())

    def now():
        with urllib.request.urlopen(base + "/__sandbox/stripe/stats") as r:
            return json.loads(r.read().decode())["now"]

    def advance(seconds):
        switch("advance-clock", seconds=str(seconds))

    def customer_with_card(email, number):
        c = stripe.Customer.create(email=email)
        pm = switch("card", customer=c.id, number=number)
        assert pm["id"].startswith("pm_"), pm
        return c.id

    def events_of(type_, object_id, timeout=10.0):
        """Verified webhook events of a type whose object is `object_id`."""
        deadline = time.time() + timeout
        while True:
            found = []
            for body, sig in receiver.snapshot():
                raw = json.loads(body)
                if raw["type"] == type_ and raw["data"]["object"].get("id") == object_id:
                    found.append(stripe.Webhook.construct_event(body, sig, secret))
            if found or time.time() > deadline:
                return found
            time.sleep(0.05)

    def wait_event(type_, object_id, predicate, timeout=10.0):
        """True once a delivered event of that type and object satisfies `predicate`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(predicate(ev) for ev in events_of(type_, object_id, timeout=0)):
                return True
            time.sleep(0.05)
        return False

    def card_error(fn):
        try:
            fn()
        except stripe.CardError as e:
            assert e.http_status == 402, e.http_status
            return e
        raise AssertionError("expected a CardError")

    def payment_methods():
        cus = stripe.checkout.Session.retrieve(state["session"].id).customer
        state["customer"] = cus
        customer = stripe.Customer.retrieve(cus)
        assert customer.email == "py@example.com"
        pm_id = customer.invoice_settings.default_payment_method
        assert pm_id.startswith("pm_"), pm_id
        pm = stripe.PaymentMethod.retrieve(pm_id)
        assert pm.type == "card" and pm.customer == cus
        assert (pm.card.brand, pm.card.last4, pm.card.exp_month, pm.card.exp_year) == ("visa", "4242", 12, 2034)
        listed = stripe.Customer.list_payment_methods(cus)
        assert [p.id for p in listed.data] == [pm_id]
        assert stripe.Subscription.retrieve(state["subscription"]).default_payment_method == pm_id
        assert events_of("payment_method.attached", pm_id)
        tax = stripe.Customer.create_tax_id(cus, type="eu_vat", value="DE123456789")
        assert tax.id.startswith("txi_") and tax.value == "DE123456789"
        assert [t.id for t in stripe.Customer.list_tax_ids(cus).data] == [tax.id]

    def checkout_trial_and_tax_id():
        session = stripe.checkout.Session.create(
            mode="subscription",
            line_items=[{"price": state["price"], "quantity": 1}],
            customer_email="trial@example.com",
            subscription_data={"trial_period_days": 14},
            tax_id_collection={"enabled": True},
            success_url="http://app.test/ok",
        )
        assert session.amount_total == 0, "nothing due today during a trial"
        form = urllib.parse.urlencode({"email": "trial@example.com", "card_number": OK_CARD,
                                       "exp": "12/34", "cvc": "123", "tax_id": "12-3456789"}).encode()
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(urllib.request.Request(session.url, data=form, method="POST"))
        except urllib.error.HTTPError as e:
            assert e.code == 303, e.code
        s = stripe.checkout.Session.retrieve(session.id)
        assert s.payment_status == "no_payment_required"
        sub = stripe.Subscription.retrieve(s.subscription)
        assert sub.status == "trialing" and sub.trial_end - sub.trial_start == 14 * DAY
        assert stripe.Invoice.retrieve(sub.latest_invoice).total == 0
        tax_ids = stripe.Customer.list_tax_ids(s.customer).data
        assert [(t.type, t.value) for t in tax_ids] == [("us_ein", "12-3456789")]
        state["trial_subscription"] = sub.id

    def create_subscription():
        cus = customer_with_card("api@example.com", OK_CARD)
        sub = stripe.Subscription.create(
            customer=cus, items=[{"price": state["price"], "quantity": 2}],
            metadata={"procore_company_id": "88"}, description="API-created", off_session=True,
            idempotency_key="py-sub-create-1",
        )
        assert sub.status == "active" and sub.metadata["procore_company_id"] == "88"
        assert sub.default_payment_method is None, "the customer's default card pays"
        inv = stripe.Invoice.retrieve(sub.latest_invoice)
        assert inv.status == "paid" and inv.amount_paid == 59000
        assert events_of("customer.subscription.created", sub.id)
        again = stripe.Subscription.create(
            customer=cus, items=[{"price": state["price"], "quantity": 2}],
            metadata={"procore_company_id": "88"}, description="API-created", off_session=True,
            idempotency_key="py-sub-create-1",
        )
        assert again.id == sub.id
        state["api_customer"], state["api_subscription"] = cus, sub.id

        declining = customer_with_card("declined@example.com", DECLINE_LATER)
        e = card_error(lambda: stripe.Subscription.create(
            customer=declining, items=[{"price": state["price"]}], payment_behavior="error_if_incomplete"))
        assert e.code == "card_declined" and e.json_body["error"]["decline_code"] == "generic_decline"
        assert not stripe.Subscription.list(customer=declining, status="all").data, "nothing created"
        incomplete = stripe.Subscription.create(customer=declining, items=[{"price": state["price"]}])
        assert incomplete.status == "incomplete"
        assert stripe.Invoice.retrieve(incomplete.latest_invoice).status == "open"

    def update_error_if_incomplete():
        sub_id = state["api_subscription"]
        before = stripe.Subscription.retrieve(sub_id)
        si = before["items"].data[0].id
        invoices = len(stripe.Invoice.list(subscription=sub_id).data)
        switch("card", customer=state["api_customer"], number=DECLINE_LATER)
        update = dict(items=[{"id": si, "quantity": 5}], proration_behavior="always_invoice",
                      payment_behavior="error_if_incomplete", idempotency_key="py-upd-1")
        e = card_error(lambda: stripe.Subscription.modify(sub_id, **update))
        assert e.code == "card_declined" and e.json_body["error"]["decline_code"] == "generic_decline"
        assert e.json_body["error"]["message"] == "Your card was declined."
        replay = card_error(lambda: stripe.Subscription.modify(sub_id, **update))
        assert replay.json_body == e.json_body, "same key, same response"
        after = stripe.Subscription.retrieve(sub_id)
        assert after["items"].data[0].quantity == 2 and after.status == "active"
        assert len(stripe.Invoice.list(subscription=sub_id).data) == invoices, "no invoice left"
        switch("card", customer=state["api_customer"], number=AUTH_CARD)
        e = card_error(lambda: stripe.Subscription.modify(
            sub_id, items=[{"id": si, "quantity": 5}], proration_behavior="always_invoice",
            payment_behavior="error_if_incomplete"))
        assert e.code == "authentication_required"

    def pending_update_then_pay():
        sub_id = state["api_subscription"]
        si = stripe.Subscription.retrieve(sub_id)["items"].data[0].id
        switch("card", customer=state["api_customer"], number=DECLINE_LATER)
        sub = stripe.Subscription.modify(sub_id, items=[{"id": si, "quantity": 5}],
                                         proration_behavior="always_invoice",
                                         payment_behavior="pending_if_incomplete")
        assert sub["items"].data[0].quantity == 2, "items unchanged until paid"
        pending = sub.pending_update
        assert pending.expires_at - now() <= 23 * 3600
        assert pending.subscription_items[0].quantity == 5
        inv = stripe.Invoice.retrieve(sub.latest_invoice)
        assert inv.status == "open" and inv.hosted_invoice_url.startswith(base + "/invoice/")
        e = card_error(lambda: stripe.Invoice.pay(inv.id))
        assert e.code == "card_declined"
        switch("card", customer=state["api_customer"], number=OK_CARD)
        paid = stripe.Invoice.pay(inv.id)
        assert paid.status == "paid" and paid.amount_remaining == 0
        sub = stripe.Subscription.retrieve(sub_id)
        assert sub["items"].data[0].quantity == 5 and sub.pending_update is None
        assert events_of("invoice.paid", inv.id) and events_of("invoice.payment_succeeded", inv.id)
        assert wait_event("customer.subscription.updated", sub_id,
                          lambda ev: ev.data.object["items"].data[0].quantity == 5)

    def create_preview():
        sub = stripe.Subscription.retrieve(state["subscription"])
        si = sub["items"].data[0].id
        at = now()
        details = {"items": [{"id": si, "quantity": 5}], "proration_behavior": "always_invoice",
                   "proration_date": at}
        preview = stripe.Invoice.create_preview(subscription=sub.id, subscription_details=details)
        assert preview.id.startswith("upcoming_in_") and preview.object == "invoice"
        assert preview.parent.subscription_details.subscription == sub.id
        assert all(l.parent.subscription_item_details.proration for l in preview.lines.data)
        assert 0 < preview.amount_due <= 2 * 29500 and preview.total == preview.amount_due
        recurring = stripe.Invoice.create_preview(subscription=sub.id, subscription_details=details,
                                                  preview_mode="recurring")
        assert recurring.amount_due == 5 * 29500, recurring.amount_due
        assert not any(l.parent.subscription_item_details.proration for l in recurring.lines.data)
        assert stripe.Subscription.retrieve(sub.id)["items"].data[0].quantity == 3, "nothing changed"
        fresh = stripe.Invoice.create_preview(
            customer=state["customer"], subscription_details={"items": [{"price": state["price"], "quantity": 4}]})
        assert fresh.amount_due == 4 * 29500 and fresh.customer == state["customer"]
        updated = stripe.Subscription.modify(sub.id, items=[{"id": si, "quantity": 5}],
                                             proration_behavior="always_invoice", proration_date=at)
        charged = stripe.Invoice.retrieve(updated.latest_invoice)
        assert charged.amount_paid == preview.amount_due, (charged.amount_paid, preview.amount_due)

    def payments_and_refunds():
        inv_id = stripe.checkout.Session.retrieve(state["session"].id).invoice
        payments = stripe.InvoicePayment.list(invoice=inv_id)
        assert len(payments.data) == 1
        p = payments.data[0]
        assert p.id.startswith("inpay_") and p.status == "paid" and p.amount_paid == 88500
        assert p.payment.type == "payment_intent" and p.payment.payment_intent.startswith("pi_")
        assert stripe.InvoicePayment.retrieve(p.id).invoice == inv_id
        expanded = stripe.Invoice.retrieve(inv_id, expand=["payments"])
        assert expanded.payments.data[0].id == p.id
        pi = p.payment.payment_intent
        refund = stripe.Refund.create(payment_intent=pi, amount=1000, reason="requested_by_customer",
                                      metadata={"order": "py"}, idempotency_key="py-refund-1")
        assert refund.id.startswith("re_") and refund.status == "succeeded" and refund.amount == 1000
        again = stripe.Refund.create(payment_intent=pi, amount=1000, reason="requested_by_customer",
                                     metadata={"order": "py"}, idempotency_key="py-refund-1")
        assert again.id == refund.id
        try:
            stripe.Refund.create(payment_intent=pi, amount=88500)
            raise AssertionError("expected an error")
        except stripe.InvalidRequestError as e:
            assert e.http_status == 400 and "greater than" in str(e), str(e)
        assert [r.id for r in stripe.Refund.list(payment_intent=pi).data] == [refund.id]
        assert events_of("refund.created", refund.id)
        assert events_of("charge.refunded", refund.charge)

    def invoice_pdf():
        inv = stripe.Invoice.retrieve(stripe.checkout.Session.retrieve(state["session"].id).invoice)
        assert inv.hosted_invoice_url == "%s/invoice/%s" % (base, inv.id)
        with urllib.request.urlopen(inv.invoice_pdf) as r:
            assert r.headers["Content-Type"] == "application/pdf"
            body = r.read()
        assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
        assert inv.number.encode() in body and b"$885.00" in body

    def portal():
        try:
            stripe.billing_portal.Session.create(customer=state["customer"], return_url="http://app.test/a")
            raise AssertionError("expected an error")
        except stripe.InvalidRequestError as e:
            assert e.http_status == 400 and "save your customer portal settings" in str(e), str(e)
        config = stripe.billing_portal.Configuration.create(
            business_profile={"headline": "Project Central billing"},
            default_return_url="http://app.test/account",
            features={
                "payment_method_update": {"enabled": True},
                "customer_update": {"enabled": True, "allowed_updates": ["email", "tax_id"]},
                "invoice_history": {"enabled": True},
                "subscription_cancel": {"enabled": False},
                "subscription_update": {"enabled": False},
            },
            metadata={"app": "project-central"},
        )
        assert config.id.startswith("bpc_") and config.is_default is False and config.active
        assert config.features.customer_update.allowed_updates == ["email", "tax_id"]
        assert config.features.subscription_cancel.enabled is False
        assert config.id in [c.id for c in stripe.billing_portal.Configuration.list(active=True).data]
        assert not stripe.billing_portal.Configuration.list(is_default=True).data
        changed = stripe.billing_portal.Configuration.modify(config.id, metadata={"v": "2"})
        assert changed.metadata["v"] == "2"
        assert stripe.billing_portal.Configuration.retrieve(config.id).metadata["app"] == "project-central"
        session = stripe.billing_portal.Session.create(customer=state["customer"], configuration=config.id)
        assert session.configuration == config.id and session.return_url == "http://app.test/account"
        with urllib.request.urlopen(session.url) as r:
            page = r.read().decode()
        for needle in ["Update card", "Billing email", "Add tax ID", "Invoice history", "Project Central billing"]:
            assert needle in page, needle
        assert "Cancel subscription" not in page

    def clock_retries_unpaid_then_active():
        cus = customer_with_card("clock@example.com", OK_CARD)
        sub = stripe.Subscription.create(customer=cus, items=[{"price": state["price"]}])
        end = sub["items"].data[0].current_period_end
        switch("card", customer=cus, number=DECLINE_LATER)
        advance(end - now())
        sub = stripe.Subscription.retrieve(sub.id)
        assert sub.status == "past_due", sub.status
        inv = stripe.Invoice.retrieve(sub.latest_invoice)
        assert (inv.status, inv.attempt_count, inv.next_payment_attempt) == ("open", 1, end + 3 * DAY)
        assert events_of("invoice.payment_failed", inv.id)
        for days, count in [(3, 2), (2, 3)]:
            advance(days * DAY)
            inv = stripe.Invoice.retrieve(inv.id)
            assert inv.attempt_count == count and inv.status == "open", (inv.attempt_count, inv.status)
        assert stripe.Subscription.retrieve(sub.id).status == "past_due"
        advance(2 * DAY)
        inv = stripe.Invoice.retrieve(inv.id)
        assert inv.attempt_count == 4 and inv.next_payment_attempt is None
        assert stripe.Subscription.retrieve(sub.id).status == "unpaid"
        assert wait_event("invoice.payment_failed", inv.id, lambda ev: ev.data.object.attempt_count == 4)
        failed = events_of("invoice.payment_failed", inv.id)
        assert sorted(ev.data.object.attempt_count for ev in failed) == [1, 2, 3, 4]
        advance(40 * DAY)
        sub = stripe.Subscription.retrieve(sub.id)
        assert sub.status == "unpaid" and sub.latest_invoice == inv.id, "unpaid does not renew"
        switch("card", customer=cus, number=OK_CARD)
        assert stripe.Invoice.pay(inv.id).status == "paid"
        sub = stripe.Subscription.retrieve(sub.id)
        assert sub.status == "active"
        assert wait_event("customer.subscription.updated", sub.id,
                          lambda ev: ev.data.previous_attributes.to_dict().get("status") == "unpaid")
        trial = stripe.Subscription.retrieve(state["trial_subscription"])
        assert trial.status == "active", "the trial ended and its first invoice was charged"

    return [
        ("payment methods, default card, tax IDs", payment_methods),
        ("checkout with trial and tax ID", checkout_trial_and_tax_id),
        ("create subscription (allow/error_if_incomplete)", create_subscription),
        ("update with error_if_incomplete: 402, nothing changes", update_error_if_incomplete),
        ("pending_if_incomplete, then pay the invoice", pending_update_then_pay),
        ("create_preview: next, recurring, new subscription", create_preview),
        ("invoice payments and refunds", payments_and_refunds),
        ("invoice_pdf is a PDF", invoice_pdf),
        ("portal configuration and session", portal),
        ("clock: failure, retries, unpaid, pay, active", clock_retries_unpaid_then_active),
    ]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None
