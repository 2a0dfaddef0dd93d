//! Safety badges (the **Safety Badge** add-on): a printable badge for every synced user of
//! a Safety project — name, company, role, a badge number and a QR code — listed on the
//! project's Badges page and downloaded as one PDF (`GET /projects/{id}/badges/download.pdf`).
//!
//! The people are the project's Users as the sync keeps them (our database, never Procore
//! at page view); the role is the person's project role(s) from the synced Roles, else
//! their job title. The badge number is derived, not stored: `SB-` and ten characters of
//! the SHA-256 of the company, project and the person's email, so it is the same on every
//! download and differs per project. The QR code holds [`qr_payload`]: the badge number
//! and the project id, nothing secret.

pub mod api;
mod ui;

use serde::{Deserialize, Serialize};

use crate::ids::ProjectId;

pub use ui::BadgesPage;

/// One person's badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    /// First and last name (the email when the names are empty).
    pub name: String,
    /// Their company on the project (may be empty).
    pub company: String,
    /// Project role(s), else job title (may be empty).
    pub role: String,
    /// Stable per person per project (`SB-XXXXX-XXXXX`).
    pub number: String,
}

/// A project's badges page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeList {
    /// The project.
    pub project: ProjectId,
    /// Its name.
    pub project_name: String,
    /// The project holds the Safety Badge add-on now (the list and PDF exist only then).
    pub eligible: bool,
    /// The project holds Safety now.
    pub safety: bool,
    /// Why the project's modules are paused (Inactive: payment pending, Cancelled).
    pub paused: Option<String>,
    /// The caller is a company admin (may add the add-on).
    pub admin: bool,
    /// One badge per synced user, by name (empty without the add-on).
    pub people: Vec<Badge>,
}

/// The badge's PDF address.
pub fn pdf_href(project: ProjectId) -> String {
    format!("/projects/{}/badges/download.pdf", project.get())
}

/// What the QR code of a badge encodes: the badge number and the project, nothing secret
/// (a gate reader or a person checks it against the badge list).
pub fn qr_payload(project: ProjectId, number: &str) -> String {
    format!("SMARTAPP-SAFETY-BADGE {number} PROJECT {}", project.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_payload_names_badge_and_project_only() {
        assert_eq!(
            qr_payload(ProjectId(562_949_953_421_312), "SB-ABCDE-FGHIJ"),
            "SMARTAPP-SAFETY-BADGE SB-ABCDE-FGHIJ PROJECT 562949953421312"
        );
        assert_eq!(pdf_href(ProjectId(7)), "/projects/7/badges/download.pdf");
    }
}
