//! The shell's page frame: a top bar with the company, an **Apps** menu, Marketplace,
//! App Management (admins) and Sign out. Plain HTML and inline CSS, no external assets;
//! the Apps menu is a `<details>` so it works without script.

use super::super::pages::escape;
use super::super::Shared;
use super::session::{csrf_input, Viewer};

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f3f4f6}
header.bar{display:flex;flex-wrap:wrap;align-items:center;gap:16px;padding:8px 16px;background:#1f2937;color:#fff}
header.bar a{color:#fff}
header.bar .brand{font-weight:700;text-decoration:none}
.badge{font-size:12px;background:#f47e42;color:#fff;border-radius:999px;padding:1px 8px;margin-left:6px}
details.menu{position:relative}
details.menu summary{cursor:pointer;padding:4px 10px;border:1px solid #4b5563;border-radius:6px}
details.menu ul{position:absolute;z-index:10;margin:4px 0 0;padding:6px 0;list-style:none;background:#fff;
 border:1px solid #d1d5db;border-radius:8px;min-width:220px;box-shadow:0 4px 16px rgba(0,0,0,.15)}
details.menu li a,details.menu li span{display:block;padding:6px 14px;color:#1f2937}
.spacer{flex:1}
header.bar form{margin:0}
header.bar button{background:transparent;color:#fff;border:1px solid #6b7280;border-radius:6px;padding:4px 10px;cursor:pointer}
main{padding:20px 24px}
h1{font-size:22px;margin:0 0 12px}
h2{font-size:18px;margin:18px 0 8px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:16px 20px;margin:0 0 16px}
.narrow{max-width:480px}
label{display:block;font-weight:600;margin:10px 0 4px}
input[type=email],input[type=password],input[type=text],input[type=search],select{padding:8px 10px;border:1px solid #d1d5db;border-radius:6px;font-size:15px}
button{padding:8px 14px;border-radius:6px;border:1px solid #d1d5db;background:#f47e42;color:#fff;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#374151}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;border-radius:8px;padding:10px 12px}
.note{background:#fffbeb;border:1px solid #fde68a;border-radius:8px;padding:10px 12px}
.muted{color:#6b7280}
table{border-collapse:collapse}
td,th{padding:6px 10px;border-top:1px solid #e5e7eb;text-align:left;vertical-align:top}
iframe.app{display:block;border:1px solid #d1d5db;background:#fff}
.with-panel{display:flex;gap:16px;align-items:stretch}
.with-panel .tool{flex:1}
.with-panel aside{width:400px;flex:none}
.panel-bar{margin:0 0 6px}
.panel-bar button{padding:4px 10px}
"#;

/// What the top bar shows.
pub(crate) struct Nav {
    user: String,
    csrf_form: String,
    company: Option<(i64, String)>,
    companies: Vec<(i64, String)>,
    /// (href or none, label) of the Apps menu.
    apps: Vec<(Option<String>, String)>,
    admin: bool,
}

impl Nav {
    /// Only the user and Sign out.
    pub fn plain(v: &Viewer) -> Self {
        Self {
            user: v.name.clone(),
            csrf_form: csrf_input(v),
            company: None,
            companies: Vec::new(),
            apps: Vec::new(),
            admin: false,
        }
    }

    /// A company's bar; with a project, the Apps menu opens each installed app in it.
    pub fn company(state: &Shared, v: &Viewer, company_id: i64, project: Option<i64>) -> Self {
        let mut nav = Self::plain(v);
        let who = super::super::tokens::Principal::User(v.user_id);
        nav.companies = state
            .seed
            .companies_of(&who)
            .into_iter()
            .map(|(c, _)| (c.id, c.name.clone()))
            .collect();
        nav.company = state
            .seed
            .company(company_id)
            .map(|c| (c.id, c.name.clone()));
        nav.admin = state.seed.membership(&who, company_id) == Some(true);
        let installs = state.installs();
        nav.apps = state
            .opts
            .apps
            .iter()
            .filter(|a| installs.is_installed(company_id, &a.key))
            .map(|a| {
                // Full Screen opens at project level, and at company level (no project).
                let href = match project {
                    Some(p) => format!("/companies/{company_id}/projects/{p}/tools/apps/{}", a.key),
                    None => format!("/companies/{company_id}/tools/apps/{}", a.key),
                };
                let href = Some(href);
                (href, a.name.clone())
            })
            .collect();
        nav
    }

    fn render(&self) -> String {
        let company = match &self.company {
            Some((id, name)) => format!("<a href=\"/companies/{id}\">{}</a>", escape(name)),
            None => String::new(),
        };
        let switch = if self.companies.len() > 1 {
            let items: String = self
                .companies
                .iter()
                .map(|(id, n)| format!("<li><a href=\"/companies/{id}\">{}</a></li>", escape(n)))
                .collect();
            format!(
                "<details class=\"menu\"><summary>Companies</summary><ul>{items}</ul></details>"
            )
        } else {
            String::new()
        };
        let apps = if self.company.is_some() {
            let items: String = if self.apps.is_empty() {
                "<li><span class=\"muted\">No apps installed</span></li>".into()
            } else {
                self.apps
                    .iter()
                    .map(|(href, label)| match href {
                        Some(h) => {
                            format!("<li><a href=\"{}\">{}</a></li>", escape(h), escape(label))
                        }
                        None => format!("<li><span>{}</span></li>", escape(label)),
                    })
                    .collect()
            };
            format!("<details class=\"menu\" id=\"apps-menu\"><summary>Apps</summary><ul aria-label=\"Apps\">{items}</ul></details>")
        } else {
            String::new()
        };
        let admin = match (&self.company, self.admin) {
            (Some((id, _)), true) => {
                format!("<a href=\"/companies/{id}/admin/apps\">App Management</a>")
            }
            _ => String::new(),
        };
        format!(
            "<header class=\"bar\"><a class=\"brand\" href=\"/\">Procore<span class=\"badge\">sandbox</span></a>\
             {company}{switch}<nav aria-label=\"Company\" style=\"display:flex;gap:16px;align-items:center\">{apps}\
             <a href=\"/marketplace\">Marketplace</a>{admin}</nav><span class=\"spacer\"></span>\
             <span>{user}</span><form method=\"post\" action=\"/logout\">{csrf}<button type=\"submit\">Sign out</button></form></header>",
            user = escape(&self.user),
            csrf = self.csrf_form,
        )
    }
}

/// A whole page.
pub(crate) fn page(title: &str, nav: Option<&Nav>, body: &str) -> String {
    let bar = match nav {
        Some(n) => n.render(),
        None => "<header class=\"bar\"><span class=\"brand\">Procore<span class=\"badge\">sandbox</span></span></header>".into(),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · Procore (sandbox)</title><style>{STYLE}</style></head>\
         <body>{bar}<main id=\"main\">{body}</main></body></html>",
        title = escape(title),
    )
}
