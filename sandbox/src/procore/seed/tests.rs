//! Unit tests of the seed: shapes, visibility, determinism.

use super::*;

#[test]
fn seed_shape_and_speed() {
    let started = std::time::Instant::now();
    let seed = Seed::generate();
    assert!(
        started.elapsed().as_millis() < 500,
        "seed generation is slow"
    );
    assert_eq!(seed.projects_of(SUMMIT_ID).count(), 2_500);
    assert_eq!(seed.projects_of(HARBOR_ID).count(), 36);
    let names: HashSet<_> = seed.projects_of(SUMMIT_ID).map(|p| &p.name).collect();
    assert_eq!(names.len(), 2_500, "project names must be unique");
    let numbers: HashSet<_> = seed
        .projects
        .iter()
        .filter(|p| [SUMMIT_ID, HARBOR_ID].contains(&p.company.id))
        .map(|p| &p.project_number)
        .collect();
    assert_eq!(numbers.len(), 2_536, "project numbers must be unique");
    let inactive = seed.projects_of(SUMMIT_ID).filter(|p| !p.active).count();
    assert_eq!(inactive, 125);
    let first = seed.projects_of(SUMMIT_ID).next().unwrap();
    assert_eq!(first.name, "Riverside Medical Office Building");
    assert_eq!(first.created_at, "2018-01-01T00:00:00Z");
    assert!(seed.companies.iter().all(|c| c.id > i64::from(u32::MAX)));
    assert!(seed.users.iter().all(|u| u.id > i64::from(u32::MAX)));
}

#[test]
fn scale_companies_belong_to_the_bench_user_only() {
    let started = std::time::Instant::now();
    let seed = Seed::generate();
    let elapsed = started.elapsed();
    println!(
        "seed generation: {elapsed:?} for {} projects",
        seed.projects.len()
    );
    for (company, count, prefix) in [(SCALE_10K_ID, 10_000, "STK-"), (SCALE_100_ID, 100, "STH-")] {
        let projects: Vec<_> = seed.projects_of(company).collect();
        assert_eq!(projects.len(), count);
        assert!(projects.iter().all(|p| p.active));
        assert!(projects.iter().all(|p| p.id > i64::from(u32::MAX)));
        assert!(projects
            .iter()
            .all(|p| p.project_number.starts_with(prefix)));
        let names: HashSet<_> = projects.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), count, "project names must be unique");
        let numbers: HashSet<_> = projects.iter().map(|p| &p.project_number).collect();
        assert_eq!(numbers.len(), count, "project numbers must be unique");
        assert!(projects
            .iter()
            .all(|p| p.created_at.as_str() < "2024-07-01"));
    }
    let ten_k: Vec<_> = seed.projects_of(SCALE_10K_ID).collect();
    assert_eq!(ten_k[0].name, "Riverside Medical Office Building");
    assert_eq!(ten_k[9_999].name, "Sunset Sports Complex Phase IV");
    let ids: HashSet<_> = seed.projects.iter().map(|p| p.id).collect();
    assert_eq!(ids.len(), seed.projects.len(), "project ids must be unique");

    let bench = seed.user_by_login("bench@scale.example").unwrap();
    let who = Principal::User(bench.id);
    let companies: Vec<_> = seed.companies_of(&who).iter().map(|(c, _)| c.id).collect();
    assert_eq!(companies, [SCALE_10K_ID, SCALE_100_ID]);
    assert_eq!(seed.membership(&who, SUMMIT_ID), None);
    for login in [
        "admin@summitridge.example",
        "pm@summitridge.example",
        "solo@harborpoint.example",
    ] {
        let user = seed.user_by_login(login).unwrap();
        let who = Principal::User(user.id);
        assert_eq!(seed.membership(&who, SCALE_10K_ID), None);
        assert_eq!(seed.membership(&who, SCALE_100_ID), None);
    }
}

#[test]
fn pm_is_assigned_to_twelve_active_projects() {
    let seed = Seed::generate();
    let pm = seed.user_by_login("PM@summitridge.example").unwrap();
    let who = Principal::User(pm.id);
    let visible: Vec<_> = seed
        .projects_of(SUMMIT_ID)
        .filter(|p| seed.can_see(&who, p))
        .collect();
    assert_eq!(visible.len(), 12);
    assert!(visible.iter().all(|p| p.active));
    assert_eq!(seed.membership(&who, HARBOR_ID), None);
}

#[test]
fn service_account_sees_only_permitted_projects() {
    let seed = Seed::generate();
    let who = Principal::Service {
        client_id: "c".into(),
        user_id: SERVICE_USER_BASE,
    };
    let count = |company| {
        seed.projects_of(company)
            .filter(|p| seed.can_see(&who, p))
            .count()
    };
    assert_eq!(count(SUMMIT_ID), 20);
    assert_eq!(count(HARBOR_ID), 6);
    assert_eq!(
        count(SCALE_100_ID),
        100,
        "scale companies apply to all projects"
    );
    assert_eq!(
        seed.membership(&who, SUMMIT_ID),
        Some(false),
        "not a company admin"
    );
}

#[test]
fn civil_dates() {
    assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00Z");
    assert_eq!(iso_timestamp(1_714_564_800), "2024-05-01T12:00:00Z");
    assert_eq!(iso_date(951_782_400), "2000-02-29");
}
