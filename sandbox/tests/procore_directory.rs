//! Project directory endpoints of the Procore emulator (procore-api.md §5): locations,
//! vendors, users, roles; the bulk-users switch; fault injection.

mod common;

use std::time::Duration;

use common::*;
use sandbox::{start_procore, ProcoreOptions, ProcoreSandbox};
use serde_json::{json, Value};

/// First Summit project (the PM is assigned to it; admins see it).
const P1: i64 = 562_000_000_001;
/// A Summit project the PM is not assigned to.
const P2: i64 = 562_000_000_008;

/// An emulator whose rate limits never get in the way.
async fn start_unlimited() -> ProcoreSandbox {
    let opts = ProcoreOptions {
        rate_limit_hourly: 1_000_000,
        rate_limit_spike: 1_000_000,
        ..ProcoreOptions::default()
    };
    start_procore(opts, None).await.unwrap()
}

struct Api {
    sb: ProcoreSandbox,
    token: String,
    company: i64,
}

struct Res {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Res {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    fn ids(&self) -> Vec<i64> {
        self.body
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect()
    }
}

impl Api {
    async fn new(user: (&str, &str)) -> Api {
        let sb = start_unlimited().await;
        let token = access_token(&sb, user).await;
        Api {
            sb,
            token,
            company: SUMMIT,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Res {
        let url = format!("{}/rest{path}", self.sb.api_base_url());
        let mut req = http()
            .request(method.parse().unwrap(), url)
            .bearer_auth(&self.token)
            .header("Procore-Company-Id", self.company.to_string());
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_owned());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Res {
            status,
            headers,
            body,
        }
    }
    async fn get(&self, path: &str) -> Res {
        self.call("GET", path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Res {
        self.call("POST", path, Some(&body.to_string())).await
    }
    async fn patch(&self, path: &str, body: Value) -> Res {
        self.call("PATCH", path, Some(&body.to_string())).await
    }
    async fn delete(&self, path: &str) -> Res {
        self.call("DELETE", path, None).await
    }
}

/// `filters[updated_at]=T...T` for the `updated_at` of a response.
fn at(v: &Value) -> String {
    let t = v["updated_at"].as_str().unwrap();
    format!("filters[updated_at]={t}...{t}")
}

#[tokio::test]
async fn locations_tree_paging_and_writes() {
    let api = Api::new(ADMIN).await;
    let base = format!("/v1.0/projects/{P1}/locations");
    let all = api.get(&base).await;
    assert_eq!(all.status, 200);
    let total: usize = all.header("total").unwrap().parse().unwrap();
    assert!(total >= 3, "seeded tree");
    let seeded = all.body.as_array().unwrap();
    assert!(seeded
        .iter()
        .any(|l| l["name"].as_str().unwrap().contains('>')));
    for l in seeded {
        assert!(l["code"].is_string() && l["created_at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(all.ids(), {
        let mut ids = all.ids();
        ids.sort();
        ids
    });
    // Paging: per_page=2 follows Link; per_page above 1000 is clamped.
    let page2 = api.get(&format!("{base}?per_page=2&page=2")).await;
    assert_eq!(page2.header("per-page"), Some("2"));
    assert_eq!(page2.ids(), all.ids()[2..4.min(total)].to_vec());
    assert!(page2.header("link").unwrap().contains("rel=\"first\""));
    let clamped = api.get(&format!("{base}?per_page=5000")).await;
    assert_eq!(clamped.header("per-page"), Some("1000"));

    // find_or_create_by_path: 201 creating, then 200 finding the same node.
    let path = json!({"location": {"path": ["Tower Z", "Level 9", "Server Room"]}});
    let made = api
        .post(&format!("{base}/find_or_create_by_path"), path.clone())
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["name"], "Tower Z>Level 9>Server Room");
    assert_eq!(made.body["node_name"], "Server Room");
    let found = api
        .post(&format!("{base}/find_or_create_by_path"), path)
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body["id"], made.body["id"]);
    let level9 = made.body["parent_id"].as_i64().unwrap();

    // Create under a parent; duplicate sibling → 422; blank name → 422.
    let body = json!({"location": {"node_name": "IT Closet", "parent_id": level9}});
    let closet = api.post(&base, body.clone()).await;
    assert_eq!(closet.status, 201);
    assert_eq!(closet.body["name"], "Tower Z>Level 9>IT Closet");
    let dup = api.post(&base, body).await;
    assert_eq!(dup.status, 422);
    assert_eq!(
        dup.body,
        json!({"errors": {"node_name": ["has already been taken"]}})
    );
    let blank = api
        .post(&base, json!({"location": {"node_name": " "}}))
        .await;
    assert_eq!(blank.status, 422);
    // Malformed JSON and a missing wrapper are 400s.
    assert_eq!(api.call("POST", &base, Some("{nope")).await.status, 400);
    let unwrapped = api.post(&base, json!({"node_name": "x"})).await;
    assert_eq!(unwrapped.status, 400);
    assert!(unwrapped.body["errors"].is_string());

    // Rename the level: its children's names follow; updated_at filter shows them.
    let tower = api.get(&format!("{base}/{level9}")).await.body["parent_id"].clone();
    let renamed = api
        .patch(
            &format!("{base}/{level9}"),
            json!({"location": {"node_name": "Level 10"}}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.body["name"], "Tower Z>Level 10");
    let changed = api.get(&format!("{base}?{}", at(&renamed.body))).await;
    let names: Vec<&str> = changed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Tower Z>Level 10>IT Closet"), "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("Tower Z")),
        "only recent nodes: {names:?}"
    );
    let children = api
        .get(&format!("{base}?filters[parent_id]={level9}"))
        .await;
    assert_eq!(children.body.as_array().unwrap().len(), 2);
    // Moving a node below itself is refused.
    let cycle = api
        .patch(
            &format!("{base}/{}", tower),
            json!({"location": {"parent_id": level9}}),
        )
        .await;
    assert_eq!(cycle.status, 422);

    // DELETE v1.0 → 200 and the subtree goes; v1.1 → 204; unknown → 404.
    let gone = api.delete(&format!("{base}/{level9}")).await;
    assert_eq!(gone.status, 200);
    assert_eq!(
        api.get(&format!("{base}/{}", closet.body["id"]))
            .await
            .status,
        404
    );
    let v11 = api
        .delete(&format!("/v1.1/projects/{P1}/locations/{tower}"))
        .await;
    assert_eq!(v11.status, 204);
    assert_eq!(api.get(&format!("{base}/{tower}")).await.status, 404);
    assert_eq!(api.delete(&format!("{base}/{tower}")).await.status, 404);
}

#[tokio::test]
async fn gates_apply_to_directory_endpoints() {
    let api = Api::new(PM).await;
    assert_eq!(
        api.get(&format!("/v1.0/projects/{P1}/users")).await.status,
        200
    );
    let hidden = api.get(&format!("/v1.0/projects/{P2}/users")).await;
    assert_eq!(hidden.status, 404, "a project the PM cannot see");
    let mut other = Api::new(PM).await;
    other.company = HARBOR;
    assert_eq!(
        other
            .get(&format!("/v1.0/projects/{P1}/locations"))
            .await
            .status,
        403
    );
    let res = http()
        .get(format!(
            "{}/rest/v1.0/projects/{P1}/locations",
            api.sb.api_base_url()
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "Procore-Company-Id is required");
    assert!(res.headers().get("x-rate-limit-limit").is_some());
}

#[tokio::test]
async fn users_create_taken_email_remove_and_add() {
    let api = Api::new(ADMIN).await;
    let base = format!("/v1.0/projects/{P1}/users");
    let list = api.get(&base).await;
    assert_eq!(list.status, 200);
    let total: usize = list.header("total").unwrap().parse().unwrap();
    assert!((20..=80).contains(&total), "a few dozen users, got {total}");
    let users = list.body.as_array().unwrap();
    let admin = users
        .iter()
        .find(|u| u["email_address"] == ADMIN.0)
        .expect("sign-in user on the project");
    assert_eq!(
        admin["id"].as_i64(),
        Some(7_100_000_001),
        "one id space with /me"
    );
    for key in [
        "initials",
        "vendor",
        "permission_template",
        "contact_id",
        "last_login_at",
        "is_employee",
    ] {
        assert!(admin.get(key).is_some(), "{key}");
    }
    let vendors: std::collections::HashSet<i64> = users
        .iter()
        .filter_map(|u| u["vendor"]["id"].as_i64())
        .collect();
    assert!(
        (3..=6).contains(&vendors.len()),
        "3-6 vendors, got {}",
        vendors.len()
    );
    // Paging and search (name or email, case-insensitive).
    let page = api.get(&format!("{base}?per_page=10&page=2")).await;
    assert_eq!(page.ids(), list.ids()[10..20].to_vec());
    let found = api.get(&format!("{base}?filters[search]=AVERY")).await;
    assert_eq!(found.ids(), vec![7_100_000_001]);
    let found = api
        .get(&format!("{base}?filters[search]=summitridge.example"))
        .await;
    assert!(found.ids().contains(&7_100_000_001));
    let some_vendor = *vendors.iter().next().unwrap();
    let by_vendor = api
        .get(&format!("{base}?filters[vendor_id][]={some_vendor}"))
        .await;
    assert!(by_vendor
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["vendor"]["id"] == some_vendor));

    // Create → 201; the same email again (any case) → 422 with Procore's body.
    let body = json!({"user": {"email_address": "new.person@example.com", "last_name": "Person",
        "first_name": "New", "job_title": "Estimator", "vendor_id": some_vendor}});
    let made = api.post(&base, body).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["name"], "New Person");
    assert_eq!(made.body["initials"], "NP");
    assert_eq!(made.body["vendor"]["id"], some_vendor);
    let id = made.body["id"].as_i64().unwrap();
    let taken = api
        .post(
            &base,
            json!({"user": {"email_address": "NEW.person@example.com", "last_name": "Again"}}),
        )
        .await;
    assert_eq!(taken.status, 422);
    assert_eq!(
        taken.body,
        json!({"errors": {"email_address": ["has already been taken"]}})
    );
    // Taken even by a company user who is on no project of ours.
    let other = api
        .post(
            &format!("/v1.0/projects/{P2}/users"),
            json!({"user": {"email_address": "new.person@example.com", "last_name": "X"}}),
        )
        .await;
    assert_eq!(other.status, 422);
    for bad in ["no-at-sign", "two@@example.com", "@example.com", "someone@"] {
        let res = api
            .post(
                &base,
                json!({"user": {"email_address": bad, "last_name": "X"}}),
            )
            .await;
        assert_eq!(res.status, 422, "{bad}");
        assert_eq!(res.body["errors"]["email_address"], json!(["is invalid"]));
    }
    let missing = api
        .post(&base, json!({"user": {"email_address": "a@b.c"}}))
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body["errors"]["last_name"].is_array());

