//! The board rendered from data, without a browser: what the page sends
//! before any script runs (and what the island hydrates).
use super::board::BoardView;
use super::state::Board;
use crate::dashboard::*;
use leptos::prelude::*;

fn card(id: &str, current: bool) -> SessionCard {
    SessionCard {
        id: id.into(),
        device_type: "Mobile".into(),
        platform: "iOS".into(),
        browser: "Mobile Safari 17".into(),
        ip: "89.160.20.128".into(),
        location: at("SE"),
        last_seen_ms: 1_000_000,
        created_ms: 1_000,
        pages_visited: 7,
        current,
        auth_method: "Password".into(),
        name: None,
        title: "Mobile Safari on iOS".into(),
        default_name: "Mobile Safari on iOS".into(),
        marks: Marks::default(),
        place_count: 1,
        places: Vec::new(),
        apps: Vec::new(),
        started_app: None,
    }
}

fn at(code: &str) -> crate::display::Located {
    crate::display::located(&sessions::Location::Country(code.into()))
}

fn render(d: Dashboard, confirm: bool) -> String {
    Owner::new().with(|| {
        let query = BoardQuery {
            confirm,
            ..BoardQuery::default()
        };
        let board = Board::new(d, query, None, None);
        view! { <BoardView board/> }.to_html()
    })
}

fn dashboard() -> Dashboard {
    Dashboard {
        cards: vec![card("me", true), card("other", false)],
        history: vec![
            HistoryRow {
                id: "other".into(),
                device_and_browser: "Mobile · Mobile Safari 17 on iOS".into(),
                location: at("SE"),
                created_ms: 1_000,
                ended_ms: None,
                status: "Active".into(),
                auth_method: "Password".into(),
                name: None,
                marks: Marks::default(),
                apps: Vec::new(),
                answer: None,
            },
            HistoryRow {
                id: "old".into(),
                device_and_browser: "Desktop · Firefox 125 on Linux".into(),
                location: crate::display::located(&sessions::Location::Unknown),
                created_ms: 500,
                ended_ms: Some(60_500),
                status: "Ended — terminated".into(),
                auth_method: "Password + authenticator".into(),
                name: Some("Old <b>laptop</b>".into()),
                marks: Marks {
                    new_device: true,
                    ..Marks::default()
                },
                apps: vec!["Wiki".into(), "Photos".into()],
                answer: Some("Denied".into()),
            },
        ],
        older: Some("500.old".into()),
        newer: None,
        now_ms: 1_060_000,
        proof_until: i64::MAX,
        ..Dashboard::default()
    }
}

#[test]
fn cards_carry_every_field_the_badge_and_terminate_for_others_only() {
    let html = render(dashboard(), false);
    for field in [
        "device-type",
        "platform",
        "browser",
        "ip",
        "location",
        "last-activity",
        "login-time",
        "pages-visited",
    ] {
        assert_eq!(
            html.matches(&format!("data-field=\"{field}\"")).count(),
            2,
            "{field}"
        );
    }
    assert_eq!(html.matches(">This device<").count(), 1);
    assert_eq!(html.matches(">Terminate<").count(), 1);
    assert!(html.contains("action=\"/api/terminate_session\""));
    assert!(html.contains("name=\"id\" value=\"other\""));
    // Flags are images (decorative: the name follows), not emoji.
    assert!(html.contains("<img src=\"/flags/se.svg\" alt=\"\" aria-hidden=\"true\""));
    assert!(html.contains(">Sweden<"));
    assert!(!html.contains("🇸🇪"));
    assert!(html.contains("1 minute ago"), "relative last activity");
    assert!(html.contains("2 active sessions"));
    assert!(html.contains(">Sign out everywhere<"));
    assert!(!html.contains("IP Geolocation by DB-IP"));
}

#[test]
fn history_rows_and_pager() {
    let html = render(dashboard(), false);
    assert!(html.contains("<tr data-session-id=\"other\""));
    assert!(html.contains("Ended — terminated"));
    assert!(html.contains("Desktop · Firefox 125 on Linux"));
    // The running one from the board's clock; the ended one is fixed.
    assert!(html.contains(">17 min<"), "running since 1 s to 1,060 s");
    assert!(html.contains(">1 min<"));
    assert!(html.contains("name=\"before\" value=\"500.old\""));
    assert!(!html.contains(">Newer<"));
}

#[test]
fn the_confirmation_names_the_count() {
    let html = render(dashboard(), true);
    assert!(html.contains("This will sign out 1 other session. This device stays signed in."));
    assert!(html.contains(">Sign out 1 other session<"));
    assert!(html.contains("action=\"/api/sign_out_everywhere\""));
    assert!(html.contains("data-cancel"));
    let mut alone = dashboard();
    alone.cards.truncate(1);
    let html = render(alone, true);
    assert!(!html.contains("Sign out"), "nothing else to sign out");
}

