//! The board: its state (the data and what the person is doing with it),
//! and its view: notices, toolbar, cards, failed sign-ins, history and
//! pager. Cards, rows and notices are keyed by session id, so a refetch
//! patches the text that changed, adds or removes one element, and leaves
//! the others (and whatever is being typed or focused in them) alone.
use super::card::Card;
use super::failed::failed_sign_ins;
use super::history::HistoryLine;
use super::notice::Notices;
use super::{Alerts, reauth_field};
use crate::contract::{Page, query};
use crate::dashboard::{BoardQuery, Dashboard};
use crate::error::{AppError, ErrorKind};
use crate::messages::{self, confirm_sign_out, plural};
use crate::server_fns::board::SignOutEverywhere;
use leptos::ev::SubmitEvent;
use leptos::form::ActionForm;
use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The board's state, shared by its parts (every field is a signal, so
/// the handle is `Copy`).
#[derive(Clone, Copy)]
pub struct Board {
    /// What the server last said.
    pub data: RwSignal<Dashboard>,
    /// Which history page, and whether the confirmation is open.
    pub query: RwSignal<BoardQuery>,
    /// The viewer's clock (one timer for every relative time).
    pub now: RwSignal<i64>,
    /// Times in the viewer's zone (on once hydrated).
    pub local: RwSignal<bool>,
    /// The outcome of the last action.
    pub info: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
    /// What changed live, for screen readers.
    pub announce: RwSignal<String>,
    /// Bumped to ask for fresh data.
    pub version: RwSignal<u64>,
    /// The island's element (the focus goes to its messages).
    pub root: NodeRef<html::Div>,
    /// What a destructive form asks for now: it changes when the proof
    /// lapses (by the clock) or the data says so, not every tick.
    pub proof: Memo<crate::dashboard::Proof>,
}

impl Board {
    pub fn new(
        data: Dashboard,
        query: BoardQuery,
        info: Option<String>,
        error: Option<String>,
    ) -> Self {
        let now = RwSignal::new(data.now_ms);
        let data = RwSignal::new(data);
        Board {
            proof: Memo::new(move |_| data.with(|d| d.proof_at(now.get()))),
            now,
            data,
            query: RwSignal::new(query),
            local: RwSignal::new(false),
            info: RwSignal::new(info),
            error: RwSignal::new(error),
            announce: RwSignal::new(String::new()),
            version: RwSignal::new(0),
            root: NodeRef::new(),
        }
    }

    /// Asks for fresh data.
    pub fn refetch(self) {
        self.version.update(|v| *v += 1);
    }

    /// Reacts to each outcome of `action`: a success says `said` in the
    /// board's messages (where the focus goes) and refreshes the board; a
    /// refusal for want of a fresh proof refreshes it too, so that the
    /// form asks for one. The refusal itself is shown next to the form.
    pub fn on_outcome<S>(
        self,
        action: ServerAction<S>,
        said: impl Fn(S::Output) -> String + 'static,
    ) where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Effect::watch(
            move || action.version().get(),
            move |_, _, _| match action.value().get_untracked() {
                Some(Ok(out)) => {
                    self.error.set(None);
                    self.info.set(Some(said(out)));
                    self.query.update(|q| q.confirm = false);
                    self.refetch();
                    #[cfg(feature = "hydrate")]
                    crate::browser::focus_message(self.root);
                }
                Some(Err(e)) if e.kind == ErrorKind::ReauthRequired => self.refetch(),
                _ => {}
            },
            false,
        );
    }
}

/// The refusal of an action's last run, shown beside its form. A refusal
/// of a plain form post (no script) comes back in the address, and every
/// action of its kind would show it: the page's messages say it once
/// instead, so only refusals of runs on this page are shown here.
pub(crate) fn refusal<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || match action.value().get() {
        Some(Err(e)) if action.version().get() > 0 => Some(view! {
            <p class="alert alert-error form-error" role="alert" tabindex="-1">{e.message()}</p>
        }),
        _ => None,
    }
}

