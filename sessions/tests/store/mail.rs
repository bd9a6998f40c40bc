//! Email: addresses verified by single-use links, alerts queued for new
//! sign-ins (once per device and window), the queue shared by servers.
use crate::common::*;
use sessions::entity::{email_token, mail_outbox};
use sessions::{MailConfig, MailKind, QueuedMail};

const GB: &str = "81.2.69.142";
/// Ten of these and the margin make a one-minute lease.
const PER_MAIL: Duration = Duration::from_secs(3);
const SE: &str = "89.160.20.128";
const US: &str = "216.160.83.56";

pub(crate) fn mail_on() -> StoreConfig {
    let base = test_config();
    StoreConfig {
        mail: MailConfig {
            enabled: true,
            ..MailConfig::default()
        },
        // The queue test registers twenty accounts from one address.
        throttle: ThrottleConfig {
            max_registrations_per_ip: 1_000,
            ..base.throttle
        },
        ..base
    }
}

pub(crate) async fn queue(t: &TestDb) -> Vec<mail_outbox::Model> {
    use sea_orm::EntityTrait;
    mail_outbox::Entity::find().all(&t.db).await.unwrap()
}

/// Sends (claims and reports sent) every due email; returns them, and the
/// token of each verification email.
pub(crate) async fn send_all(store: &SessionStore) -> Vec<(QueuedMail, Option<SessionToken>)> {
    let mut sent = Vec::new();
    for mail in store.claim_mail(100, Duration::from_secs(1)).await.unwrap() {
        let token = match mail.kind {
            MailKind::Verify { .. } => store.issue_email_token(&mail).await.unwrap(),
            MailKind::PasswordReset { .. } => store.issue_reset_token(&mail).await.unwrap(),
            _ => None,
        };
        store.mail_sent(mail.id).await.unwrap();
        sent.push((mail, token));
    }
    sent
}

pub(crate) async fn verified_account(
    t: &TestDb,
    name: &str,
    address: &str,
) -> (i64, CurrentSession) {
    let id = user(&t.store, name).await;
    let (_, first) = login(&t.store, id, FIREFOX_LINUX, GB).await;
    t.store.set_email(&first, address).await.unwrap();
    let sent = send_all(&t.store).await;
    let token = sent[0].1.clone().unwrap();
    t.store.verify_email(token.expose_secret()).await.unwrap();
    (id, first)
}

async fn addresses_are_verified_by_a_single_use_link(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let alice = user(&t.store, "alice").await;
    let (_, me) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    assert!(matches!(
        t.store.set_email(&me, "not an address").await,
        Err(StoreError::InvalidEmail)
    ));
    let stored = t.store.set_email(&me, " Alice@Example.ORG ").await.unwrap();
    assert_eq!(stored, "Alice@example.org");
    let email = t.store.account_email(alice).await.unwrap();
    assert_eq!(email.verified, None);
    assert_eq!(email.pending.as_deref(), Some("Alice@example.org"));

    // One verification email, with nothing secret queued.
    let rows = queue(&t).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "verify");
    let sent = send_all(&t.store).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0.to, "Alice@example.org");
    let token = sent[0].1.clone().unwrap();
    let payload = &queue(&t).await[0].payload;
    assert!(!payload.contains(token.expose_secret()));
    // Only the token's hash is kept.
    use sea_orm::EntityTrait;
    let kept = email_token::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].token_hash, token.digest());

    // Garbage and unknown tokens are refused; the right one works once.
    assert!(matches!(
        t.store.verify_email("nonsense").await,
        Err(StoreError::InvalidToken)
    ));
    let other = SessionToken::generate();
    assert!(matches!(
        t.store.verify_email(other.expose_secret()).await,
        Err(StoreError::InvalidToken)
    ));
    assert_eq!(
        t.store.verify_email(token.expose_secret()).await.unwrap(),
        "Alice@example.org"
    );
    assert_eq!(
        t.store
            .account_email(alice)
            .await
            .unwrap()
            .verified
            .as_deref(),
        Some("Alice@example.org")
    );
    assert!(matches!(
        t.store.verify_email(token.expose_secret()).await,
        Err(StoreError::InvalidToken)
    ));

    // A link for an address that changed since, or one that expired, is dead.
    t.store.set_email(&me, "alice@example.net").await.unwrap();
    let new_link = send_all(&t.store).await[0].1.clone().unwrap();
    t.store.set_email(&me, "alice@example.com").await.unwrap();
    assert!(matches!(
        t.store.verify_email(new_link.expose_secret()).await,
        Err(StoreError::InvalidToken)
    ));
    let latest = send_all(&t.store).await[0].1.clone().unwrap();
    t.clock.advance(ChronoDuration::hours(25));
    assert!(matches!(
        t.store.verify_email(latest.expose_secret()).await,
        Err(StoreError::InvalidToken)
    ));
    // Three verification emails an hour at most.
    t.store.reauthenticate(&me, PASSWORD, ip(GB)).await.unwrap();
    for _ in 0..3 {
        t.store.set_email(&me, "alice@example.org").await.unwrap();
        t.store.remove_email(&me).await.unwrap();
    }
    assert!(matches!(
        t.store.set_email(&me, "alice@example.org").await,
        Err(StoreError::RateLimited { .. })
    ));
    t.teardown().await;
}

