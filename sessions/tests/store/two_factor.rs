//! Two-factor authentication: enrolment, the second login step, skew,
//! replay, throttling, recovery codes (also under concurrency), sealing.
use crate::common::*;
use sessions::{AuthMethod, LoginStep, PendingLogin, SecretKey};

const GB: &str = "81.2.69.142";

/// The code an authenticator app shows for `secret` at `at`.
pub(crate) fn code_at(secret_base32: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    sessions::testing::totp_code_at(secret_base32, at)
}

pub(crate) struct Enrolled {
    pub user_id: i64,
    pub first: CurrentSession,
    pub secret: String,
    pub recovery: Vec<String>,
    pub batch: String,
}

/// Registers `name`, signs in once, turns the second factor on.
pub(crate) async fn enrolled(t: &TestDb, name: &str) -> Enrolled {
    let user_id = user(&t.store, name).await;
    let (_, first) = login(&t.store, user_id, FIREFOX_LINUX, GB).await;
    assert!(!sessions_page_says_on(t, &first).await);
    t.store.begin_two_factor(&first).await.unwrap();
    let e = t.store.two_factor_enrolment(&first).await.unwrap().unwrap();
    assert!(e.otpauth_url.starts_with("otpauth://totp/Sessionboard:"));
    assert!(
        e.otpauth_url
            .contains(&format!("secret={}", e.secret_base32))
    );
    assert!(matches!(
        t.store.confirm_two_factor(&first, "000000", false).await,
        Err(StoreError::WrongCode)
    ));
    let code = code_at(&e.secret_base32, t.store.now());
    t.store
        .confirm_two_factor(&first, &code, false)
        .await
        .unwrap();
    let shown = t
        .store
        .reveal_recovery_codes(&first)
        .await
        .unwrap()
        .unwrap();
    assert!(sessions_page_says_on(t, &first).await);
    assert!(!format!("{shown:?}").contains(&shown.codes[0]));
    Enrolled {
        user_id,
        first,
        secret: e.secret_base32,
        recovery: shown.codes,
        batch: shown.batch,
    }
}

/// Whether "I have saved these codes" for `batch` was taken as saved.
async fn says_saved(t: &TestDb, who: &CurrentSession, batch: &str) -> bool {
    t.store.recovery_codes_saved(who, batch).await.unwrap()
}

/// What the sessions page's one statement says about the second factor.
async fn sessions_page_says_on(t: &TestDb, viewer: &CurrentSession) -> bool {
    t.store
        .sessions_page(viewer, &HistoryQuery::default())
        .await
        .unwrap()
        .two_factor_on
}

pub(crate) async fn password_step(t: &TestDb, name: &str) -> PendingLogin {
    match t
        .store
        .login(name, PASSWORD, &facts(SAFARI_IPHONE, GB))
        .await
        .unwrap()
    {
        LoginStep::SecondFactor(p) => p,
        LoginStep::SignedIn(..) | LoginStep::MakeRoom(_) => panic!("no code step"),
    }
}

async fn enrolment_then_login_with_a_code(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    assert_eq!(e.recovery.len(), 10);
    // Shown again (a repeated page load loses nothing) until saved, then never.
    let again = t.store.reveal_recovery_codes(&e.first).await.unwrap();
    assert_eq!(
        again.map(|r| (r.codes, r.batch)),
        Some((e.recovery.clone(), e.batch.clone()))
    );
    assert!(says_saved(&t, &e.first, &e.batch).await);
    assert!(
        t.store
            .reveal_recovery_codes(&e.first)
            .await
            .unwrap()
            .is_none()
    );
    let status = t.store.two_factor_status(e.user_id).await.unwrap();
    assert!(status.enabled);
    assert_eq!(status.recovery_codes_left, 10);
    assert!(matches!(
        t.store.begin_two_factor(&e.first).await,
        Err(StoreError::TwoFactorOn)
    ));

    // The password alone makes no session.
    let before = count_rows(&t).await;
    let pending = password_step(&t, "alice").await;
    assert_eq!(count_rows(&t).await, before);
    assert!(format!("{pending:?}").contains("redacted"));
    let f = facts(SAFARI_IPHONE, GB);
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), "123456", &f)
            .await,
        Err(StoreError::WrongCode)
    ));
    // The code that turned it on, in the same time step: a replay.
    let now_code = code_at(&e.secret, t.store.now());
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), &now_code, &f)
            .await,
        Err(StoreError::WrongCode)
    ));
    t.clock.advance(ChronoDuration::seconds(30));
    let fresh = code_at(&e.secret, t.store.now());
    let (token, view) = t
        .store
        .complete_login(pending.expose_secret(), &fresh, &f)
        .await
        .unwrap();
    assert_eq!(view.auth_method, AuthMethod::PasswordAndAuthenticator);
    assert!(is_active(&t.store, &token).await);
    // Single use, and the same code is not good twice.
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), &fresh, &f)
            .await,
        Err(StoreError::LoginExpired)
    ));
    let again = password_step(&t, "alice").await;
    assert!(matches!(
        t.store
            .complete_login(again.expose_secret(), &fresh, &f)
            .await,
        Err(StoreError::WrongCode)
    ));
    t.teardown().await;
}

