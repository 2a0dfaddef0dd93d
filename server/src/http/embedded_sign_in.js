// Smartapp embedded sign-in. Procore's login refuses to be framed, so the frame signs in
// through a popup, with the protocol of Procore's @procore/procore-iframe-helpers (MIT):
// authenticate({url, onSuccess, onFailure}) opens a 560x600 window; the window's last page
// posts {type: 'authentication.success', payload} to window.opener with our own origin as
// targetOrigin; closing the window reports {type: 'canceled_by_user'}. The payload is a
// single-use code the frame redeems for its own (partitioned) session cookie.
(function () {
  "use strict";
  if (window.__smartappEmbeddedSignIn) return;
  window.__smartappEmbeddedSignIn = true;
  var ORIGIN = window.location.origin;

  // In the popup: hand the code to the frame that opened us, then close.
  function handOff() {
    var page = document.getElementById("embedded-hand-off");
    if (!page) return;
    var status = document.getElementById("embedded-hand-off-status");
    var opener = window.opener;
    if (!opener || opener.closed) {
      status.textContent =
        "You are signed in. This window was not opened by Smartapp inside Procore: close it, " +
        "go back to Procore and click \u201cSign in with Procore\u201d again.";
      return;
    }
    opener.postMessage(
      { type: "authentication.success", payload: { code: page.getAttribute("data-code") } },
      ORIGIN
    );
    status.textContent = "Signed in. Returning you to Procore\u2026";
    setTimeout(function () { window.close(); }, 500);
  }

  // In the frame: the helper's authenticate().
  function authenticate(config) {
    var width = config.width || 560;
    var height = config.height || 600;
    var url = new URL(config.url, window.location.href);
    var popup = window.open(
      String(url),
      "_blank",
      "toolbar=no,location=yes,status=no,menubar=no,scrollbars=yes,width=" + width +
        ",height=" + height + ",top=" + (window.outerHeight / 2 - height / 2) +
        ",left=" + (window.outerWidth / 2 - width / 2)
    );
    if (!popup) {
      config.onFailure({ type: "popup_blocked", reason: "Blocked by the browser" });
      return;
    }
    var finished = false;
    function finish() {
      finished = true;
      clearInterval(monitor);
      window.removeEventListener("message", onMessage);
    }
    function onMessage(event) {
      // Only our own pages, and only the window we opened, may answer.
      if (event.origin !== ORIGIN || event.source !== popup) return;
      var data = event.data || {};
      if (data.type === "authentication.success") {
        finish();
        try { popup.close(); } catch (e) { /* already closed */ }
        config.onSuccess(data.payload);
      } else if (data.type === "authentication.failure") {
        finish();
        try { popup.close(); } catch (e) { /* already closed */ }
        config.onFailure(data.payload);
      }
    }
    window.addEventListener("message", onMessage);
    var monitor = setInterval(function () {
      if (!finished && popup.closed) {
        finish();
        config.onFailure({ type: "canceled_by_user", reason: "Cancelled by User" });
      }
    }, 100);
  }

  function say(text, offerNewTab) {
    var line = document.getElementById("embedded-sign-in-status");
    if (line) line.textContent = text;
    var newTab = document.getElementById("embedded-new-tab");
    if (newTab && offerNewTab) newTab.hidden = false;
  }

  function redeem(payload) {
    say("Signing you in\u2026");
    fetch("/embedded/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: (payload && payload.code) || "" })
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) throw new Error(body.error || "Signing in failed (" + response.status + ").");
        });
      })
      // The redemption set our cookie; whether the browser kept it shows on the next request.
      .then(function () {
        return fetch("/embedded/session", { credentials: "same-origin", cache: "no-store" });
      })
      .then(function (response) { return response.json(); })
      .then(function (check) {
        if (check.signed_in) {
          say("Signed in. Loading\u2026");
          window.location.reload();
        } else {
          say(
            "You signed in, but this browser blocks cookies inside Procore\u2019s page, so Smartapp " +
              "cannot keep you signed in here. Open Smartapp in a new tab, or allow third-party " +
              "cookies for this site.",
            true
          );
        }
      })
      .catch(function (error) {
        say(error.message + " Click \u201cSign in with Procore\u201d to try again.");
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("#embedded-sign-in-button");
    if (!button) return;
    event.preventDefault();
    say("Sign in with Procore in the window that opened\u2026");
    authenticate({
      url: button.getAttribute("data-login"),
      onSuccess: redeem,
      onFailure: function (error) {
        var type = error && error.type;
        if (type === "popup_blocked") {
          say(
            "Your browser blocked the sign-in window. Allow pop-ups for this site (the icon at " +
              "the right of the address bar) and click \u201cSign in with Procore\u201d again, or " +
              "open Smartapp in a new tab.",
            true
          );
        } else if (type === "canceled_by_user") {
          say("The sign-in window was closed before you finished. Click \u201cSign in with Procore\u201d to try again.");
        } else {
          say("Signing in did not finish. Click \u201cSign in with Procore\u201d to try again.");
        }
      }
    });
  });

  handOff();
})();