    // Remove → 204; the company user stays; add to another project → 200, idempotent.
    assert_eq!(
        api.delete(&format!("{base}/{id}/actions/remove"))
            .await
            .status,
        204
    );
    assert_eq!(api.get(&format!("{base}/{id}")).await.status, 404);
    let company_user = api
        .get(&format!("/v1.3/companies/{SUMMIT}/users/{id}"))
        .await;
    assert_eq!(company_user.status, 200);
    let search = api
        .get(&format!(
            "/v1.3/companies/{SUMMIT}/users?filters[search]=new.person"
        ))
        .await;
    assert_eq!(search.ids(), vec![id]);
    let added = api
        .post(
            &format!("/v1.0/projects/{P2}/users/{id}/actions/add"),
            json!({}),
        )
        .await;
    assert_eq!(added.status, 200);
    let again = api
        .post(
            &format!("/v1.0/projects/{P2}/users/{id}/actions/add"),
            json!({}),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["updated_at"], added.body["updated_at"]);
    // Membership changes bump updated_at: the project list's filter sees the user.
    let recent = api
        .get(&format!("/v1.0/projects/{P2}/users?{}", at(&added.body)))
        .await;
    assert_eq!(recent.ids(), vec![id]);
    let patched = api
        .patch(
            &format!("/v1.0/projects/{P2}/users/{id}"),
            json!({"user": {"job_title": "Chief Estimator"}}),
        )
        .await;
    assert_eq!(patched.body["job_title"], "Chief Estimator");
    assert_eq!(api.get(&format!("{base}/999")).await.status, 404);
    assert_eq!(
        api.post(&format!("{base}/999/actions/add"), json!({}))
            .await
            .status,
        404
    );
    // Company users page too.
    let company = api
        .get(&format!("/v1.3/companies/{SUMMIT}/users?per_page=25"))
        .await;
    assert_eq!(company.body.as_array().unwrap().len(), 25);
    assert!(company.header("link").unwrap().contains("rel=\"next\""));
}

