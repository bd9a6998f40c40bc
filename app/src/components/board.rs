//! The board's view: notices, toolbar, cards, failed sign-ins, history
//! and pager. Cards, rows and notices are keyed by session id, so a refetch
//! patches the text that changed, adds or removes one element, and leaves
//! the others (and whatever is being typed or focused in them) alone.
use super::PostForm;
use super::card::Card;
use super::failed::failed_sign_ins;
use super::history::HistoryLine;
use super::notice::Notices;
use super::state::{Board, refusal};
use super::{Alerts, proof_field, submit_button};
use crate::contract::{Page, query};
use crate::dashboard::{BoardQuery, Dashboard};
use crate::messages::{self, confirm_sign_out, plural};
use crate::server_fns::board::SignOutEverywhere;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

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
                    <PostForm action=sign_out>
                        {proof_field(board.proof)}
                        {submit_button("btn btn-danger", button, busy)}
                    </PostForm>
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
