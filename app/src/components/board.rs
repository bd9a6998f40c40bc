//! The board: toolbar, cards, history and pager, rendered on the server
//! for the page and for every live refresh. `data-rel`, `data-since` and
//! `data-local` mark times the browser keeps current (relative, running
//! duration, viewer's time zone); `data-action` names each form's
//! [`BoardAction`].
use super::card::card;
use super::failed::failed_sign_ins;
use super::history::history_table;
use super::notice::notices;
use super::reauth_field;
use crate::contract::{BoardAction, Page, query};
use crate::dashboard::{Dashboard, Proof};
use crate::messages::{confirm_sign_out, plural};
use crate::server_fns::board::SignOutEverywhere;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn toolbar(others: u64, confirm: bool, reauth: Proof) -> Option<AnyView> {
    if others == 0 {
        return None;
    }
    let view = if confirm {
        let (text, button) = confirm_sign_out(others);
        view! {
            <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                <p id="confirm-text">{text}</p>
                <form action=SignOutEverywhere::PATH method="post" data-action=BoardAction::SignOutEverywhere.as_str()>
                    {reauth_field(reauth)}
                    <button type="submit" class="btn btn-danger">{button}</button>
                </form>
                <a href=Page::Sessions.path() class="btn" data-cancel="">"Cancel"</a>
            </div>
        }
        .into_any()
    } else {
        view! {
            <form action=Page::Sessions.path() method="get" data-action=BoardAction::Confirm.as_str()>
                <input type="hidden" name=query::CONFIRM value=query::CONFIRM_EVERYWHERE/>
                <button type="submit" class="btn btn-danger-outline">"Sign out everywhere"</button>
            </form>
        }
        .into_any()
    };
    Some(view)
}

/// A history paging button: a GET of the sessions page with a cursor.
fn pager_button(key: &'static str, cursor: Option<String>, label: &'static str) -> impl IntoView {
    cursor.map(|c| {
        view! {
            <form action=Page::Sessions.path() method="get" data-action=BoardAction::Page.as_str()>
                <input type="hidden" name=key value=c/>
                <button type="submit" class="btn">{label}</button>
            </form>
        }
    })
}

/// The board as HTML: what the page puts inside its island and what a live
/// refresh sends, from one rendering.
pub fn board_html(d: Dashboard, confirm: bool) -> String {
    board(d, confirm).to_html()
}

