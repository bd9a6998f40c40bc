//! "Was this you?" on pages other than the sessions page: the notices
//! refresh from the live stream, and their answers run in place.
use super::{Kept, Message, board_form, set_busy, show, text};
use crate::contract::BoardAction;
use crate::error::ErrorKind;
use crate::messages;
use crate::server_fns::{refresh, review};
use leptos::ev::SubmitEvent;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The notices of a page, in the browser.
#[derive(Clone, Copy)]
pub struct Notices {
    el: NodeRef<Div>,
    info: Message,
    error: Message,
    /// Only the newest refresh may replace them.
    generation: StoredValue<u64>,
}

impl Notices {
    pub fn new(el: NodeRef<Div>, info: Message, error: Message) -> Self {
        Notices {
            el,
            info,
            error,
            generation: StoredValue::new(0),
        }
    }

    /// Opens the live stream; it closes when the calling effect is cleaned up.
    pub fn start(self) {
        let stream = super::live::open(move || self.refresh());
        on_cleanup(move || drop(stream));
    }

    fn refresh(self) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        spawn_local(async move {
            let result = refresh::notices_html().await;
            if self.generation.get_value() != generation {
                return;
            }
            match result {
                Ok(html) => {
                    if let Some(el) = self.el.get_untracked() {
                        let kept = Kept::take(&el);
                        el.set_inner_html(&html);
                        kept.restore(&el);
                    }
                }
                // The stream says why when the session itself ended.
                Err(e) if e.kind == ErrorKind::NotSignedIn => {}
                Err(e) => self.error.set(Some(e.message())),
            }
        });
    }

    /// The two answers, run in place.
    pub fn submit(self, ev: SubmitEvent) {
        let Some((form, data, action)) = board_form(&ev) else {
            return;
        };
        let (info, error) = (self.info, self.error);
        match action {
            BoardAction::ItWasMe => {
                ev.prevent_default();
                set_busy(&form, true);
                let id = text(&data, "id");
                let island = super::island_of(&form);
                spawn_local(async move {
                    let outcome = review::confirm_sign_in(id).await;
                    set_busy(&form, false);
                    if outcome.is_ok() {
                        self.refresh();
                    }
                    let said = outcome.map(|()| Some(messages::CONFIRMED_SIGN_IN.into()));
                    show(island, info, error, said);
                });
            }
            BoardAction::NotMe => {
                ev.prevent_default();
                super::deny(form, &data, info, error, move || self.refresh());
            }
            _ => {}
        }
    }
}