#[tokio::test]
async fn vendors_project_and_company_lists() {
    let api = Api::new(ADMIN).await;
    let base = format!("/v1.0/projects/{P1}/vendors");
    let list = api.get(&base).await;
    assert_eq!(list.status, 200);
    let n = list.body.as_array().unwrap().len();
    assert!((3..=6).contains(&n));
    let first = &list.body[0];
    assert_eq!(first["company_vendor"], true);
    assert!(first["project_ids"]
        .as_array()
        .unwrap()
        .contains(&json!(P1)));
    assert_eq!(
        api.get(&format!("/v1.1/projects/{P1}/vendors")).await.ids(),
        list.ids()
    );
    // The project list ignores filters[updated_at] (Procore has none there).
    let ignored = api
        .get(&format!(
            "{base}?filters[updated_at]=2000-01-01...2000-01-02"
        ))
        .await;
    assert_eq!(ignored.ids(), list.ids());

    let body =
        json!({"vendor": {"name": "Acme Fencing", "origin_id": "erp-42", "trade_name": "Fencing"}});
    let made = api.post(&base, body.clone()).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_i64().unwrap();
    assert_eq!(made.body["project_ids"], json!([P1]));
    let dup = api
        .post(&format!("/v1.0/projects/{P2}/vendors"), body)
        .await;
    assert_eq!(dup.status, 422);
    assert_eq!(
        dup.body["errors"]["origin_id"],
        json!(["has already been taken"])
    );
    assert_eq!(
        api.post(&base, json!({"vendor": {"city": "X"}}))
            .await
            .status,
        422
    );

    // Remove → 204, stays in the company directory with the membership change visible.
    assert_eq!(
        api.delete(&format!("{base}/{id}/actions/remove"))
            .await
            .status,
        204
    );
    assert_eq!(api.get(&format!("{base}/{id}")).await.status, 404);
    assert_eq!(
        api.patch(&format!("{base}/{id}"), json!({"vendor": {"city": "X"}}))
            .await
            .status,
        404
    );
    let company = api
        .get(&format!(
            "/v1.0/vendors?company_id={SUMMIT}&filters[origin_id]=erp-42"
        ))
        .await;
    assert_eq!(company.ids(), vec![id]);
    assert_eq!(company.body[0]["project_ids"], json!([]));
    let recent = api
        .get(&format!(
            "/v1.0/vendors?company_id={SUMMIT}&{}",
            at(&company.body[0])
        ))
        .await;
    assert_eq!(recent.ids(), vec![id]);
    // Add (idempotent) → 200 on another project; PATCH on the project.
    let added = api
        .post(
            &format!("/v1.0/projects/{P2}/vendors/{id}/actions/add"),
            json!({}),
        )
        .await;
    assert_eq!(added.status, 200);
    assert_eq!(added.body["project_ids"], json!([P2]));
    assert_eq!(
        api.post(
            &format!("/v1.0/projects/{P2}/vendors/{id}/actions/add"),
            json!({})
        )
        .await
        .status,
        200
    );
    let patched = api
        .patch(
            &format!("/v1.0/projects/{P2}/vendors/{id}"),
            json!({"vendor": {"city": "Boulder"}}),
        )
        .await;
    assert_eq!(patched.body["city"], "Boulder");
    // Company directory create and update.
    let c = api
        .post(
            "/v1.0/vendors",
            json!({"company_id": SUMMIT, "vendor": {"name": "Direct Co"}}),
        )
        .await;
    assert_eq!(c.status, 201);
    let cid = c.body["id"].as_i64().unwrap();
    assert!(cid > id, "one counter");
    let u = api
        .patch(
            &format!("/v1.0/vendors/{cid}?company_id={SUMMIT}"),
            json!({"vendor": {"is_active": false}}),
        )
        .await;
    assert_eq!(u.body["is_active"], false);
    let search = api
        .get(&format!(
            "/v1.0/vendors?company_id={SUMMIT}&filters[search]=direct"
        ))
        .await;
    assert_eq!(search.ids(), vec![cid]);
}

