//! The sandbox's demo companies and sign-ins, defined once for every test.

use app::ids::CompanyId;

/// Summit Ridge Builders: 2,500 projects (2,375 active).
pub const SUMMIT: CompanyId = CompanyId(5_600_000_001);
/// Harbor Point Construction: 36 projects.
pub const HARBOR: CompanyId = CompanyId(5_600_000_002);
/// Admin of both companies.
pub const ADMIN: (&str, &str) = ("admin@summitridge.example", "sandbox-admin");
/// A project manager of Summit Ridge, not an admin (sees 12 projects).
pub const PM: (&str, &str) = ("pm@summitridge.example", "sandbox-pm");
