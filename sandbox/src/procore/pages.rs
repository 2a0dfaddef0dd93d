//! HTML of the login server: the sign-in page, error pages and the landing page.

use axum::extract::State;
use axum::response::Html;

use super::oauth::AuthorizeParams;
use super::{DemoUser, Shared};

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
 background:#f3f4f6;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937}
main{width:100%;max-width:480px;margin:24px;background:#fff;border-radius:12px;
 box-shadow:0 4px 24px rgba(0,0,0,.08);padding:32px}
.brand{display:flex;align-items:center;gap:10px;margin-bottom:20px}
.logo{width:34px;height:34px;border-radius:8px;background:#f47e42;color:#fff;font-weight:700;
 display:flex;align-items:center;justify-content:center}
.badge{font-size:12px;background:#fff4e5;color:#9a4b00;border:1px solid #ffd8a8;border-radius:999px;padding:2px 8px}
h1{font-size:22px;margin:0 0 6px}
p.lead{margin:0 0 20px;color:#4b5563}
label{display:block;font-weight:600;margin:14px 0 6px}
input[type=email],input[type=password]{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font-size:15px}
input:focus{outline:2px solid #f47e42;border-color:#f47e42}
.actions{display:flex;gap:10px;margin-top:22px}
button{flex:1;padding:11px;border-radius:8px;font-size:15px;font-weight:600;cursor:pointer;border:1px solid transparent}
button.primary{background:#f47e42;color:#fff}
button.primary:hover{background:#e06a2c}
button.secondary{background:#fff;color:#374151;border-color:#d1d5db}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;border-radius:8px;padding:10px 12px;margin-bottom:8px}
.demo{margin-top:26px;border:1px dashed #f5b48c;background:#fffaf5;border-radius:10px;padding:14px 16px}
.demo h2{font-size:14px;margin:0 0 8px;color:#9a4b00}
.demo table{width:100%;border-collapse:collapse;font-size:13px}
.demo td{padding:5px 4px;vertical-align:top;border-top:1px solid #fde3cf}
.demo code{background:#fff;border:1px solid #fde3cf;border-radius:4px;padding:1px 4px}
.muted{color:#6b7280;font-size:12px}
"#;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <div class=\"brand\"><div class=\"logo\">P</div><strong>Procore</strong>\
         <span class=\"badge\">sandbox</span></div>{body}</main></body></html>",
        title = escape(title),
    )
}

/// The sign-in form; `error` is shown above the fields after a failed attempt.
pub(crate) fn sign_in_page(p: &AuthorizeParams, users: &[DemoUser], error: Option<&str>) -> String {
    let hidden: String = [
        ("response_type", &p.response_type),
        ("client_id", &p.client_id),
        ("redirect_uri", &p.redirect_uri),
        ("state", &p.state),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
    ]
    .iter()
    .filter_map(|(name, value)| {
        value.as_deref().map(|v| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(v)
            )
        })
    })
    .collect();
    let error = error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", escape(e)))
        .unwrap_or_default();
    let rows: String = users
        .iter()
        .map(|u| {
            format!(
                "<tr><td><code>{}</code><br><code>{}</code></td><td><strong>{}</strong><br>\
                 <span class=\"muted\">{}</span></td></tr>",
                escape(&u.login),
                escape(&u.password),
                escape(&u.name),
                escape(&u.description)
            )
        })
        .collect();
    let client = escape(p.client_id.as_deref().unwrap_or(""));
    let login = escape(p.login.as_deref().unwrap_or(""));
    let body = format!(
        "<h1>Sign in to Procore (sandbox)</h1>\
         <p class=\"lead\">The application <strong>{client}</strong> wants to access your Procore account.</p>\
         {error}\
         <form method=\"post\" action=\"/oauth/authorize\">{hidden}\
         <label for=\"login\">Email</label>\
         <input id=\"login\" name=\"login\" type=\"email\" autocomplete=\"username\" required autofocus value=\"{login}\">\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <div class=\"actions\">\
         <button class=\"primary\" type=\"submit\" name=\"action\" value=\"sign_in\">Sign in</button>\
         <button class=\"secondary\" type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Deny</button>\
         </div></form>\
         <section class=\"demo\"><h2>Sandbox mode: demo users</h2><table>{rows}</table></section>"
    );
    layout("Sign in to Procore (sandbox)", &body)
}

/// A page for requests that must not be redirected (bad client or redirect URI).
pub(crate) fn error_page(title: &str, message: &str) -> String {
    let body = format!(
        "<h1>{}</h1><div class=\"error\" role=\"alert\">{}</div>\
         <p class=\"muted\">Check the OAuth client id and redirect URI configured in the app.</p>",
        escape(title),
        escape(message)
    );
    layout(title, &body)
}

/// Shows the code for the out-of-band redirect URI (headless apps copy it by hand).
pub(crate) fn oob_code_page(code: &str) -> String {
    let body = format!(
        "<h1>Authorization code</h1><p class=\"lead\">Copy this code into the application:</p>\
         <p><code id=\"code\">{}</code></p>",
        escape(code)
    );
    layout("Authorization code", &body)
}

/// `GET /`: what this server is, for someone who opens it in a browser.
pub(crate) async fn index(State(state): State<Shared>) -> Html<String> {
    let users: String = state
        .seed
        .demo_users()
        .iter()
        .map(|u| {
            format!(
                "<li><code>{}</code> — {}</li>",
                escape(&u.login),
                escape(&u.name)
            )
        })
        .collect();
    let body = format!(
        "<h1>Procore emulator</h1><p class=\"lead\">This login origin serves <code>/oauth/*</code>; \
         the REST API (<code>/rest/*</code>) answers on its own origin, as api.procore.com does.</p><ul>{users}</ul>"
    );
    Html(layout("Procore emulator", &body))
}