/// ±1 step of clock skew, never an older step than the last one used.
async fn skew_window_and_replay(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let f = facts(SAFARI_IPHONE, GB);
    let step = ChronoDuration::seconds(30);
    t.clock.advance(step * 3);
    let now = t.store.now();
    let try_code = |at: chrono::DateTime<chrono::Utc>| {
        let t = &t;
        let secret = e.secret.clone();
        let f = f.clone();
        async move {
            let p = password_step(t, "alice").await;
            let code = code_at(&secret, at);
            t.store.complete_login(p.expose_secret(), &code, &f).await
        }
    };
    // Two steps ahead: outside the window.
    assert!(matches!(
        try_code(now + step * 2).await,
        Err(StoreError::WrongCode)
    ));
    // One step behind: a slow phone, accepted.
    try_code(now - step).await.unwrap();
    // Older than the last accepted step: refused even inside the window.
    assert!(matches!(
        try_code(now - step * 2).await,
        Err(StoreError::WrongCode)
    ));
    // One step ahead: a fast phone, accepted; then the current step is old.
    try_code(now + step).await.unwrap();
    assert!(matches!(try_code(now).await, Err(StoreError::WrongCode)));
    t.teardown().await;
}

async fn recovery_codes_work_once_even_in_parallel(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let code = e.recovery[3].clone();
    let (p1, p2) = (
        password_step(&t, "alice").await,
        password_step(&t, "alice").await,
    );
    let (s1, s2) = (t.store.clone(), t.store.clone());
    let (c1, c2) = (code.to_lowercase(), code.clone());
    let one = tokio::spawn(async move {
        s1.complete_login(p1.expose_secret(), &c1, &facts(SAFARI_IPHONE, GB))
            .await
    });
    let two = tokio::spawn(async move {
        s2.complete_login(p2.expose_secret(), &c2, &facts(SAFARI_IPHONE, GB))
            .await
    });
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    let winners: Vec<_> = [one, two].into_iter().filter_map(Result::ok).collect();
    assert_eq!(winners.len(), 1, "exactly one use of one code");
    let (_, view) = &winners[0];
    assert_eq!(view.auth_method, AuthMethod::PasswordAndRecoveryCode);
    // Signed in with a recovery code: asked about like a new device.
    assert!(view.needs_review());
    let pending = t.store.pending_sign_ins(&e.first).await.unwrap();
    assert!(pending.iter().any(|s| s.id == view.id));
    assert_eq!(
        t.store
            .two_factor_status(e.user_id)
            .await
            .unwrap()
            .recovery_codes_left,
        9
    );
    // Never again.
    let p3 = password_step(&t, "alice").await;
    assert!(matches!(
        t.store
            .complete_login(p3.expose_secret(), &code, &facts(SAFARI_IPHONE, GB))
            .await,
        Err(StoreError::WrongCode)
    ));
    t.teardown().await;
}

/// Codes are limited like passwords, by the same counters: after five
/// wrong ones from one network, that network waits even with the right
/// password; elsewhere the right code waits for the account's cooldown.
async fn codes_are_throttled_like_passwords(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let f = facts(SAFARI_IPHONE, GB);
    let pending = password_step(&t, "alice").await;
    for _ in 0..4 {
        assert!(matches!(
            t.store
                .complete_login(pending.expose_secret(), "000000", &f)
                .await,
            Err(StoreError::WrongCode)
        ));
    }
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), "000000", &f)
            .await,
        Err(StoreError::TooManyCodes)
    ));
    let err = t.store.login("alice", PASSWORD, &f).await.unwrap_err();
    assert!(matches!(err, StoreError::RateLimited { .. }), "{err:?}");
    let elsewhere = facts(SAFARI_IPHONE, "89.160.20.128");
    let again = match t.store.login("alice", PASSWORD, &elsewhere).await.unwrap() {
        LoginStep::SecondFactor(p) => p,
        LoginStep::SignedIn(..) | LoginStep::MakeRoom(_) => panic!("no second step"),
    };
    let right = code_at(&e.secret, t.store.now() + ChronoDuration::seconds(30));
    let err = t
        .store
        .complete_login(again.expose_secret(), &right, &elsewhere)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RateLimited { .. }), "{err:?}");
    t.clock.advance(ChronoDuration::seconds(31));
    t.store
        .complete_login(again.expose_secret(), &right, &elsewhere)
        .await
        .unwrap();
    t.teardown().await;
}

async fn pending_logins_expire_and_die_with_a_password_change(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    let f = facts(SAFARI_IPHONE, GB);
    let old = password_step(&t, "alice").await;
    t.clock.advance(ChronoDuration::minutes(6));
    let code = code_at(&e.secret, t.store.now());
    assert!(
        !t.store
            .pending_login_open(old.expose_secret())
            .await
            .unwrap()
    );
    assert!(matches!(
        t.store.complete_login(old.expose_secret(), &code, &f).await,
        Err(StoreError::LoginExpired)
    ));
    assert!(matches!(
        t.store.complete_login("garbage", &code, &f).await,
        Err(StoreError::LoginExpired)
    ));
    let pending = password_step(&t, "alice").await;
    t.store
        .change_password(
            &e.first,
            PASSWORD,
            Some(&e.recovery[5]),
            "another long password",
            false,
            ip(HOME),
        )
        .await
        .unwrap();
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), &code, &f)
            .await,
        Err(StoreError::InvalidCredentials)
    ));
    t.teardown().await;
}