/// "Sign out everywhere": a plain GET of the confirmation without script,
/// opened in place with it.
fn toolbar(board: Board) -> impl IntoView {
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    board.on_outcome(sign_out, messages::signed_out_everywhere);
    let others = move || board.data.with(Dashboard::others);
    let open = move |ev: SubmitEvent| {
        ev.prevent_default();
        board.query.update(|q| q.confirm = true);
    };
    let cancel = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        board.query.update(|q| q.confirm = false);
    };
    let busy = sign_out.pending();
    let action = move || {
        let n = others();
        if n == 0 {
            return None;
        }
        let view = if board.query.with(|q| q.confirm) {
            let (text, button) = confirm_sign_out(n);
            leptos::either::Either::Left(view! {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{text}</p>
                    <ActionForm action=sign_out>
                        {move || reauth_field(board.proof.get())}
                        <button type="submit" class="btn btn-danger" disabled=busy aria-busy=move || busy.get().to_string()>{button}</button>
                    </ActionForm>
                    {refusal(sign_out)}
                    <a href=Page::Sessions.path() class="btn" data-cancel="" on:click=cancel>"Cancel"</a>
                </div>
            })
        } else {
            leptos::either::Either::Right(view! {
                <form action=Page::Sessions.path() method="get" on:submit=open>
                    <input type="hidden" name=query::CONFIRM value=query::CONFIRM_EVERYWHERE/>
                    <button type="submit" class="btn btn-danger-outline">"Sign out everywhere"</button>
                </form>
            })
        };
        Some(view)
    };
    view! {
        <div class="toolbar">
            <p class="count">{move || plural(others() + 1, "active session", "active sessions")}</p>
            {action}
        </div>
    }
}

/// A history paging button: a GET of the sessions page with a cursor
/// without script; in place with it (the address bar follows).
fn pager_button(board: Board, key: &'static str, label: &'static str) -> impl IntoView {
    let cursor = move || {
        board.data.with(|d| match key {
            query::AFTER => d.newer.clone(),
            _ => d.older.clone(),
        })
    };
    move || {
        cursor().map(|c| {
            let go = {
                let c = c.clone();
                move |ev: SubmitEvent| {
                    ev.prevent_default();
                    let q = if key == query::AFTER {
                        BoardQuery {
                            after: Some(c.clone()),
                            ..BoardQuery::default()
                        }
                    } else {
                        BoardQuery {
                            before: Some(c.clone()),
                            ..BoardQuery::default()
                        }
                    };
                    #[cfg(feature = "hydrate")]
                    crate::browser::show_url(&format!("{}?{key}={c}", Page::Sessions.path()));
                    board.query.set(q);
                    board.refetch();
                }
            };
            view! {
                <form action=Page::Sessions.path() method="get" on:submit=go>
                    <input type="hidden" name=key value=c/>
                    <button type="submit" class="btn">{label}</button>
                </form>
            }
        })
    }
}

/// The whole board.
#[component]
pub fn BoardView(board: Board) -> impl IntoView {
    let cards = move || board.data.with(|d| d.cards.clone());
    let rows = move || board.data.with(|d| d.history.clone());
    let failed = move || {
        board
            .data
            .with(|d| failed_sign_ins(d.failed.clone(), d.code_lock.clone(), board.local.into()))
    };
    view! {
        <Alerts error=board.error info=board.info/>
        <p class="visually-hidden" role="status" data-field="announce">{move || board.announce.get()}</p>
        <div class="board" node_ref=board.root>
            <Notices board/>
            {toolbar(board)}
            <div class="cards">
                <For each=cards key=|c| c.id.clone() let:card>
                    <Card board initial=card/>
                </For>
            </div>
            {failed}
            <section class="history" aria-labelledby="history-title">
                <h2 id="history-title">"Session history"</h2>
                <div class="table-wrap" role="region" aria-labelledby="history-title" tabindex="0">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Device and browser"</th>
                                <th scope="col">"Location"</th>
                                <th scope="col">"Login time"</th>
                                <th scope="col">"Duration"</th>
                                <th scope="col">"Status"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=rows key=|r| r.id.clone() let:row>
                                <HistoryLine board initial=row/>
                            </For>
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="History pages">
                    {pager_button(board, query::AFTER, "Newer")}
                    {pager_button(board, query::BEFORE, "Older")}
                </nav>
            </section>
            {move || board.data.with(|d| d.dbip_attribution).then(|| view! {
                <footer class="attribution">
                    <a href="https://db-ip.com">"IP Geolocation by DB-IP"</a>
                </footer>
            })}
        </div>
    }
}
