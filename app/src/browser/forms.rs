//! Login (both steps), register, change password and new API tokens, run
//! in place.
use super::{Message, go, set_busy, show, submitted, text, value};
use crate::contract::{AccountForm, Page};
use crate::messages;
use crate::server_fns::{account, tokens};
use leptos::task::spawn_local;
use web_sys::SubmitEvent;

pub fn submit(form_kind: AccountForm, ev: SubmitEvent, info: Message, error: Message) {
    let Some((form, data)) = submitted(&ev) else {
        return;
    };
    ev.prevent_default();
    let island = super::island_of(&form);
    set_busy(&form, true);
    spawn_local(async move {
        let outcome = match form_kind {
            AccountForm::Login => {
                let (user, password) = (text(&data, "username"), text(&data, "password"));
                match account::login(user, password, value(&data, "rd")).await {
                    // Signed in, or on to the code step.
                    Ok(next) => {
                        go(&next);
                        return;
                    }
                    Err(e) => Err(e),
                }
            }
            AccountForm::LoginVerify => {
                match account::login_verify(text(&data, "code"), value(&data, "rd")).await {
                    // Signed in: to the app it started from, or the sessions.
                    Ok(next) => {
                        go(&next);
                        return;
                    }
                    Err(e) => Err(e),
                }
            }
            AccountForm::Register => account::register(
                text(&data, "username"),
                text(&data, "password"),
                text(&data, "confirm"),
            )
            .await
            .map(|()| None),
            AccountForm::ChangePassword => account::change_password(
                text(&data, "current_password"),
                text(&data, "new_password"),
                text(&data, "confirm"),
                value(&data, "code"),
                value(&data, "sign_out_others"),
            )
            .await
            .map(|n| {
                // Done: the typed passwords should not stay on the screen.
                form.reset();
                Some(messages::password_changed(n))
            }),
            AccountForm::CreateToken => tokens::create_api_token(
                text(&data, "name"),
                text(&data, "scope"),
                text(&data, "days").parse().unwrap_or(0),
                value(&data, "password"),
            )
            .await
            .map(|token| {
                form.reset();
                Some(messages::token_created(&token))
            }),
        };
        if matches!(form_kind, AccountForm::Register) && outcome.is_ok() {
            go(Page::Sessions.path());
            return;
        }
        set_busy(&form, false);
        show(island, info, error, outcome);
    });
}
