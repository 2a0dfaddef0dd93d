//! Every page's footer carries the configured contacts (SSR and the server function), and
//! the reserved `.invalid` placeholders when nothing is configured.

use app::ui::Contacts;

use crate::helpers::app::spawn_app;
use crate::helpers::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_footer_carries_the_configured_contacts() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[
        ("DATABASE_URL", &db.url),
        ("SUPPORT_EMAIL", "care@acme-builders.example"),
        ("SUPPORT_URL", "https://help.acme-builders.example/smartapp"),
        ("PRIVACY_URL", "https://acme-builders.example/privacy"),
        ("TERMS_URL", "https://acme-builders.example/terms"),
    ])
    .await;
    // Signed out and signed in, on a plain page and on the deletion page.
    for signed_in in [false, true] {
        if signed_in {
            app.sign_in("admin@summitridge.example", "sandbox-admin")
                .await;
        }
        for path in ["/get-started", "/projects", "/account/delete-data"] {
            let html = app.get(path).await.text().await.unwrap();
            for expected in [
                "href=\"mailto:care@acme-builders.example\"",
                "Support: care@acme-builders.example",
                "href=\"https://help.acme-builders.example/smartapp\"",
                "href=\"https://acme-builders.example/privacy\"",
                "href=\"https://acme-builders.example/terms\"",
            ] {
                assert!(html.contains(expected), "{path} ({signed_in}): {expected}");
            }
            assert!(!html.contains("smartapp.invalid"), "{path}: no placeholder");
        }
    }
    let served: Contacts = app.call("site_contacts", &[]).await.json().await.unwrap();
    assert_eq!(served.support_email, "care@acme-builders.example");
    assert_eq!(served.terms_url, "https://acme-builders.example/terms");

    // Unconfigured: the placeholders, on the reserved domain.
    let plain = spawn_app(&[("DATABASE_URL", &TestDb::sqlite().await.url)]).await;
    let html = plain.get("/get-started").await.text().await.unwrap();
    assert!(html.contains("href=\"mailto:support@smartapp.invalid\""));
    db.cleanup().await;
}