#[tokio::test]
async fn roles_catalogue_and_assignments() {
    let api = Api::new(ADMIN).await;
    let roles = api.get(&format!("/v1.0/companies/{SUMMIT}/roles")).await;
    let names: Vec<&str> = roles
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Project Owner",
            "Project Manager",
            "Superintendent",
            "Project Engineer",
            "Safety Manager",
            "Foreman"
        ]
    );
    let list = api
        .get(&format!("/v1.0/project_roles?project_id={P1}"))
        .await;
    assert_eq!(list.status, 200);
    let seeded = list.body.as_array().unwrap().len();
    assert!((3..=6).contains(&seeded));
    assert!(list.body[0]["name"].is_string() && list.body[0]["contact_id"].is_i64());

    let user = api
        .post(
            &format!("/v1.0/projects/{P1}/users"),
            json!({"user": {"email_address": "sm@example.com", "last_name": "Safety"}}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let assign = |role: &str, user: i64| json!({"project_id": P1, "project_role": {"role": role, "user_id": user}});
    let made = api
        .post("/v1.0/project_roles", assign("Safety Manager", user))
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["role"], "Safety Manager");
    assert_eq!(made.body["name"], "Safety");
    assert_eq!(
        api.post("/v1.0/project_roles", assign("Safety Manager", user))
            .await
            .status,
        409
    );
    assert_eq!(
        api.post("/v1.0/project_roles", assign("Astronaut", user))
            .await
            .status,
        422
    );
    assert_eq!(
        api.post("/v1.0/project_roles", assign("Foreman", 42))
            .await
            .status,
        404
    );
    let foreman = api
        .post("/v1.0/project_roles", assign("Foreman", user))
        .await;
    assert_eq!(foreman.status, 201);
    let rid = foreman.body["id"].as_i64().unwrap();
    assert_eq!(
        api.delete(&format!("/v1.0/project_roles/{rid}?project_id={P1}"))
            .await
            .status,
        204
    );
    assert_eq!(
        api.delete(&format!("/v1.0/project_roles/{rid}?project_id={P1}"))
            .await
            .status,
        404
    );
    let after = api
        .get(&format!("/v1.0/project_roles?project_id={P1}"))
        .await;
    assert_eq!(after.body.as_array().unwrap().len(), seeded + 1);
    // Removing the user from the project removes their roles.
    api.delete(&format!("/v1.0/projects/{P1}/users/{user}/actions/remove"))
        .await;
    let after = api
        .get(&format!("/v1.0/project_roles?project_id={P1}"))
        .await;
    assert_eq!(after.body.as_array().unwrap().len(), seeded);
}

