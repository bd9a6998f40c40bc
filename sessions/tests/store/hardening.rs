//! The second hardening: code guessing bounded per half-done login, per
//! account in a row and by limits every server shares; both factors where
//! they matter; one "needs review" rule; enrolment bound to its session;
//! email changes that wait; failed sign-ins the owner sees; reset links.
use crate::common::*;
use crate::mail::{mail_on, queue, send_all, verified_account};
use crate::two_factor::{code_at, enrolled, password_step};
use sea_orm::EntityTrait;
use sessions::entity::user;
use sessions::{AuthMethod, CODES_PER_LOGIN, FailedStep, LoginStep, MailKind};

const GB: &str = "81.2.69.142";

/// Wrong codes in a row the store has counted for `user_id`.
async fn code_failures(t: &TestDb, user_id: i64) -> i32 {
    user::Entity::find_by_id(user_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .second_factor_failures
}

/// Thirty wrong codes on one half-done login: five are checked, the fifth
/// ends it, and the right code no longer signs it in.
async fn a_pending_login_checks_five_codes_then_ends(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let f = facts(SAFARI_IPHONE, GB);
    let pending = password_step(&t, "alice").await;
    let mut outcomes = Vec::new();
    for _ in 0..30 {
        let r = t
            .store
            .complete_login(pending.expose_secret(), "000000", &f)
            .await;
        outcomes.push(r.map(|_| ()).unwrap_err());
    }
    let wrong = outcomes
        .iter()
        .filter(|e| matches!(e, StoreError::WrongCode))
        .count();
    assert_eq!(wrong, CODES_PER_LOGIN as usize - 1);
    assert!(
        outcomes[CODES_PER_LOGIN as usize - 1..]
            .iter()
            .all(|e| matches!(e, StoreError::TooManyCodes))
    );
    assert_eq!(
        code_failures(&t, e.user_id).await,
        CODES_PER_LOGIN,
        "the 6th to 30th were never checked"
    );
    t.clock.advance(ChronoDuration::seconds(30));
    let right = code_at(&e.secret, t.store.now());
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), &right, &f)
            .await,
        Err(StoreError::TooManyCodes)
    ));
    // Once the network's lock-out is over: the password step again, and
    // the right code: in.
    t.clock.advance(ChronoDuration::minutes(16));
    let right = code_at(&e.secret, t.store.now());
    let again = password_step(&t, "alice").await;
    t.store
        .complete_login(again.expose_secret(), &right, &f)
        .await
        .unwrap();
    assert_eq!(
        code_failures(&t, e.user_id).await,
        0,
        "a success resets the count"
    );
    t.teardown().await;
}

/// Parallel wrong codes on one half-done login: still at most five checked.
async fn parallel_codes_on_one_pending_login_are_bounded(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let pending = password_step(&t, "alice").await;
    let secret = pending.expose_secret().to_owned();
    let tries: Vec<_> = (0..20)
        .map(|_| {
            let (s, p) = (t.store.clone(), secret.clone());
            tokio::spawn(async move {
                s.complete_login(&p, "000000", &facts(SAFARI_IPHONE, GB))
                    .await
                    .map(|_| ())
            })
        })
        .collect();
    for t in tries {
        assert!(t.await.unwrap().is_err());
    }
    assert!(code_failures(&t, e.user_id).await <= CODES_PER_LOGIN);
    t.teardown().await;
}