/// Re-authentication takes a code too; turning it off takes both.
async fn reauth_with_a_code_and_disabling(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(!t.store.recently_authenticated(&e.first).await.unwrap());
    let code = code_at(&e.secret, t.store.now());
    t.store
        .reauthenticate(&e.first, &code, ip(GB))
        .await
        .unwrap();
    assert!(t.store.recently_authenticated(&e.first).await.unwrap());

    t.clock.advance(ChronoDuration::seconds(30));
    let code = code_at(&e.secret, t.store.now());
    assert!(matches!(
        t.store
            .disable_two_factor(&e.first, "wrong password", &code, ip(GB))
            .await,
        Err(StoreError::WrongPassword)
    ));
    t.store
        .disable_two_factor(&e.first, PASSWORD, &e.recovery[0], ip(GB))
        .await
        .unwrap();
    assert!(!t.store.two_factor_status(e.user_id).await.unwrap().enabled);
    let step = t
        .store
        .login("alice", PASSWORD, &facts(FIREFOX_LINUX, GB))
        .await
        .unwrap();
    assert!(matches!(step, LoginStep::SignedIn(..)));
    t.teardown().await;
}

/// The database holds the secret sealed: not in clear, and useless to a
/// server with another key.
async fn secrets_are_sealed_with_the_key(b: Backend) {
    let Some(t) = setup(b).await else { return };
    assert!(!t.store.set_secret_key(SecretKey::generate()), "set once");
    let e = enrolled(&t, "alice").await;
    use sea_orm::EntityTrait;
    let row = sessions::entity::user::Entity::find_by_id(e.user_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let sealed = row.totp_secret_enc.unwrap();
    assert!(!sealed.contains(&e.secret));
    let codes = sessions::entity::recovery_code::Entity::find()
        .all(&t.db)
        .await
        .unwrap();
    for c in &codes {
        for shown in &e.recovery {
            assert!(!c.code_hash.contains(&shown.replace('-', "")));
        }
    }
    // Another key: the second step cannot be checked.
    let other = t.keyless_store(test_config());
    assert!(other.set_secret_key(SecretKey::generate()));
    let p = match other
        .login("alice", PASSWORD, &facts(SAFARI_IPHONE, GB))
        .await
        .unwrap()
    {
        LoginStep::SecondFactor(p) => p,
        _ => panic!(),
    };
    t.clock.advance(ChronoDuration::seconds(30));
    let code = code_at(&e.secret, t.store.now());
    assert!(matches!(
        other
            .complete_login(p.expose_secret(), &code, &facts(SAFARI_IPHONE, GB))
            .await,
        Err(StoreError::SecretUnreadable)
    ));
    t.teardown().await;
}

/// "I have saved these codes" from a page shown before the second factor
/// was turned off and on again names the old codes: the new ones stay.
async fn saving_old_codes_keeps_newer_ones(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let e = enrolled(&t, "alice").await;
    t.store
        .disable_two_factor(&e.first, PASSWORD, &e.recovery[0], ip(GB))
        .await
        .unwrap();
    t.store.begin_two_factor(&e.first).await.unwrap();
    let again = t
        .store
        .two_factor_enrolment(&e.first)
        .await
        .unwrap()
        .unwrap();
    let code = code_at(&again.secret_base32, t.store.now());
    t.store
        .confirm_two_factor(&e.first, &code, false)
        .await
        .unwrap();
    let newer = t
        .store
        .reveal_recovery_codes(&e.first)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(newer.batch, e.batch);

    assert!(!says_saved(&t, &e.first, &e.batch).await);
    let still = t.store.reveal_recovery_codes(&e.first).await.unwrap();
    assert_eq!(still.as_ref(), Some(&newer));
    // Two tabs saying it at once: both are "saved", and nothing waits.
    let (one, two) = tokio::join!(
        says_saved(&t, &e.first, &newer.batch),
        says_saved(&t, &e.first, &newer.batch)
    );
    assert!(one && two);
    assert_eq!(t.store.reveal_recovery_codes(&e.first).await.unwrap(), None);
    // Saying it again (a resubmitted form) is still "saved".
    assert!(says_saved(&t, &e.first, &newer.batch).await);
    t.teardown().await;
}

on_both_backends!(
    saving_old_codes_keeps_newer_ones,
    enrolment_then_login_with_a_code,
    skew_window_and_replay,
    recovery_codes_work_once_even_in_parallel,
    codes_are_throttled_like_passwords,
    pending_logins_expire_and_die_with_a_password_change,
    reauth_with_a_code_and_disabling,
    secrets_are_sealed_with_the_key,
);
