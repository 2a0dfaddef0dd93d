//! Who is signed in and which Procore company they work in, and the server functions
//! that read and change it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::{CompanyId, UserId};

/// A Procore company the signed-in user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySummary {
    /// Procore company id.
    pub id: CompanyId,
    /// Company name as Procore shows it.
    pub name: String,
}

/// The signed-in user, their companies and the one they are working in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// Procore user id.
    pub user_id: UserId,
    /// Display name.
    pub name: String,
    /// Login (e-mail).
    pub login: String,
    /// Companies the user belongs to, by name.
    pub companies: Vec<CompanySummary>,
    /// The current company.
    pub company_id: CompanyId,
    /// Whether the user is a company admin of the current company (may buy licences).
    pub is_admin: bool,
}

impl Viewer {
    /// Name of the current company.
    pub fn company_name(&self) -> &str {
        self.companies
            .iter()
            .find(|c| c.id == self.company_id)
            .map(|c| c.name.as_str())
            .unwrap_or("")
    }
}

/// The viewer as a page's resource, fetched again whenever `version` changes (a company
/// switch). Every page takes it from here, so the WASM bundle carries one viewer resource
/// rather than one per page (nine of them cost ~19 KB of code).
pub fn viewer_resource(version: Signal<usize>) -> Resource<Result<Option<Viewer>, AppError>> {
    Resource::new(move || version.get(), |_| get_viewer())
}

/// Who is signed in (`None` when signed out).
#[server(endpoint = "get_viewer", output = crate::codec::JsonText)]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::ports::serve_session;
    serve_session(|s, session| async move { s.accounts.viewer(&session).await }).await
}

/// Switch the current company.
#[server(endpoint = "switch_company", output = crate::codec::JsonText)]
pub async fn switch_company(company_id: CompanyId) -> Result<(), AppError> {
    use crate::ports::serve_session;
    serve_session(|s, session| async move { s.accounts.switch_company(&session, company_id).await })
        .await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos::server_fn::axum_export::body::Body;
    use leptos::server_fn::codec::{FromReq, PostUrl};

    use super::*;

    #[tokio::test]
    async fn company_switch_still_reads_a_plain_number_from_the_form() {
        let request = http::Request::post("/api/switch_company")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("company_id=123"))
            .unwrap();
        let args = <SwitchCompany as FromReq<PostUrl, _, AppError>>::from_req(request)
            .await
            .unwrap();
        assert_eq!(args.company_id, CompanyId(123));
    }
}
