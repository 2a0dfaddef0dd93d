"""Payment-method checks of the Stripe sandbox fidelity test (run by stripe_fidelity.py).

The official `stripe` library drives Stripe's test PaymentMethods (docs.stripe.com/testing):
a customer created with `payment_method` + `invoice_settings[default_payment_method]`, as
Stripe's invoicing and subscription guides do, then a subscription that becomes `active`;
`PaymentMethod.attach`; the cards Stripe refuses at attach (402, nothing created); and
`pm_card_chargeCustomerFail` / `pm_card_authenticationRequired`, whose first invoice fails.
"""

import json
import time

import stripe


def checks(state, receiver, secret):
    """(name, function) pairs; `state["price"]` is a $295/month price."""

    def events_of(type_, object_id, timeout=10.0):
        """Verified webhook events of a type whose object is `object_id`."""
        deadline = time.time() + timeout
        while True:
            found = [stripe.Webhook.construct_event(body, sig, secret)
                     for body, sig in receiver.snapshot()
                     if json.loads(body)["type"] == type_
                     and json.loads(body)["data"]["object"].get("id") == object_id]
            if found or time.time() > deadline:
                return found
            time.sleep(0.05)

    def card_error(fn):
        try:
            fn()
        except stripe.CardError as e:
            assert e.http_status == 402, e.http_status
            return e
        raise AssertionError("expected a CardError")

    def invalid(fn, status=400):
        try:
            fn()
        except stripe.InvalidRequestError as e:
            assert e.http_status == status, (e.http_status, str(e))
            return e
        raise AssertionError("expected an InvalidRequestError")

    def guide_customer(email, pm):
        return stripe.Customer.create(
            email=email, payment_method=pm, invoice_settings={"default_payment_method": pm})

    def invoicing_guide_subscription_is_active():
        cus = guide_customer("guide@example.com", "pm_card_visa")
        pm_id = cus.invoice_settings.default_payment_method
        assert pm_id.startswith("pm_") and pm_id != "pm_card_visa", pm_id
        pm = stripe.PaymentMethod.retrieve(pm_id)
        assert pm.customer == cus.id and pm.type == "card"
        assert (pm.card.brand, pm.card.last4) == ("visa", "4242")
        assert [p.id for p in stripe.Customer.list_payment_methods(cus.id).data] == [pm_id]
        assert events_of("payment_method.attached", pm_id)
        sub = stripe.Subscription.create(customer=cus.id, items=[{"price": state["price"]}])
        assert sub.status == "active", sub.status
        inv = stripe.Invoice.retrieve(sub.latest_invoice)
        assert inv.status == "paid" and inv.amount_paid == 29500
        # Attached but not the invoice default: nothing pays the first invoice.
        bare = stripe.Customer.create(email="bare@example.com", payment_method="pm_card_visa")
        assert bare.invoice_settings.default_payment_method is None
        assert len(stripe.Customer.list_payment_methods(bare.id).data) == 1
        e = invalid(lambda: stripe.Customer.create(
            payment_method="pm_card_visa", invoice_settings={"default_payment_method": "pm_card_amex"}))
        assert e.param == "invoice_settings[default_payment_method]", e.param

    def attach_returns_the_card_with_its_customer():
        cus = stripe.Customer.create(email="attach@example.com")
        pm = stripe.PaymentMethod.attach("pm_card_mastercard", customer=cus.id)
        assert pm.id.startswith("pm_") and pm.id != "pm_card_mastercard"
        assert pm.customer == cus.id and pm.object == "payment_method"
        assert (pm.card.brand, pm.card.last4, pm.card.funding) == ("mastercard", "4444", "credit")
        assert stripe.PaymentMethod.retrieve(pm.id).customer == cus.id
        assert events_of("payment_method.attached", pm.id)
        assert stripe.PaymentMethod.attach(pm.id, customer=cus.id).id == pm.id, "again: same card"
        other = stripe.Customer.create(email="other@example.com")
        e = invalid(lambda: stripe.PaymentMethod.attach(pm.id, customer=other.id))
        assert "already been attached" in str(e), str(e)
        assert invalid(lambda: stripe.PaymentMethod.attach("pm_nope", customer=cus.id), 404).code == "resource_missing"
        assert invalid(lambda: stripe.PaymentMethod.attach("pm_card_visa", customer="cus_nope"), 404).code == "resource_missing"
        debit = stripe.PaymentMethod.attach("pm_card_visa_debit", customer=cus.id)
        assert debit.card.funding == "debit"
        stripe.Customer.modify(cus.id, invoice_settings={"default_payment_method": pm.id})
        sub = stripe.Subscription.create(customer=cus.id, items=[{"price": state["price"]}])
        assert sub.status == "active", sub.status

    def declined_cards_cannot_be_attached():
        cus = stripe.Customer.create(email="refused@example.com")
        for name, code, decline in [
            ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
            ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
            ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
            ("pm_card_chargeDeclinedExpiredCard", "expired_card", None),
        ]:
            e = card_error(lambda: stripe.PaymentMethod.attach(name, customer=cus.id))
            assert e.code == code and e.json_body["error"].get("decline_code") == decline, (name, e.json_body)
        assert not stripe.Customer.list_payment_methods(cus.id).data
        e = card_error(lambda: guide_customer("never@example.com", "pm_card_visa_chargeDeclined"))
        assert e.json_body["error"]["message"] == "Your card was declined."
        assert not stripe.Customer.list(email="never@example.com").data, "no customer created"

    def decline_after_attaching_fails_the_first_invoice():
        cus = guide_customer("customerfail@example.com", "pm_card_chargeCustomerFail")
        assert cus.invoice_settings.default_payment_method.startswith("pm_")
        e = card_error(lambda: stripe.Subscription.create(
            customer=cus.id, items=[{"price": state["price"]}], payment_behavior="error_if_incomplete"))
        assert e.code == "card_declined" and e.json_body["error"]["decline_code"] == "generic_decline"
        sub = stripe.Subscription.create(customer=cus.id, items=[{"price": state["price"]}])
        assert sub.status == "incomplete", sub.status
        inv = stripe.Invoice.retrieve(sub.latest_invoice)
        assert inv.status == "open" and inv.attempt_count == 1 and inv.amount_paid == 0
        assert events_of("invoice.payment_failed", inv.id)
        pi = stripe.PaymentIntent.retrieve(stripe.InvoicePayment.list(invoice=inv.id).data[0].payment.payment_intent)
        assert pi.status == "requires_payment_method" and pi.last_payment_error.code == "card_declined"

        auth = guide_customer("auth@example.com", "pm_card_authenticationRequired")
        sub = stripe.Subscription.create(customer=auth.id, items=[{"price": state["price"]}])
        assert sub.status == "incomplete", sub.status
        inv = stripe.Invoice.retrieve(sub.latest_invoice)
        pi = stripe.PaymentIntent.retrieve(stripe.InvoicePayment.list(invoice=inv.id).data[0].payment.payment_intent)
        assert pi.status == "requires_action", pi.status

    return [
        ("customer with payment_method and invoice default: subscription active",
         invoicing_guide_subscription_is_active),
        ("PaymentMethod.attach with test PaymentMethods", attach_returns_the_card_with_its_customer),
        ("declined test cards are refused at attach", declined_cards_cannot_be_attached),
        ("pm_card_chargeCustomerFail / authenticationRequired: first invoice fails",
         decline_after_attaching_fails_the_first_invoice),
    ]
