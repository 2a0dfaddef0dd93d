//! Word lists the directory seed combines into people, vendors and location trees.

/// Given names.
pub(super) const FIRST: [&str; 40] = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "Carlos",
    "Elizabeth",
    "Daniel",
    "Susan",
    "Matthew",
    "Jessica",
    "Anthony",
    "Sarah",
    "Mark",
    "Karen",
    "Luis",
    "Nancy",
    "Steven",
    "Lisa",
    "Andrew",
    "Betty",
    "Joshua",
    "Angela",
    "Kevin",
    "Emily",
    "Brian",
    "Rosa",
    "George",
    "Michelle",
    "Tyler",
    "Amanda",
    "Jose",
    "Melissa",
    "Ryan",
    "Stephanie",
    "Jacob",
    "Nicole",
];

/// Family names.
pub(super) const LAST: [&str; 40] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
];

/// Job titles of the general contractor's own people.
pub(super) const GC_TITLES: [&str; 8] = [
    "Project Manager",
    "Superintendent",
    "Project Engineer",
    "Assistant Project Manager",
    "Safety Manager",
    "Project Executive",
    "Field Engineer",
    "Estimator",
];

/// Job titles of subcontractor people.
pub(super) const SUB_TITLES: [&str; 6] = [
    "Foreman",
    "Project Manager",
    "Journeyman",
    "Estimator",
    "Office Manager",
    "Apprentice",
];

/// Subcontractors: (name, abbreviation, trade, web domain).
pub(super) const SUBS: [(&str, &str, &str, &str); 14] = [
    (
        "Bright Line Electric",
        "BLE",
        "Electrical",
        "brightline-electric.example",
    ),
    ("Keystone Mechanical", "KMC", "HVAC", "keystonemech.example"),
    (
        "Blue Water Plumbing",
        "BWP",
        "Plumbing",
        "bluewaterplumbing.example",
    ),
    (
        "Ironclad Steel Erectors",
        "ISE",
        "Structural Steel",
        "ironcladsteel.example",
    ),
    (
        "Granite State Concrete",
        "GSC",
        "Concrete",
        "granitestateconcrete.example",
    ),
    (
        "Evergreen Landscaping",
        "EGL",
        "Landscaping",
        "evergreen-landscape.example",
    ),
    (
        "Pinnacle Drywall",
        "PDW",
        "Drywall",
        "pinnacledrywall.example",
    ),
    (
        "Red Rock Excavation",
        "RRX",
        "Earthwork",
        "redrockexcavation.example",
    ),
    (
        "Clearview Glazing",
        "CVG",
        "Glazing",
        "clearviewglazing.example",
    ),
    ("Atlas Roofing", "ATR", "Roofing", "atlasroofing.example"),
    (
        "Sentinel Fire Protection",
        "SFP",
        "Fire Protection",
        "sentinelfire.example",
    ),
    (
        "Meridian Painting",
        "MPC",
        "Painting",
        "meridianpainting.example",
    ),
    (
        "Cornerstone Masonry",
        "CSM",
        "Masonry",
        "cornerstonemasonry.example",
    ),
    (
        "Summit Elevator",
        "SEL",
        "Elevators",
        "summitelevator.example",
    ),
];

/// Top-level areas of a site.
pub(super) const AREAS: [&str; 8] = [
    "Building A",
    "Building B",
    "North Wing",
    "South Wing",
    "Parking Garage",
    "Main Building",
    "East Tower",
    "Site",
];

/// Levels of an area.
pub(super) const LEVELS: [&str; 6] = [
    "Basement", "Level 1", "Level 2", "Level 3", "Level 4", "Roof",
];

/// Rooms of a level.
pub(super) const ROOMS: [&str; 8] = [
    "Electrical Room",
    "Mechanical Room",
    "Lobby",
    "Restrooms",
    "Stair 1",
    "Elevator Lobby",
    "Corridor",
    "Storage",
];