#[test]
fn destructive_forms_ask_for_a_proof_only_outside_the_window() {
    let html = render(dashboard(), true);
    assert!(!html.contains("name=\"password\""));
    let mut stale = dashboard();
    stale.proof_until = 1_059_999;
    let html = render(stale.clone(), true);
    // Once in the Terminate form, once in the confirmation.
    assert_eq!(html.matches("name=\"password\"").count(), 2);
    assert!(html.contains("Your password"));
    // With a second factor, a code instead of the password.
    stale.two_factor_on = true;
    let html = render(stale, true);
    assert_eq!(html.matches("Code from your authenticator app").count(), 2);
    assert!(!html.contains("Your password"));
    assert!(html.contains("autocomplete=\"one-time-code\""));
}

#[test]
fn notices_marks_trail_and_names() {
    let mut d = dashboard();
    assert!(!render(d.clone(), false).contains("Was this you?"));
    d.notices.push(Notice {
        id: "other".into(),
        title: "Mobile Safari on iOS".into(),
        device_type: "Mobile".into(),
        browser: "Mobile Safari 17".into(),
        platform: "iOS".into(),
        location: at("SE"),
        ip: "89.160.20.128".into(),
        created_ms: 1_000,
        marks: Marks {
            new_device: true,
            new_location: true,
            recovery_code: true,
            ..Marks::default()
        },
        started_app: Some("Wiki".into()),
        codes_left: Some(9),
    });
    let other = &mut d.cards[1];
    other.name = Some("Work <laptop>".into());
    other.title = "Work <laptop>".into();
    other.marks.location_changed = true;
    other.place_count = 2;
    other.places = vec![
        PlaceLine {
            ip: "89.160.20.128".into(),
            location: at("SE"),
            first_ms: 2_000,
            last_ms: 3_000,
        },
        PlaceLine {
            ip: "81.2.69.142".into(),
            location: at("GB"),
            first_ms: 1_000,
            last_ms: 1_500,
        },
    ];
    other.started_app = Some("Wiki".into());
    other.apps = vec![
        AppLine {
            name: "Photos".into(),
            last_ms: 1_000_000,
        },
        AppLine {
            name: "Wiki".into(),
            last_ms: 1_060_000 - 86_400_000 - 1,
        },
    ];
    let html = render(d, false);
    // Which apps a session used and when, and where a sign-in started.
    assert!(
        html.contains("Photos · 1 minute ago, Wiki · 1 day ago"),
        "{html}"
    );
    assert_eq!(
        html.matches("data-field=\"apps\"").count(),
        2,
        "the card and the history row"
    );
    assert!(html.contains(" · Wiki, Photos"));
    assert_eq!(
        html.matches("data-field=\"started-app\"").count(),
        2,
        "the card and the notice"
    );
    assert_eq!(html.matches("Was this you?").count(), 1);
    assert!(html.contains(">Yes, it was me<"));
    assert!(html.contains(">No — sign it out<"));
    assert!(html.contains("action=\"/api/confirm_sign_in\""));
    assert!(html.contains("action=\"/api/deny_sign_in\""));
    // Marks: the notice's two, the card's move, the history row's one.
    assert_eq!(html.matches("data-field=\"new-device\"").count(), 2);
    assert_eq!(html.matches("data-field=\"new-location\"").count(), 1);
    assert_eq!(html.matches("data-field=\"location-changed\"").count(), 1);
    assert!(html.contains("Used from 2 places"));
    assert!(html.contains("/flags/gb.svg"));
    // Names are text, escaped; a custom name never hides the device.
    assert!(html.contains("Work &lt;laptop&gt;"));
    assert!(!html.contains("<laptop>"));
    assert!(html.contains("Old &lt;b&gt;laptop&lt;/b&gt;"));
    assert!(
        html.contains("data-field=\"default-name\" class=\"device-line\">Mobile Safari on iOS<")
    );
    assert_eq!(
        html.matches("data-field=\"default-name\"").count(),
        1,
        "only under a custom name"
    );
    assert_eq!(
        html.matches(">Save name<").count(),
        2,
        "every card, own included"
    );
    assert!(html.contains("maxlength=\"60\""));
    assert!(html.contains("data-field=\"answer\" class=\"answer\">Denied<"));
    assert!(html.contains("It signed in with a recovery code: 9 codes left."));
    assert_eq!(html.matches("data-field=\"recovery-code\"").count(), 1);
    assert!(html.contains(" · Password + authenticator"));
    assert_eq!(
        html.matches("data-field=\"auth-method\"").count(),
        4,
        "cards and rows"
    );
}

#[test]
fn the_boards_data_round_trips_and_stays_small() {
    let mut d = dashboard();
    d.cards[1].places = vec![PlaceLine {
        ip: "81.2.69.142".into(),
        location: at("GB"),
        first_ms: 1,
        last_ms: 2,
    }];
    let json = serde_json::to_string(&d).unwrap();
    let back: Dashboard = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
    // Short keys, and nothing said when it is the default.
    assert!(!json.contains("pages_visited"));
    assert!(!json.contains("\"notices\""));
}
