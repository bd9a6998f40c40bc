//! The board's state: the data and what the person is doing with it,
//! shared by the board's parts, and what an action's outcome does to it.
use crate::dashboard::{BoardQuery, Dashboard};
use crate::error::{AppError, ErrorKind};
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
    refusal_text(Memo::new(move |_| match action.value().get() {
        Some(Err(e)) if action.version().get() > 0 => Some(e.message()),
        _ => None,
    }))
}

fn refusal_text(message: Memo<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! { <p class="alert alert-error form-error" role="alert" tabindex="-1">{m}</p> }
        })
    }
}
