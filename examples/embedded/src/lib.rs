//! A small app of its own (a notes page and a profile page) that signs
//! people up and in with Sessionboard's store, and shows "Your sessions":
//! every device signed in, each with an End button, and "End all others".
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sessionboard_layer::{ClientIp, Facts, MaybeSignedIn, SessionLayer, SignIn, SignedIn};
use sessions::{SessionStore, StoreError};

/// The app over `store`, served at `origin`.
pub fn app(store: SessionStore, origin: &str) -> anyhow::Result<Router> {
    let layer = SessionLayer::builder(store, origin).build()?;
    Ok(Router::new()
        .route("/", get(home))
        .route("/signup", get(|| async { form("Sign up") }).post(signup))
        .route("/signin", get(|| async { form("Sign in") }).post(signin))
        .route("/signout", post(signout))
        .route("/notes", get(notes))
        .route("/profile", get(profile))
        .route("/sessions", get(sessions_page))
        .route("/sessions/{id}/end", post(end_one))
        .route("/sessions/end-others", post(end_others))
        .route("/whoami", get(whoami))
        .with_state(layer.clone())
        .layer(layer)
        // Outside the layer: a probe needs no session.
        .route("/livez", get(|| async { "ok" })))
}

async fn whoami(SignedIn(me): SignedIn) -> String {
    me.username.clone()
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><title>{title}</title><nav><a href=/notes>Notes</a> <a href=/profile>Profile</a> \
         <a href=/sessions>Your sessions</a></nav><h1>{title}</h1>{body}"
    ))
}

/// Text for an HTML page: the store's values are not markup.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn refused(e: StoreError) -> Response {
    let text = match e {
        StoreError::InvalidCredentials => "Wrong username or password.",
        StoreError::UsernameTaken => "That username is taken.",
        StoreError::InvalidUsername | StoreError::InvalidPassword => {
            "Choose a username, and a password of 8 characters or more."
        }
        StoreError::RateLimited { .. } => "Too many attempts: wait a little.",
        StoreError::ReauthRequired => {
            "Sign in again to end sessions (the last sign-in was over 10 minutes ago)."
        }
        StoreError::SessionNotFound => "That session has ended already.",
        _ => "Something went wrong; try again.",
    };
    (
        axum::http::StatusCode::BAD_REQUEST,
        page("Sorry", &format!("<p role=alert>{text}</p>")),
    )
        .into_response()
}

async fn home(MaybeSignedIn(me): MaybeSignedIn) -> Html<String> {
    let who = me.map_or(
        "<a href=/signin>Sign in</a> or <a href=/signup>sign up</a>.".into(),
        |me| format!("Signed in as {}.", esc(&me.username)),
    );
    page("Home", &format!("<p>{who}</p>"))
}

const CREDENTIALS: &str = "<label>Username <input name=username required></label> \
    <label>Password <input name=password type=password required></label>";

fn form(title: &str) -> Html<String> {
    page(
        title,
        &format!("<form method=post>{CREDENTIALS}<button>{title}</button></form>"),
    )
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

async fn signup(
    State(layer): State<SessionLayer>,
    ClientIp(ip): ClientIp,
    facts: Facts,
    Form(c): Form<Credentials>,
) -> Response {
    if let Err(e) = layer.store().register(&c.username, &c.password, ip).await {
        return refused(e);
    }
    signin(State(layer), facts, Form(c)).await
}

async fn signin(
    State(layer): State<SessionLayer>,
    Facts(facts): Facts,
    Form(c): Form<Credentials>,
) -> Response {
    match layer.sign_in(&c.username, &c.password, &facts).await {
        Ok(SignIn::SignedIn { set_cookie, .. }) => {
            ([(SET_COOKIE, set_cookie)], Redirect::to("/notes")).into_response()
        }
        Ok(_) => page(
            "Sign in",
            "<p>This account needs a second factor: sign in on Sessionboard.</p>",
        )
        .into_response(),
        Err(e) => refused(e),
    }
}

async fn signout(State(layer): State<SessionLayer>, SignedIn(me): SignedIn) -> Response {
    match layer.sign_out(&me).await {
        Ok(clear) => ([(SET_COOKIE, clear)], Redirect::to("/")).into_response(),
        Err(e) => refused(e),
    }
}

async fn notes(SignedIn(me): SignedIn) -> Html<String> {
    page(
        "Notes",
        &format!("<p>{}'s notes would be here.</p>", esc(&me.username)),
    )
}

async fn profile(SignedIn(me): SignedIn) -> Html<String> {
    let since = me.created_at.format("%Y-%m-%d %H:%M UTC");
    page(
        "Profile",
        &format!(
            "<p>{}, signed in on this device since {since}.</p>",
            esc(&me.username)
        ),
    )
}

async fn sessions_page(State(layer): State<SessionLayer>, SignedIn(me): SignedIn) -> Response {
    let list = match layer.store().list_active_sessions(me.user_id).await {
        Ok(list) => list,
        Err(e) => return refused(e),
    };
    let rows: String = list
        .iter()
        .map(|s| {
            let end = if s.id == me.public_id {
                "This device".to_owned()
            } else {
                format!(
                    "<form method=post action=/sessions/{}/end><button>End</button></form>",
                    esc(&s.id)
                )
            };
            format!(
                "<li>{} · {} · last active {} {end}</li>",
                esc(&s.display_name()),
                esc(&s.ip),
                s.last_seen_at.format("%Y-%m-%d %H:%M UTC")
            )
        })
        .collect();
    let others =
        "<form method=post action=/sessions/end-others><button>End all others</button></form>";
    page("Your sessions", &format!("<ul>{rows}</ul>{others}<form method=post action=/signout><button>Sign out</button></form>")).into_response()
}

async fn end_one(
    State(layer): State<SessionLayer>,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
) -> Response {
    match layer.store().terminate_session(&me, &id).await {
        Ok(_) => Redirect::to("/sessions").into_response(),
        Err(e) => refused(e),
    }
}

async fn end_others(State(layer): State<SessionLayer>, SignedIn(me): SignedIn) -> Response {
    match layer.store().sign_out_everywhere(&me).await {
        Ok(_) => Redirect::to("/sessions").into_response(),
        Err(e) => refused(e),
    }
}