#[tokio::test]
async fn seeded_directories_are_deterministic() {
    let (a, b) = (Api::new(ADMIN).await, Api::new(ADMIN).await);
    for path in [
        format!("/v1.0/projects/{P2}/locations"),
        format!("/v1.0/projects/{P2}/users"),
        format!("/v1.0/projects/{P2}/vendors"),
        format!("/v1.0/project_roles?project_id={P2}"),
    ] {
        // Touch another project first on one side: ids must not depend on the order.
        a.get(&format!("/v1.0/projects/{P1}/locations")).await;
        assert_eq!(a.get(&path).await.body, b.get(&path).await.body, "{path}");
    }
}

#[tokio::test]
async fn bulk_users_switch_adds_ten_thousand() {
    let api = Api::new(ADMIN).await;
    let before: usize = api
        .get(&format!("/v1.0/projects/{P1}/users"))
        .await
        .header("total")
        .unwrap()
        .parse()
        .unwrap();
    let started = std::time::Instant::now();
    let res = http()
        .post(format!(
            "{}/__sandbox/procore/projects/{P1}/bulk-users?count=10000",
            api.sb.api_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"added": 10000}));
    assert!(started.elapsed() < Duration::from_secs(5));
    let page = api
        .get(&format!("/v1.0/projects/{P1}/users?per_page=1000&page=11"))
        .await;
    assert_eq!(
        page.header("total"),
        Some((before + 10_000).to_string().as_str())
    );
    assert_eq!(page.body.as_array().unwrap().len(), before);
    assert!(page.body[0]["vendor"]["id"].is_i64());
    let bad = http()
        .post(format!(
            "{}/__sandbox/procore/projects/{P1}/bulk-users?count=x",
            api.sb.api_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

async fn set_faults(sb: &ProcoreSandbox, body: Value) -> reqwest::Response {
    http()
        .post(format!("{}/__sandbox/faults", sb.api_base_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn faults_are_deterministic_and_counted() {
    let api = Api::new(ADMIN).await;
    let path = format!("/v1.0/projects/{P1}/locations");
    let mut runs = Vec::new();
    for _ in 0..2 {
        let res = set_faults(
            &api.sb,
            json!({"rate": 0.5, "kinds": ["429", "500", "503"], "seed": 42}),
        )
        .await;
        assert_eq!(res.status(), 200);
        let mut seen = Vec::new();
        for _ in 0..30 {
            let r = api.get(&path).await;
            match r.status {
                429 | 503 => assert_eq!(r.header("retry-after"), Some("1")),
                500 => assert_eq!(r.body, json!({"errors": "Internal Server Error"})),
                _ => {}
            }
            if r.status == 429 {
                assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
                assert!(r.header("x-rate-limit-limit").is_some());
            }
            seen.push(r.status);
        }
        runs.push(seen);
    }
    assert_eq!(runs[0], runs[1], "same seed, same faults");
    let faulted = runs[0].iter().filter(|s| **s != 200).count();
    assert!((5..=25).contains(&faulted), "{:?}", runs[0]);
    let stats = api.sb.stats();
    assert_eq!(
        (stats.faults_429 + stats.faults_500 + stats.faults_503) as usize,
        2 * faulted
    );
    assert_eq!(stats.rate_limited, 0, "injected 429s are counted apart");
    let shown: Value = http()
        .get(format!("{}/__sandbox/faults", api.sb.api_base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["seed"], 42);
    assert_eq!(set_faults(&api.sb, json!({"rate": 2})).await.status(), 400);
    assert_eq!(
        set_faults(&api.sb, json!({"kinds": ["boom"]}))
            .await
            .status(),
        400
    );
    // Off: `{"rate":0}`, and DELETE.
    set_faults(&api.sb, json!({"rate": 0})).await;
    for _ in 0..10 {
        assert_eq!(api.get(&path).await.status, 200);
    }
    let off = http()
        .delete(format!("{}/__sandbox/faults", api.sb.api_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
}

#[tokio::test]
async fn timeout_fault_performs_the_write_first() {
    let api = Api::new(ADMIN).await;
    set_faults(
        &api.sb,
        json!({"rate": 1, "kinds": ["timeout"], "timeout_ms": 1500}),
    )
    .await;
    let url = format!("{}/rest/v1.0/projects/{P1}/users", api.sb.api_base_url());
    let err = http()
        .post(url)
        .bearer_auth(&api.token)
        .header("Procore-Company-Id", SUMMIT.to_string())
        .timeout(Duration::from_millis(300))
        .json(&json!({"user": {"email_address": "slow@example.com", "last_name": "Slow"}}))
        .send()
        .await;
    assert!(err.is_err_and(|e| e.is_timeout()), "the client gives up");
    http()
        .delete(format!("{}/__sandbox/faults", api.sb.api_base_url()))
        .send()
        .await
        .unwrap();
    // The write happened: a retry that creates again meets 422, a lookup finds the user.
    let again = api
        .post(
            &format!("/v1.0/projects/{P1}/users"),
            json!({"user": {"email_address": "slow@example.com", "last_name": "Slow"}}),
        )
        .await;
    assert_eq!(again.status, 422);
    let found = api
        .get(&format!(
            "/v1.0/projects/{P1}/users?filters[search]=slow@example.com"
        ))
        .await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    assert_eq!(api.sb.stats().faults_timeout, 1);
    // Latency applies to every call.
    set_faults(&api.sb, json!({"latency_ms": 200})).await;
    let started = std::time::Instant::now();
    assert_eq!(api.get("/v1.0/me").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
}
