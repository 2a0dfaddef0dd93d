//! Marketplace apps: installs per company and app, the 403 of an uninstalled app,
//! `app_installations` and `app_configurations` (procore-api.md §8.6, §9).

mod common;

use common::*;
use serde_json::{json, Value};

const SAFETY_ID: &str = "smartapp-safety-local";
const SAFETY_SECRET: &str = "smartapp-safety-local-secret";

/// Authorization-code token of `user` for the client `(id, secret)`.
async fn token_for(
    sb: &sandbox::ProcoreSandbox,
    client: (&str, &str),
    user: (&str, &str),
) -> String {
    let res = http()
        .post(format!("{}/oauth/authorize", sb.login_base_url()))
        .form(&[
            ("response_type", "code"),
            ("client_id", client.0),
            ("redirect_uri", REDIRECT),
            ("login", user.0),
            ("password", user.1),
            ("action", "sign_in"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let code = query_value(res.headers()["location"].to_str().unwrap(), "code").unwrap();
    let (status, body) = token(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client.0),
            ("client_secret", client.1),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn installations(sb: &sandbox::ProcoreSandbox, token: &str, company: i64) -> Vec<Value> {
    let path = format!("/rest/v1.0/app_installations?company_id={company}");
    let (status, body) = json_of(get(sb, &path, token, Some(&company.to_string())).await).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn both_apps_are_registered_and_installed_everywhere() {
    let sb = start().await;
    let apps = sb.apps();
    let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Smartapp Planner", "Smartapp Safety"]);
    assert_eq!(
        apps[0].client.client_id, CLIENT_ID,
        "Planner keeps the default client"
    );
    assert!(apps[0]
        .fullscreen_url
        .contains("company_id={{procore.company.id}}&project_id={{procore.project.id}}"));
    let admin = access_token(&sb, ADMIN).await;
    let list = installations(&sb, &admin, SUMMIT).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["app_uid"], CLIENT_ID);
    assert_eq!(list[1]["app_uid"], SAFETY_ID);
    for i in &list {
        assert_eq!(i["status"], "installed");
        assert_eq!(i["semantic_version"], "1.0.0");
        assert_eq!(i["components"], json!(["oauth", "fullscreen", "sidepanel"]));
        assert!(i["uninstalled_at"].is_null());
        assert_eq!(i["installer"]["name"], "Avery Admin");
    }
    assert_eq!(list[1]["developer_app"]["name"], "Smartapp Safety");
    // A Safety token is a token like any other.
    let safety = token_for(&sb, (SAFETY_ID, SAFETY_SECRET), ADMIN).await;
    let path = format!("/rest/v1.1/projects?company_id={SUMMIT}");
    assert_eq!(
        get(&sb, &path, &safety, Some(&SUMMIT.to_string()))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn uninstalling_one_app_cuts_its_tokens_off_that_company_only() {
    let sb = start().await;
    let planner = access_token(&sb, ADMIN).await;
    let safety = token_for(&sb, (SAFETY_ID, SAFETY_SECRET), ADMIN).await;
    let summit = SUMMIT.to_string();
    let harbor = HARBOR.to_string();
    let projects = |c: i64| format!("/rest/v1.1/projects?company_id={c}");

    assert!(sb.uninstall_app("safety", SUMMIT));
    let (status, body) = json_of(get(&sb, &projects(SUMMIT), &safety, Some(&summit)).await).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({ "errors": "App is not connected to this company" })
    );
    // Any company-scoped call, with the rate-limit headers still stamped.
    let res = get(
        &sb,
        &format!("/rest/v1.0/companies/{SUMMIT}/projects"),
        &safety,
        Some(&summit),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(res.headers().contains_key("x-rate-limit-remaining"));
    // The other app, and the same app in the other company, keep working.
    assert_eq!(
        get(&sb, &projects(SUMMIT), &planner, Some(&summit))
            .await
            .status(),
        200
    );
    assert_eq!(
        get(&sb, &projects(HARBOR), &safety, Some(&harbor))
            .await
            .status(),
        200
    );
    // /me, /companies and app_installations still answer.
    assert_eq!(
        get(&sb, "/rest/v1.0/me", &safety, Some(&summit))
            .await
            .status(),
        200
    );
    assert_eq!(
        get(&sb, "/rest/v1.0/companies", &safety, Some(&summit))
            .await
            .status(),
        200
    );
    let list = installations(&sb, &safety, SUMMIT).await;
    assert_eq!(list[1]["status"], "uninstalled");
    assert!(list[1]["uninstalled_at"].is_string());
    assert_eq!(list[0]["status"], "installed");

    // Reinstalling restores it; the HTTP switch does the same as the Rust one.
    let res = http()
        .post(format!(
            "{}/__sandbox/apps/safety/install?company_id={SUMMIT}",
            sb.api_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        get(&sb, &projects(SUMMIT), &safety, Some(&summit))
            .await
            .status(),
        200
    );
    let list = installations(&sb, &safety, SUMMIT).await;
    assert_eq!(list[1]["status"], "installed");
    assert!(list[1]["uninstalled_at"].is_null());
    assert!(sb.is_app_installed("safety", SUMMIT));

    // Planner too, through the HTTP switch; a service account of Planner is cut off as well.
    let res = http()
        .post(format!(
            "{}/__sandbox/apps/planner/uninstall?company_id={HARBOR}",
            sb.login_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, service) = token(
        &sb,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    let service = service["access_token"].as_str().unwrap();
    assert_eq!(
        get(&sb, &projects(HARBOR), service, Some(&harbor))
            .await
            .status(),
        403
    );
    assert_eq!(
        get(&sb, &projects(HARBOR), &planner, Some(&harbor))
            .await
            .status(),
        403
    );
    assert_eq!(
        get(&sb, &projects(SUMMIT), &planner, Some(&summit))
            .await
            .status(),
        200
    );
    let state: Value = http()
        .get(format!("{}/__sandbox/apps", sb.api_base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let harbor_planner = state["apps"][0]["companies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["company_id"] == HARBOR)
        .unwrap()
        .clone();
    assert_eq!(harbor_planner["status"], "uninstalled");
    // Unknown app or company: 404.
    let res = http()
        .post(format!(
            "{}/__sandbox/apps/nope/install?company_id={HARBOR}",
            sb.api_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn configurations_crud_and_filters() {
    let sb = start().await;
    let admin = access_token(&sb, ADMIN).await;
    let summit = SUMMIT.to_string();
    let base = format!(
        "{}/rest/v1.0/companies/{SUMMIT}/app_configurations",
        sb.api_base_url()
    );
    let list = installations(&sb, &admin, SUMMIT).await;
    let safety_install = list[1]["id"].as_i64().unwrap();
    let p1 = 562_000_000_001i64;
    let p2 = 562_000_000_008i64;

    let send = |req: reqwest::RequestBuilder| async {
        json_of(
            req.bearer_auth(&admin)
                .header("Procore-Company-Id", &summit)
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    let (status, made) = send(http().post(&base).json(&json!({
        "app_installation_id": safety_install, "company_id": SUMMIT,
        "title": "Safety on two projects", "project_ids": [p1, p2],
    })))
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["project_ids"], json!([p1, p2]));
    assert_eq!(made["applies_to_all_projects"], false);
    let id = made["id"].as_i64().unwrap();

    let (_, only) = send(http().get(format!(
        "{base}?filters[app_installation_id]={safety_install}"
    )))
    .await;
    assert_eq!(only.as_array().unwrap().len(), 1);
    let (_, by_project) = send(http().get(format!("{base}?filters[project_id]={p2}"))).await;
    assert!(by_project.as_array().unwrap().iter().any(|c| c["id"] == id));
    let (status, shown) = send(http().get(format!("{base}/{id}"))).await;
    assert_eq!(
        (status, shown["title"].as_str()),
        (200, Some("Safety on two projects"))
    );

    let (status, edited) = send(http().patch(format!("{base}/{id}")).json(&json!({
        "title": "Safety everywhere", "applies_to_all_projects": true,
    })))
    .await;
    assert_eq!(status, 200);
    assert_eq!(edited["applies_to_all_projects"], true);
    let (_, by_project) =
        send(http().get(format!("{base}?filters[project_id]=562000000015"))).await;
    assert!(by_project.as_array().unwrap().iter().any(|c| c["id"] == id));

    // Bad bodies: 422 with the field named.
    let (status, err) = send(
        http()
            .post(&base)
            .json(&json!({ "app_installation_id": 1, "title": "x" })),
    )
    .await;
    assert_eq!(status, 422);
    assert!(err["errors"]["app_installation_id"].is_array());
    let (status, err) = send(
        http()
            .patch(format!("{base}/{id}"))
            .json(&json!({ "project_ids": [563_000_000_001i64] })),
    )
    .await;
    assert_eq!(status, 422, "a Harbor project in a Summit configuration");
    assert!(err["errors"]["project_ids"].is_array());

    let (status, _) = send(http().delete(format!("{base}/{id}"))).await;
    assert_eq!(status, 204);
    let (status, _) = send(http().get(format!("{base}/{id}"))).await;
    assert_eq!(status, 404);

    // Not an admin: 403, as before.
    let pm = access_token(&sb, PM).await;
    let path = format!("/rest/v1.0/companies/{SUMMIT}/app_configurations");
    assert_eq!(get(&sb, &path, &pm, Some(&summit)).await.status(), 403);
}