/// Two clicks on one link at once: one verifies, the other is refused.
async fn racing_verifications_one_wins(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    for round in 0..6 {
        let id = user(&t.store, &format!("bob{round}")).await;
        let (_, me) = login(&t.store, id, FIREFOX_LINUX, GB).await;
        t.store
            .set_email(&me, &format!("bob{round}@example.org"))
            .await
            .unwrap();
        let token = send_all(&t.store).await[0].1.clone().unwrap();
        let (s1, s2) = (t.store.clone(), t.store.clone());
        let (k1, k2) = (token.clone(), token.clone());
        let one = tokio::spawn(async move { s1.verify_email(k1.expose_secret()).await });
        let two = tokio::spawn(async move { s2.verify_email(k2.expose_secret()).await });
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        assert_eq!(
            [one.is_ok(), two.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "round {round}: {one:?} {two:?}"
        );
    }
    t.teardown().await;
}

async fn new_sign_ins_alert_the_verified_address_once_per_device(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    // Unverified: nothing but the verification email.
    let carol = user(&t.store, "carol").await;
    let (_, carol_first) = login(&t.store, carol, FIREFOX_LINUX, GB).await;
    t.store
        .set_email(&carol_first, "carol@example.org")
        .await
        .unwrap();
    login(&t.store, carol, SAFARI_IPHONE, SE).await;
    let kinds: Vec<String> = queue(&t).await.into_iter().map(|m| m.kind).collect();
    assert_eq!(kinds, ["verify"]);
    send_all(&t.store).await;

    let (alice, _) = verified_account(&t, "alice", "alice@example.org").await;
    // Known device and country: no alert.
    login(&t.store, alice, FIREFOX_LINUX, GB).await;
    assert!(send_all(&t.store).await.is_empty());
    // New device, new country: one alert with the sign-in's facts.
    let (_, phone) = login(&t.store, alice, SAFARI_IPHONE, SE).await;
    let sent = send_all(&t.store).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0.to, "alice@example.org");
    let MailKind::NewSignIn(facts) = &sent[0].0.kind else {
        panic!("{:?}", sent[0].0.kind)
    };
    assert_eq!(facts.username, "alice");
    assert_eq!(facts.device_type, DeviceType::Mobile);
    assert_eq!(facts.country_code.as_deref(), Some("SE"));
    assert_eq!(facts.ip, SE);
    assert!(facts.new_device && facts.new_location);
    // Nothing secret in the queue.
    let phone_row = row_of(&t, &phone.public_id).await;
    for row in queue(&t).await {
        assert!(!row.payload.contains(&phone_row.public_id));
        assert!(!row.payload.contains(&format!("{:?}", phone_row.token_hash)));
    }
    // The same device again within the window: no second email; another
    // device: one more; the same device after the window: one more.
    login(&t.store, alice, SAFARI_IPHONE, US).await;
    assert!(send_all(&t.store).await.is_empty());
    login(&t.store, alice, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", GB).await;
    assert_eq!(send_all(&t.store).await.len(), 1);
    t.clock.advance(ChronoDuration::minutes(61));
    login(&t.store, alice, SAFARI_IPHONE, SE).await;
    assert_eq!(send_all(&t.store).await.len(), 1);
    t.teardown().await;
}

/// Failures come back later (backoff), give up after the tries; two
/// servers claiming at once never get the same email.
async fn the_queue_retries_and_is_shared(b: Backend) {
    let Some(t) = setup_with(b, mail_on()).await else {
        return;
    };
    let dave = user(&t.store, "dave").await;
    let (_, me) = login(&t.store, dave, FIREFOX_LINUX, GB).await;
    t.store.set_email(&me, "dave@example.org").await.unwrap();
    let mail = t.store.claim_mail(10, PER_MAIL).await.unwrap().remove(0);
    assert_eq!(mail.attempt, 1);
    // Claimed: not due again while leased.
    assert!(t.store.claim_mail(10, PER_MAIL).await.unwrap().is_empty());
    t.store
        .mail_failed(&mail, "connection refused")
        .await
        .unwrap();
    assert!(t.store.claim_mail(10, PER_MAIL).await.unwrap().is_empty());
    t.clock.advance(ChronoDuration::seconds(31));
    let again = t.store.claim_mail(10, PER_MAIL).await.unwrap().remove(0);
    assert_eq!((again.id, again.attempt), (mail.id, 2));
    assert_eq!(
        queue(&t).await[0].last_error.as_deref(),
        Some("connection refused")
    );
    // A lease that lapses (the server died) hands it to another.
    t.clock.advance(ChronoDuration::seconds(61));
    let third = t.store.claim_mail(10, PER_MAIL).await.unwrap().remove(0);
    assert_eq!(third.attempt, 3);
    // The last try fails: given up, never claimed again.
    let last = QueuedMail {
        attempt: 8,
        ..third
    };
    t.store
        .mail_failed(&last, "mailbox unavailable")
        .await
        .unwrap();
    t.clock.advance(ChronoDuration::hours(2));
    assert!(t.store.claim_mail(10, PER_MAIL).await.unwrap().is_empty());
    assert!(queue(&t).await[0].failed_at.is_some());

    // Twenty emails, two servers claiming at once: each goes to one.
    for i in 0..20 {
        let id = user(&t.store, &format!("erin{i}")).await;
        let (_, s) = login(&t.store, id, FIREFOX_LINUX, GB).await;
        t.store
            .set_email(&s, &format!("erin{i}@example.org"))
            .await
            .unwrap();
    }
    let other = t.second_store(mail_on());
    let (s1, s2) = (t.store.clone(), other.clone());
    let one = tokio::spawn(async move { s1.claim_mail(15, PER_MAIL).await.unwrap() });
    let two = tokio::spawn(async move { s2.claim_mail(15, PER_MAIL).await.unwrap() });
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    let mut ids: Vec<i64> = one.iter().chain(two.iter()).map(|m| m.id).collect();
    let claimed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "no email claimed twice");
    let rest = t.store.claim_mail(100, PER_MAIL).await.unwrap().len();
    assert_eq!(claimed + rest, 20);
    t.teardown().await;
}

/// Without SMTP nothing can be set or queued.
async fn without_mail_nothing_is_queued(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let frank = user(&t.store, "frank").await;
    let (_, me) = login(&t.store, frank, FIREFOX_LINUX, GB).await;
    assert!(matches!(
        t.store.set_email(&me, "frank@example.org").await,
        Err(StoreError::MailDisabled)
    ));
    login(&t.store, frank, SAFARI_IPHONE, SE).await;
    assert!(queue(&t).await.is_empty());
    t.teardown().await;
}

on_both_backends!(
    addresses_are_verified_by_a_single_use_link,
    racing_verifications_one_wins,
    new_sign_ins_alert_the_verified_address_once_per_device,
    the_queue_retries_and_is_shared,
    without_mail_nothing_is_queued,
);
