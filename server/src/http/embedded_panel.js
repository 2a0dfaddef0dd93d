// Smartapp in Procore's side panel. Procore frames /embedded/panel without ids; the page
// asks its parent with {type:'initialize'} and Procore answers {type:'setup', context:
// {company_id, project_id, id, view}} (procore-api.md 8.4). Messages count only from the
// parent window and one of the origins in data-origins (PROCORE_WEB_ORIGINS); the ids are
// only a question: the server checks the signed-in user's access before it answers.
(function () {
  "use strict";
  var main = document.getElementById("embedded-panel");
  if (!main || window.__smartappPanel) return;
  window.__smartappPanel = true;
  var origins = JSON.parse(main.getAttribute("data-origins") || "[]");
  var app = main.getAttribute("data-app") || "";
  var body = document.getElementById("embedded-panel-body");
  var context = null;
  var loads = 0;

  function say(text) {
    var line = document.createElement("p");
    line.className = "muted";
    line.id = "embedded-panel-waiting";
    line.textContent = text;
    body.replaceChildren(line);
  }

  // A Procore id as a string of digits (Procore may send numbers or strings).
  function id(value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /^[1-9][0-9]{0,18}$/.test(text) ? text : null;
  }

  function load() {
    if (!context) return;
    var n = ++loads;
    main.setAttribute("data-state", "loading");
    var query = "company_id=" + context.company + "&project_id=" + context.project +
      (app ? "&app=" + encodeURIComponent(app) : "");
    fetch("/embedded/panel-status?" + query, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (n !== loads) return;
        // Our own server's rendering of the embedded view's components (escaped there).
        body.innerHTML = html;
        main.setAttribute("data-state", "shown");
        main.setAttribute("data-loads", String(n));
      })
      .catch(function () {
        if (n === loads) say("Smartapp could not be reached. It tries again when the panel is shown.");
      });
  }

  window.addEventListener("message", function (event) {
    if (origins.indexOf(event.origin) < 0 || event.source !== window.parent) return;
    var data = event.data;
    if (!data || typeof data !== "object") return;
    if (data.type === "setup") {
      var c = data.context || {};
      var company = id(c.company_id);
      var project = id(c.project_id);
      main.setAttribute("data-view", String(c.view || ""));
      if (!company || !project) {
        context = null;
        say("Open one of your projects in Procore: Smartapp shows that project's status here.");
        return;
      }
      context = { company: company, project: project };
      load();
    } else if (data.type === "sidepanel:app:visible") {
      main.setAttribute("data-visible", "true");
      load();
    } else if (data.type === "sidepanel:app:hidden") {
      main.setAttribute("data-visible", "false");
    } else if (data.type === "sidepanel:app:destroy") {
      context = null;
      loads++;
      main.setAttribute("data-state", "destroyed");
    }
  });

  if (window.parent === window) {
    say("This is Smartapp's side panel: it shows a project's status beside Procore's pages. Open it from a project in Procore.");
    return;
  }
  // Exact targetOrigin: the parent's origin when the browser tells it (ancestorOrigins, else
  // the referrer) and it is one of Procore's; otherwise each of Procore's origins in turn
  // (only the parent's own receives it).
  var parent = "";
  try {
    var ancestors = window.location.ancestorOrigins;
    parent = ancestors && ancestors.length ? ancestors[0] : new URL(document.referrer).origin;
  } catch (e) { parent = ""; }
  (origins.indexOf(parent) >= 0 ? [parent] : origins).forEach(function (origin) {
    try { window.parent.postMessage({ type: "initialize" }, origin); } catch (e) { /* not an origin */ }
  });
})();
