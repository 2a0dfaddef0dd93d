//! Which client bundle each page loads (app/src/bundle.rs): the page's hydration scripts name
//! its area's bundle, `project-central[-area].{js,wasm}`, and no other.

use crate::helpers::app::{spawn_app_with, TestApp};
use crate::helpers::demo::ADMIN;

/// The bundle file names a page's HTML refers to.
async fn bundles_of(app: &TestApp, path: &str) -> Vec<String> {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    assert!(status == 200 || status == 404, "{path}: {status}");
    let html = response.text().await.unwrap();
    let mut names: Vec<String> = html
        .match_indices("/pkg/project-central")
        .map(|(at, _)| {
            let rest = &html[at + "/pkg/".len()..];
            rest[..rest.find(['"', '\'']).unwrap()].to_string()
        })
        .filter(|name| !name.ends_with(".css"))
        // Outside cargo-leptos (as in `cargo test`) Leptos names the wasm `{name}_bg.wasm`.
        .map(|name| name.replace("_bg.wasm", ".wasm"))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[tokio::test]
async fn each_page_names_its_areas_bundle_and_no_other() {
    let app = spawn_app_with(&[], |options| {
        options.output_name = "project-central".into();
    })
    .await;
    let main = ["project-central.js", "project-central.wasm"];
    let area = |name: &str| {
        [
            format!("project-central-{name}.js"),
            format!("project-central-{name}.wasm"),
        ]
    };
    let wizard = area("wizard");
    assert_eq!(bundles_of(&app, "/").await, main, "signed out");
    app.sign_in(ADMIN.0, ADMIN.1).await;
    assert_eq!(bundles_of(&app, "/licensing").await, wizard);
    assert_eq!(bundles_of(&app, "/licensing/").await, wizard);
    assert_eq!(bundles_of(&app, "/licensing?module=safety").await, wizard);
    for path in [
        "/projects",
        "/billing",
        "/account/disconnect",
        "/licensing/x",
        "/no-such-page",
    ] {
        assert_eq!(bundles_of(&app, path).await, main, "{path}");
    }
}
