//! Security headers as a browser receives them: a Content-Security-Policy whose script
//! nonce matches the page's scripts, framing from `FRAME_ANCESTORS`, a strict policy on
//! everything that is not HTML, and `no-store` on pages and server-function replies.

use crate::helpers::app::{spawn_app_with, TestApp};
use crate::helpers::demo::ADMIN;

/// The app with a site root holding one static asset, `/pkg/project-central.css`.
async fn app_with_assets(extra: &[(&str, &str)]) -> TestApp {
    app_with_site(extra).await.0
}

/// [`app_with_assets`], and the site root it serves.
async fn app_with_site(extra: &[(&str, &str)]) -> (TestApp, std::path::PathBuf) {
    let site = std::env::temp_dir().join(format!("pc-site-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(
        site.join("pkg/project-central.css"),
        "body { margin: 0; }\n",
    )
    .unwrap();
    let root = site.display().to_string();
    let app = spawn_app_with(extra, |options| {
        options.site_root = root.into();
    })
    .await;
    (app, site)
}

/// `FRAME_ANCESTORS` unset in sandbox mode: our own pages, Procore's web origins and the
/// sandbox's Procore shell.
const DEFAULT_ANCESTORS: &str = "'self' https://app.procore.com https://us02.procore.com \
     https://uk01.procore.com https://sandbox.procore.com \
     https://api-sandbox-monthly.procore.com http://localhost:*";

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

/// The directives of a policy, by name.
fn directives(policy: &str) -> std::collections::HashMap<String, String> {
    policy
        .split(';')
        .filter_map(|d| {
            let d = d.trim();
            let (name, value) = d.split_once(' ').unwrap_or((d, ""));
            (!name.is_empty()).then(|| (name.to_string(), value.trim().to_string()))
        })
        .collect()
}

/// Checks an HTML page's policy and that every script in it carries the header's nonce.
async fn assert_html_policy(app: &TestApp, path: &str, frame_ancestors: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store"),
        "{path}"
    );
    let policy = header(&response, "content-security-policy").expect("a CSP on HTML");
    let d = directives(&policy);
    assert_eq!(d["default-src"], "'self'", "{path}: {policy}");
    assert_eq!(d["style-src"], "'self'");
    assert_eq!(d["img-src"], "'self' data:");
    assert_eq!(d["connect-src"], "'self'");
    assert_eq!(d["base-uri"], "'self'");
    assert_eq!(d["form-action"], "'self'");
    assert_eq!(d["object-src"], "'none'");
    assert_eq!(d["frame-ancestors"], frame_ancestors);
    let script: Vec<&str> = d["script-src"].split(' ').collect();
    assert!(
        script.contains(&"'self'") && script.contains(&"'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(!script.contains(&"'unsafe-inline'") && !script.contains(&"'unsafe-eval'"));
    let nonce = script
        .iter()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .expect("a script nonce")
        .to_string();
    assert!(nonce.len() >= 22, "128 bits or more: {nonce}");

    let html = response.text().await.unwrap();
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(
        !scripts.is_empty(),
        "{path}: the hydration script is inline"
    );
    for tag in scripts {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(
            open.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: a script without this response's nonce: <script{open}>"
        );
    }
    assert!(
        !html.contains(" style=\""),
        "{path}: inline style would need 'unsafe-inline'"
    );
    nonce
}

#[tokio::test]
async fn pages_carry_a_nonce_policy_and_are_not_stored() {
    let app = app_with_assets(&[]).await;
    let home = assert_html_policy(&app, "/", DEFAULT_ANCESTORS).await;
    app.sign_in(ADMIN.0, ADMIN.1).await;
    assert_html_policy(&app, "/projects", DEFAULT_ANCESTORS).await;
    assert_html_policy(&app, "/licensing", DEFAULT_ANCESTORS).await;
    let again = assert_html_policy(&app, "/", DEFAULT_ANCESTORS).await;
    assert_ne!(home, again, "a new nonce per response");

    let missing = app.get("/no-such-page").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        header(&missing, "cache-control").as_deref(),
        Some("no-store")
    );
    let policy = header(&missing, "content-security-policy").unwrap();
    let nonce = directives(&policy)["script-src"]
        .split(' ')
        .find_map(|s| {
            s.strip_prefix("'nonce-")?
                .strip_suffix('\'')
                .map(String::from)
        })
        .unwrap();
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains(&format!("nonce=\"{nonce}\"")),
        "the 404 page's scripts carry the header's nonce too"
    );
}

