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
/// Scale Test 10k: 10,000 active projects (benchmark user only).
pub const SCALE_10K: CompanyId = CompanyId(5_600_000_003);
/// The benchmark user, admin of Scale Test 10k.
pub const BENCH: (&str, &str) = ("bench@scale.example", "sandbox-bench");
/// The benchmark user's Procore id (the sandbox seed's).
pub const BENCH_ID: i64 = 7_100_000_004;
