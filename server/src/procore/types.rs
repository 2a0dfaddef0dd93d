//! The Procore records we read, as Procore sends them (extra fields are ignored).

use serde::Deserialize;

/// `GET /rest/v1.0/me`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProcoreMe {
    /// User id.
    pub id: i64,
    /// Login (e-mail).
    pub login: String,
    /// Display name.
    pub name: String,
}

/// An item of `GET /rest/v1.0/companies`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProcoreCompany {
    /// Company id.
    pub id: i64,
    /// Company name.
    pub name: String,
    /// Whether the company is active.
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

/// `{id, name}` references such as `project_stage`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct NamedRef {
    /// Id.
    pub id: Option<i64>,
    /// Name.
    pub name: Option<String>,
}

/// An item of `GET /rest/v1.1/projects`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProcoreProject {
    /// Project id.
    pub id: i64,
    /// Project name.
    pub name: String,
    /// Project number.
    #[serde(default)]
    pub project_number: Option<String>,
    /// Stage.
    #[serde(default)]
    pub project_stage: Option<NamedRef>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State code.
    #[serde(default)]
    pub state_code: Option<String>,
    /// Active flag.
    #[serde(default)]
    pub active: Option<bool>,
}

/// "City, ST" (or whichever of the two Procore has), to tell similar project names apart.
pub fn place(city: Option<String>, state_code: Option<String>) -> Option<String> {
    match (city, state_code) {
        (Some(city), Some(state)) => Some(format!("{city}, {state}")),
        (Some(city), None) => Some(city),
        (None, state) => state,
    }
}