/// 300 wrong codes from 60 networks, each after the password and long
/// enough apart to pass every cooldown and window: at most 100 are checked
/// (NIST SP 800-63B 5.2.2); then no code is checked until an operator
/// unlocks the account.
async fn wrong_codes_in_a_row_stop_at_one_hundred(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let mut checked = 0;
    for n in 0..300u32 {
        t.clock.advance(ChronoDuration::minutes(61));
        let from = format!("198.51.{}.{}", n % 60, 1 + n % 7);
        let p = match t
            .store
            .login("alice", PASSWORD, &facts(SAFARI_IPHONE, &from))
            .await
            .unwrap()
        {
            LoginStep::SecondFactor(p) => p,
            LoginStep::SignedIn(..) | LoginStep::MakeRoom(_) => panic!("no second step"),
        };
        match t
            .store
            .complete_login(p.expose_secret(), "000000", &facts(SAFARI_IPHONE, &from))
            .await
        {
            Err(StoreError::WrongCode | StoreError::TooManyCodes) => checked += 1,
            Err(StoreError::SecondFactorLocked) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(checked, 100);
    let p = password_step(&t, "alice").await;
    let right = code_at(&e.secret, t.store.now());
    assert!(matches!(
        t.store
            .complete_login(p.expose_secret(), &right, &facts(SAFARI_IPHONE, GB))
            .await,
        Err(StoreError::SecondFactorLocked)
    ));
    assert!(t.store.unlock_second_factor("Alice").await.unwrap());
    assert!(!t.store.unlock_second_factor("nobody").await.unwrap());
    t.store
        .complete_login(p.expose_secret(), &right, &facts(SAFARI_IPHONE, GB))
        .await
        .unwrap();
    t.teardown().await;
}

/// The counts live in the database: a second server and a restarted one
/// see them, for codes and for passwords alike.
async fn every_server_and_a_restart_share_the_counts(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let other = t.second_store(test_config());
    let f = facts(SAFARI_IPHONE, GB);
    let pending = password_step(&t, "alice").await;
    for _ in 0..2 {
        assert!(matches!(
            t.store
                .complete_login(pending.expose_secret(), "000000", &f)
                .await,
            Err(StoreError::WrongCode)
        ));
    }
    for _ in 0..2 {
        assert!(matches!(
            other
                .complete_login(pending.expose_secret(), "000000", &f)
                .await,
            Err(StoreError::WrongCode)
        ));
    }
    // The fifth try, on a "restarted" server: the login's last.
    let restarted = t.second_store(test_config());
    assert!(matches!(
        restarted
            .complete_login(pending.expose_secret(), "000000", &f)
            .await,
        Err(StoreError::TooManyCodes)
    ));
    assert_eq!(code_failures(&t, e.user_id).await, 5);
    // Passwords: five wrong from one network on one server, the sixth
    // refused by the other.
    let bob = user(&t.store, "bob").await;
    for _ in 0..5 {
        assert!(
            t.store
                .verify_login("bob", "wrong guess", ip("203.0.113.7"))
                .await
                .is_err()
        );
    }
    let err = other
        .verify_login("bob", PASSWORD, ip("203.0.113.7"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RateLimited { .. }), "{err:?}");
    assert!(
        other
            .verify_login("bob", PASSWORD, ip("203.0.113.8"))
            .await
            .is_ok()
    );
    let _ = bob;
    t.teardown().await;
}

/// With a second factor, one factor is not enough: re-authentication asks
/// for a code, and a password change for the password and a code.
async fn both_factors_where_they_matter(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(matches!(
        t.store.reauthenticate(&e.first, PASSWORD, ip(GB)).await,
        Err(StoreError::CodeRequired)
    ));
    assert!(!t.store.recently_authenticated(&e.first).await.unwrap());
    let code = code_at(&e.secret, t.store.now());
    t.store
        .reauthenticate(&e.first, &code, ip(GB))
        .await
        .unwrap();
    assert!(t.store.recently_authenticated(&e.first).await.unwrap());

    let change = |code: Option<String>| {
        let (t, first) = (&t, e.first.clone());
        async move {
            t.store
                .change_password(
                    &first,
                    PASSWORD,
                    code.as_deref(),
                    "a new long password",
                    true,
                    ip(GB),
                )
                .await
        }
    };
    assert!(matches!(change(None).await, Err(StoreError::CodeRequired)));
    assert!(matches!(
        change(Some("000000".into())).await,
        Err(StoreError::WrongCode)
    ));
    t.clock.advance(ChronoDuration::seconds(30));
    let code = code_at(&e.secret, t.store.now());
    change(Some(code)).await.unwrap();
    assert!(
        t.store
            .verify_login("alice", "a new long password", ip(GB))
            .await
            .is_ok()
    );
    t.teardown().await;
}

/// "Needs review" is one rule in SQL and in Rust, and it includes the
/// sign-in method: every combination of marks and methods agrees.
async fn the_rule_is_the_same_in_sql_and_rust(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, viewer) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    let methods = ["password", "totp", "recovery"];
    let mut made = Vec::new();
    for bits in 0..8u8 {
        for method in methods {
            let (_, s) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
            let sql = format!(
                "UPDATE sessions SET new_device = {}, new_location = {}, location_changed = {}, \
                 auth_method = '{method}' WHERE public_id = '{}'",
                bits & 1 != 0,
                bits & 2 != 0,
                bits & 4 != 0,
                s.public_id
            );
            use sea_orm::ConnectionTrait;
            t.db.execute_unprepared(&sql).await.unwrap();
            made.push(s.public_id);
        }
    }
    let page = t
        .store
        .sessions_page(
            &viewer,
            &HistoryQuery {
                limit: 200,
                ..HistoryQuery::default()
            },
        )
        .await
        .unwrap();
    let in_rust: HashSet<String> = page
        .active
        .iter()
        .filter(|s| s.id != viewer.public_id && s.needs_review())
        .map(|s| s.id.clone())
        .collect();
    let in_sql: HashSet<String> = t
        .store
        .pending_sign_ins(&viewer)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(in_rust, in_sql);
    // 7 of 8 mark combinations, all 8 with a recovery code.
    assert_eq!(in_sql.len(), 7 * 3 + 1);
    t.teardown().await;
}

/// A recovery-code sign-in from the owner's own device and country: mailed,
/// asked about, unable to answer for others, and ended by "No".
async fn a_recovery_code_sign_in_has_no_blind_spots(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let e = enrolled(&t, "alice").await;
    t.store
        .set_email(&e.first, "alice@example.org")
        .await
        .unwrap();
    let token = send_all(&t.store)
        .await
        .into_iter()
        .find_map(|(_, t)| t)
        .unwrap();
    t.store.verify_email(token.expose_secret()).await.unwrap();
    send_all(&t.store).await;
    // Same device and country as the first session.
    let p = match t
        .store
        .login("alice", PASSWORD, &facts(FIREFOX_LINUX, GB))
        .await
        .unwrap()
    {
        LoginStep::SecondFactor(p) => p,
        _ => panic!(),
    };
    let (token, view) = t
        .store
        .complete_login(p.expose_secret(), &e.recovery[2], &facts(FIREFOX_LINUX, GB))
        .await
        .unwrap();
    assert_eq!(view.auth_method, AuthMethod::PasswordAndRecoveryCode);
    assert!(!view.new_device && !view.new_location);
    assert!(view.needs_review());
    let alert = send_all(&t.store).await;
    assert!(
        alert
            .iter()
            .any(|(m, _)| matches!(&m.kind, MailKind::NewSignIn(f) if f.recovery_code)),
        "the owner is mailed"
    );
    let intruder = t
        .store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    // It vouches for nothing.
    let (_, third) = login(&t.store, e.user_id, SAFARI_IPHONE, "89.160.20.128").await;
    assert!(matches!(
        t.store.confirm_sign_in(&intruder, &third.public_id).await,
        Err(StoreError::NotTrusted)
    ));
    assert!(matches!(
        t.store
            .rename_session(&intruder, &intruder.public_id, "Work laptop")
            .await,
        Err(StoreError::NotTrusted)
    ));
    // The owner's "No" ends it.
    t.store
        .deny_sign_in(&e.first, &intruder.public_id)
        .await
        .unwrap();
    assert!(!is_active(&t.store, &token).await);
    t.teardown().await;
}

/// The secret and the recovery codes belong to the session that asked.
async fn enrolment_belongs_to_the_session_that_started_it(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let alice = user(&t.store, "alice").await;
    let (_, mine) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    let (other_token, other) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    t.store.begin_two_factor(&mine).await.unwrap();
    assert!(
        t.store
            .two_factor_enrolment(&other)
            .await
            .unwrap()
            .is_none()
    );
    let e = t.store.two_factor_enrolment(&mine).await.unwrap().unwrap();
    let code = code_at(&e.secret_base32, t.store.now());
    assert!(matches!(
        t.store.confirm_two_factor(&other, &code, false).await,
        Err(StoreError::WrongCode)
    ));
    assert_eq!(
        t.store
            .confirm_two_factor(&mine, &code, true)
            .await
            .unwrap(),
        1
    );
    assert!(
        !is_active(&t.store, &other_token).await,
        "the others are signed out"
    );
    let (_, later) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    assert!(
        t.store
            .reveal_recovery_codes(&later)
            .await
            .unwrap()
            .is_none()
    );
    let codes = t.store.reveal_recovery_codes(&mine).await.unwrap().unwrap();
    assert!(
        !t.store
            .recovery_codes_saved(&later, &codes.batch)
            .await
            .unwrap()
    );
    assert!(
        t.store
            .reveal_recovery_codes(&mine)
            .await
            .unwrap()
            .is_some()
    );
    // An old proof must be renewed to see them.
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(matches!(
        t.store.reveal_recovery_codes(&mine).await,
        Err(StoreError::ReauthRequired)
    ));
    t.teardown().await;
}

/// A new address waits for its link; the verified one keeps the alerts
/// and hears of the request and of the change.
async fn an_email_change_waits_for_its_verification(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let (alice, me) = verified_account(&t, "alice", "old@example.org").await;
    send_all(&t.store).await;
    // A session waiting for review may not change it.
    let (_, stranger) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    assert!(matches!(
        t.store.set_email(&stranger, "thief@example.net").await,
        Err(StoreError::NotTrusted)
    ));
    // An old proof may not either.
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(matches!(
        t.store.set_email(&me, "new@example.org").await,
        Err(StoreError::ReauthRequired)
    ));
    t.store.reauthenticate(&me, PASSWORD, ip(GB)).await.unwrap();
    t.store.set_email(&me, "new@example.org").await.unwrap();
    let email = t.store.account_email(alice).await.unwrap();
    assert_eq!(email.verified.as_deref(), Some("old@example.org"));
    assert_eq!(email.pending.as_deref(), Some("new@example.org"));
    let sent = send_all(&t.store).await;
    let told = |m: &sessions::QueuedMail| {
        m.to == "old@example.org"
            && matches!(&m.kind, MailKind::Security(n)
                if matches!(n.change, sessions::SecurityChange::EmailChangeRequested { .. }))
    };
    assert!(sent.iter().any(|(m, _)| told(m)), "the old address is told");
    let link = sent
        .iter()
        .find_map(|(m, t)| (m.to == "new@example.org").then(|| t.clone()))
        .flatten()
        .unwrap();
    // Until then, alerts go to the old address.
    login(&t.store, alice, FIREFOX_LINUX, "216.160.83.56").await;
    assert!(
        send_all(&t.store)
            .await
            .iter()
            .any(|(m, _)| m.to == "old@example.org")
    );
    t.store.verify_email(link.expose_secret()).await.unwrap();
    let email = t.store.account_email(alice).await.unwrap();
    assert_eq!(email.verified.as_deref(), Some("new@example.org"));
    assert_eq!(email.pending, None);
    assert!(send_all(&t.store).await.iter().any(|(m, _)| m.to == "old@example.org"
        && matches!(&m.kind, MailKind::Security(n) if n.change == sessions::SecurityChange::EmailChanged)));
    t.teardown().await;
}

/// Failed sign-ins are recorded for the owner, per network and step, with
/// the lock-out; nothing typed is kept.
async fn failed_sign_ins_are_shown_to_the_owner(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let e = enrolled(&t, "alice").await;
    t.store
        .set_email(&e.first, "alice@example.org")
        .await
        .unwrap();
    let token = send_all(&t.store)
        .await
        .into_iter()
        .find_map(|(_, t)| t)
        .unwrap();
    t.store.verify_email(token.expose_secret()).await.unwrap();
    for _ in 0..5 {
        let _ = t
            .store
            .login(
                "alice",
                "secret guess 1",
                &facts(SAFARI_IPHONE, "89.160.20.128"),
            )
            .await;
    }
    let _ = t
        .store
        .login(
            "alice",
            "secret guess 2",
            &facts(FIREFOX_LINUX, "216.160.83.56"),
        )
        .await;
    let _ = t
        .store
        .login(
            "no-such-user",
            "secret guess 3",
            &facts(FIREFOX_LINUX, "216.160.83.56"),
        )
        .await;
    let p = password_step(&t, "alice").await;
    let _ = t
        .store
        .complete_login(p.expose_secret(), "000000", &facts(SAFARI_IPHONE, GB))
        .await;
    let failed = t.store.failed_sign_ins(e.user_id).await.unwrap();
    assert_eq!(failed.len(), 3);
    let se = failed
        .iter()
        .find(|f| f.network == "89.160.20.128")
        .unwrap();
    assert_eq!((se.count, se.step), (5, FailedStep::Password));
    assert!(se.locked_until.is_some(), "that network is locked out");
    assert_eq!(se.platform, "iOS");
    let us = failed
        .iter()
        .find(|f| f.network == "216.160.83.56")
        .unwrap();
    assert!(us.locked_until.is_none());
    let code = failed.iter().find(|f| f.step == FailedStep::Code).unwrap();
    assert_eq!(code.count, 1);
    // The owner is mailed about the wrong code, not about passwords... and
    // not twice for one network within the window.
    let p = password_step(&t, "alice").await;
    let _ = t
        .store
        .complete_login(p.expose_secret(), "000000", &facts(SAFARI_IPHONE, GB))
        .await;
    let rows = queue(&t).await;
    assert_eq!(rows.iter().filter(|r| r.kind == "failed_code").count(), 1);
    // Nothing typed by anyone is stored.
    use sea_orm::ConnectionTrait;
    let dump =
        t.db.query_all_raw(sea_orm::Statement::from_string(
            t.db.get_database_backend(),
            "SELECT * FROM failed_sign_ins".to_owned(),
        ))
        .await
        .unwrap();
    let text = format!("{dump:?}");
    for typed in ["secret guess", "no-such-user", "000000"] {
        assert!(!text.contains(typed), "{typed} was stored");
    }
    // The sessions page carries them.
    let page = t
        .store
        .sessions_page(&e.first, &HistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(page.failed_sign_ins.len(), 3);
    // Pruned after 30 days.
    t.clock.advance(ChronoDuration::days(31));
    t.store.prune_history().await.unwrap();
    assert!(t.store.failed_sign_ins(e.user_id).await.unwrap().is_empty());
    t.teardown().await;
}

/// A reset link works once, for 30 minutes, ends every session, and still
/// needs a code on a two-factor account.
async fn a_reset_link_works_once_and_not_alone(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let (alice, me) = verified_account(&t, "alice", "alice@example.org").await;
    send_all(&t.store).await;
    let (other_token, _) = login(&t.store, alice, SAFARI_IPHONE, GB).await;
    send_all(&t.store).await;
    t.store
        .request_password_reset("nobody", ip(GB))
        .await
        .unwrap();
    assert!(
        send_all(&t.store).await.is_empty(),
        "nothing for an unknown account"
    );
    t.store
        .request_password_reset("ALICE", ip(GB))
        .await
        .unwrap();
    let link = send_all(&t.store)
        .await
        .into_iter()
        .find_map(|(_, t)| t)
        .unwrap();
    let secret = link.expose_secret();
    assert_eq!(t.store.reset_link(secret).await.unwrap().username, "alice");
    assert!(matches!(
        t.store.reset_password(secret, "short", None, ip(GB)).await,
        Err(StoreError::InvalidPassword)
    ));
    assert_eq!(
        t.store
            .reset_password(secret, "a brand new password", None, ip(GB))
            .await
            .unwrap(),
        2
    );
    assert!(!is_active(&t.store, &other_token).await);
    let row = row_of(&t, &me.public_id).await;
    assert_eq!(row.end_reason, Some(EndReason::PasswordReset));
    assert!(matches!(
        t.store
            .reset_password(secret, "another new password", None, ip(GB))
            .await,
        Err(StoreError::InvalidToken)
    ));
    assert!(
        t.store
            .verify_login("alice", "a brand new password", ip(GB))
            .await
            .is_ok()
    );
    // An expired link.
    t.store
        .request_password_reset("alice@example.org", ip(GB))
        .await
        .unwrap();
    let late = send_all(&t.store)
        .await
        .into_iter()
        .find_map(|(_, t)| t)
        .unwrap();
    t.clock.advance(ChronoDuration::minutes(31));
    assert!(matches!(
        t.store.reset_link(late.expose_secret()).await,
        Err(StoreError::InvalidToken)
    ));
    t.teardown().await;
}

async fn a_reset_needs_a_code_with_two_factor(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let e = enrolled(&t, "alice").await;
    t.store
        .set_email(&e.first, "alice@example.org")
        .await
        .unwrap();
    let token = send_all(&t.store)
        .await
        .into_iter()
        .find_map(|(_, t)| t)
        .unwrap();
    t.store.verify_email(token.expose_secret()).await.unwrap();
    t.store
        .request_password_reset("alice", ip(GB))
        .await
        .unwrap();
    let link = send_all(&t.store)
        .await
        .into_iter()
        .find_map(|(_, t)| t)
        .unwrap();
    assert!(
        t.store
            .reset_link(link.expose_secret())
            .await
            .unwrap()
            .needs_code
    );
    assert!(matches!(
        t.store
            .reset_password(link.expose_secret(), "a brand new password", None, ip(GB))
            .await,
        Err(StoreError::CodeRequired)
    ));
    t.clock.advance(ChronoDuration::seconds(30));
    let code = code_at(&e.secret, t.store.now());
    t.store
        .reset_password(
            link.expose_secret(),
            "a brand new password",
            Some(&code),
            ip(GB),
        )
        .await
        .unwrap();
    t.teardown().await;
}

/// Names: format characters refused, waiting sessions cannot rename,
/// renames limited per account.
async fn names_cannot_hide_or_flood(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, me) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    assert!(matches!(
        t.store
            .rename_session(&me, &me.public_id, "Work\u{202E}potpal")
            .await,
        Err(StoreError::InvalidName)
    ));
    let mut limited = false;
    for n in 0..40 {
        match t
            .store
            .rename_session(&me, &me.public_id, &format!("Laptop {n}"))
            .await
        {
            Ok(_) => {}
            Err(StoreError::RateLimited { .. }) => {
                limited = true;
                assert!(n >= 30);
                break;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(limited);
    t.teardown().await;
}

on_both_backends!(
    a_pending_login_checks_five_codes_then_ends,
    parallel_codes_on_one_pending_login_are_bounded,
    wrong_codes_in_a_row_stop_at_one_hundred,
    every_server_and_a_restart_share_the_counts,
    both_factors_where_they_matter,
    the_rule_is_the_same_in_sql_and_rust,
    a_recovery_code_sign_in_has_no_blind_spots,
    enrolment_belongs_to_the_session_that_started_it,
    an_email_change_waits_for_its_verification,
    failed_sign_ins_are_shown_to_the_owner,
    a_reset_link_works_once_and_not_alone,
    a_reset_needs_a_code_with_two_factor,
    names_cannot_hide_or_flood,
);