pub fn board(d: Dashboard, confirm: bool) -> impl IntoView {
    let now = d.now_ms;
    let others = d.others();
    let reauth = d.reauth;
    let cards = d
        .cards
        .into_iter()
        .map(|c| card(c, now, reauth))
        .collect_view();
    view! {
        {notices(d.notices, reauth)}
        <div class="toolbar">
            <p class="count">{plural(others + 1, "active session", "active sessions")}</p>
            {toolbar(others, confirm, reauth)}
        </div>
        <div class="cards">{cards}</div>
        {failed_sign_ins(d.failed, d.code_lock)}
        <section class="history" aria-labelledby="history-title">
            <h2 id="history-title">"Session history"</h2>
            {history_table(d.history, now)}
            <nav class="pager" aria-label="History pages">
                {pager_button(query::AFTER, d.newer, "Newer")}
                {pager_button(query::BEFORE, d.older, "Older")}
            </nav>
        </section>
        {d.dbip_attribution.then(|| view! {
            <footer class="attribution">
                <a href="https://db-ip.com">"IP Geolocation by DB-IP"</a>
            </footer>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{HistoryRow, Marks, Notice, PlaceLine, SessionCard};

    fn card(id: &str, current: bool) -> SessionCard {
        SessionCard {
            id: id.into(),
            device_type: "Mobile",
            platform: "iOS".into(),
            browser: "Mobile Safari 17".into(),
            ip: "89.160.20.128".into(),
            location: at("SE"),
            last_seen_ms: 1_000_000,
            created_ms: 1_000,
            pages_visited: 7,
            current,
            auth_method: "Password",
            name: None,
            title: "Mobile Safari on iOS".into(),
            default_name: "Mobile Safari on iOS".into(),
            marks: Marks::default(),
            place_count: 1,
            places: Vec::new(),
        }
    }

    fn at(code: &str) -> crate::display::Located {
        crate::display::located(&sessions::Location::Country(code.into()))
    }

    fn render(d: Dashboard, confirm: bool) -> String {
        Owner::new().with(|| board(d, confirm).to_html())
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
                    auth_method: "Password",
                    name: None,
                    marks: Marks::default(),
                    answer: None,
                },
                HistoryRow {
                    id: "old".into(),
                    device_and_browser: "Desktop · Firefox 125 on Linux".into(),
                    location: crate::display::located(&sessions::Location::Unknown),
                    created_ms: 500,
                    ended_ms: Some(60_500),
                    status: "Ended — terminated".into(),
                    auth_method: "Password + authenticator",
                    name: Some("Old <b>laptop</b>".into()),
                    marks: Marks {
                        new_device: true,
                        ..Marks::default()
                    },
                    answer: Some("Denied"),
                },
            ],
            older: Some("500.old".into()),
            newer: None,
            now_ms: 1_060_000,
            dbip_attribution: false,
            reauth: Proof::None,
            notices: Vec::new(),
            two_factor_on: false,
            failed: Vec::new(),
            code_lock: None,
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
        assert!(html.contains("data-action=\"terminate\""));
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
        // The running one ticks in the browser; the ended one is fixed.
        assert!(html.contains("data-since=\"1000\""));
        assert!(html.contains(">1 min<"));
        assert!(html.contains("name=\"before\" value=\"500.old\""));
        assert!(!html.contains(">Newer<"));
    }

    #[test]
    fn the_confirmation_names_the_count() {
        let html = render(dashboard(), true);
        assert!(html.contains("This will sign out 1 other session. This device stays signed in."));
        assert!(html.contains(">Sign out 1 other session<"));
        assert!(html.contains("data-cancel"));
        let mut alone = dashboard();
        alone.cards.truncate(1);
        let html = render(alone, true);
        assert!(!html.contains("Sign out"), "nothing else to sign out");
    }

    #[test]
    fn destructive_forms_ask_for_the_password_only_outside_the_window() {
        let html = render(dashboard(), true);
        assert!(!html.contains("name=\"password\""));
        let mut stale = dashboard();
        stale.reauth = Proof::Password;
        let html = render(stale, true);
        // Once in the Terminate form, once in the confirmation.
        assert_eq!(html.matches("name=\"password\"").count(), 2);
        assert!(html.contains("Your password"));
    }

    #[test]
    fn notices_marks_trail_and_names() {
        let mut d = dashboard();
        assert!(!render(d.clone(), false).contains("Was this you?"));
        d.notices.push(Notice {
            id: "other".into(),
            title: "Mobile Safari on iOS".into(),
            device_type: "Mobile",
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
        let html = render(d, false);
        assert_eq!(html.matches("Was this you?").count(), 1);
        assert!(html.contains(">Yes, it was me<"));
        assert!(html.contains(">No — sign it out<"));
        assert!(html.contains("data-action=\"it-was-me\""));
        assert!(html.contains("data-action=\"not-me\""));
        // Marks: the notice's two, the card's move, the history row's one.
        assert_eq!(html.matches("data-field=\"new-device\"").count(), 2);
        assert_eq!(html.matches("data-field=\"new-location\"").count(), 1);
        assert_eq!(html.matches("data-field=\"location-changed\"").count(), 1);
        assert!(html.contains("Used from 2 places"));
        assert!(html.contains("/flags/gb.svg"));
        // Names are text, escaped; the default where none is given.
        assert!(html.contains("Work &lt;laptop&gt;"));
        assert!(!html.contains("<laptop>"));
        assert!(html.contains("Old &lt;b&gt;laptop&lt;/b&gt;"));
        assert!(html.contains(">Mobile Safari on iOS<"));
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
}