#[tokio::test]
async fn framing_follows_frame_ancestors() {
    let app = app_with_assets(&[("FRAME_ANCESTORS", "'self' https://app.procore.com")]).await;
    assert_html_policy(&app, "/", "'self' https://app.procore.com").await;
}

#[tokio::test]
async fn server_functions_and_assets_get_the_strict_policy() {
    let app = app_with_assets(&[]).await;
    let reply = app.call("get_viewer", &[]).await;
    assert_eq!(reply.status(), 200);
    assert_eq!(header(&reply, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        header(&reply, "content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );

    let asset = app.get("/pkg/project-central.css").await;
    assert_eq!(asset.status(), 200);
    assert_ne!(
        header(&asset, "cache-control").as_deref(),
        Some("no-store"),
        "static assets stay cacheable"
    );
    assert_eq!(
        header(&asset, "content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    assert_eq!(
        header(&asset, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

/// `path`, accepting the content codings `accept`.
async fn get_encoded(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.base))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

/// A release build made with `--precompress` leaves `name.br` and `name.gz` beside each built
/// file: those bytes go out as they are (compressed once, at the highest level), not the
/// file compressed again per request; a client that takes neither gets the plain file.
#[tokio::test]
async fn precompressed_assets_are_sent_as_built() {
    let (app, site) = app_with_site(&[]).await;
    // Not real brotli: what matters is that these exact bytes are what the server sends.
    let brotli = b"precompressed brotli bytes".to_vec();
    std::fs::write(site.join("pkg/project-central.css.br"), &brotli).unwrap();

    let reply = get_encoded(&app, "/pkg/project-central.css", "gzip, deflate, br, zstd").await;
    assert_eq!(reply.status(), 200);
    assert_eq!(header(&reply, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        header(&reply, "content-type").as_deref(),
        Some("text/css"),
        "the type of the file, not of its .br"
    );
    assert_eq!(reply.bytes().await.unwrap().to_vec(), brotli);

    let plain = get_encoded(&app, "/pkg/project-central.css", "identity").await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, "content-encoding"), None);
    assert_eq!(plain.text().await.unwrap(), "body { margin: 0; }\n");

    // A client that takes only gzip never gets the .br (no .gz here: the plain file, which
    // the compression layer may gzip per request).
    let gzip = get_encoded(&app, "/pkg/project-central.css", "gzip").await;
    assert_eq!(gzip.status(), 200);
    assert_ne!(header(&gzip, "content-encoding").as_deref(), Some("br"));

    let missing = app.get("/pkg/nothing-here.wasm").await;
    assert_eq!(missing.status(), 404);
}

/// Issue 20 item 26: HSTS on every response when `PUBLIC_BASE_URL` is https, never when
/// it is http.
#[tokio::test]
async fn hsts_is_sent_exactly_when_the_public_address_is_https() {
    const HSTS: &str = "max-age=31536000; includeSubDomains";
    let paths = ["/", "/healthz", "/no-such-page", "/pkg/project-central.css"];
    let https = app_with_assets(&[("PUBLIC_BASE_URL", "https://localhost:8443")]).await;
    for path in paths {
        let response = https.get(path).await;
        assert_eq!(
            header(&response, "strict-transport-security").as_deref(),
            Some(HSTS),
            "{path}"
        );
    }
    let api = https.call("get_viewer", &[]).await;
    assert_eq!(
        header(&api, "strict-transport-security").as_deref(),
        Some(HSTS)
    );
    let http = app_with_assets(&[]).await;
    for path in paths {
        let response = http.get(path).await;
        assert_eq!(
            header(&response, "strict-transport-security"),
            None,
            "{path}"
        );
    }
}
