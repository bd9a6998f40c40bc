use crate::common::*;
async fn lists_and_pages_200_sessions(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let mut ids = HashSet::new();
    for i in 0..200 {
        // Several logins share a millisecond: the keyset must break ties.
        if i % 3 == 0 {
            t.clock.advance(ChronoDuration::milliseconds(1));
        }
        let (_, view) = t
            .store
            .start_session(alice, &facts(FIREFOX_LINUX, "81.2.69.142"))
            .await
            .unwrap();
        ids.insert(view.id);
    }
    t.store
        .start_session(bob, &facts(FIREFOX_LINUX, "81.2.69.142"))
        .await
        .unwrap();
    let active = t.store.list_active_sessions(alice).await.unwrap();
    assert_eq!(active.len(), 200);
    assert_eq!(
        active.iter().map(|s| s.id.clone()).collect::<HashSet<_>>(),
        ids
    );
    assert!(
        active
            .windows(2)
            .all(|w| w[0].last_seen_at >= w[1].last_seen_at)
    );
    assert!(
        active
            .iter()
            .all(|s| s.device_type == DeviceType::Desktop && s.browser() == "Firefox 125")
    );

    // Walk older pages to the end, then newer pages back to the start.
    let mut pages = Vec::new();
    let mut query = HistoryQuery {
        limit: 7,
        ..Default::default()
    };
    loop {
        let page = t.store.session_history(alice, &query).await.unwrap();
        assert!(page.entries.len() <= 7);
        let older = page.older.clone();
        pages.push(page);
        match older {
            Some(c) => {
                query = HistoryQuery {
                    before: Some(c),
                    after: None,
                    limit: 7,
                }
            }
            None => break,
        }
    }
    let seen: Vec<String> = pages
        .iter()
        .flat_map(|p| p.entries.iter().map(|e| e.id.clone()))
        .collect();
    assert_eq!(seen.len(), 200, "every session exactly once");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), ids);
    let created: Vec<_> = pages
        .iter()
        .flat_map(|p| p.entries.iter().map(|e| e.created_at))
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "newest login first"
    );
    assert!(pages[0].newer.is_none());
    assert!(pages.last().unwrap().older.is_none());

    let mut back = Vec::new();
    let mut cursor = pages.last().unwrap().newer.clone();
    while let Some(c) = cursor {
        let page = t
            .store
            .session_history(
                alice,
                &HistoryQuery {
                    before: None,
                    after: Some(c),
                    limit: 7,
                },
            )
            .await
            .unwrap();
        cursor = page.newer.clone();
        back.push(
            page.entries
                .iter()
                .map(|e| e.id.clone())
                .collect::<Vec<_>>(),
        );
    }
    back.reverse();
    let forward: Vec<Vec<String>> = pages[..pages.len() - 1]
        .iter()
        .map(|p| p.entries.iter().map(|e| e.id.clone()).collect())
        .collect();
    assert_eq!(back, forward, "newer pages retrace the older ones");
    t.teardown().await;
}

/// A window between two cursors: the entries strictly between them, newest
/// first, with cursors onwards in both directions.
async fn history_between_two_cursors(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    for _ in 0..20 {
        t.clock.advance(ChronoDuration::seconds(1));
        login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    }
    let all = t
        .store
        .session_history(
            alice,
            &HistoryQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(all.len(), 20);
    let cursor = |i: usize| {
        let e = &all[i];
        HistoryCursor::parse(&format!("{}.{}", e.created_at.timestamp_millis(), e.id)).unwrap()
    };
    let ids = |v: &[sessions::SessionView]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    let window = |limit| HistoryQuery {
        before: Some(cursor(3)),
        after: Some(cursor(12)),
        limit,
    };
    let page = t.store.session_history(alice, &window(20)).await.unwrap();
    assert_eq!(ids(&page.entries), ids(&all[4..12]));
    assert_eq!(page.older, Some(cursor(11)));
    assert_eq!(page.newer, Some(cursor(4)));
    // A smaller page starts next to `after` and says where to go on.
    let page = t.store.session_history(alice, &window(5)).await.unwrap();
    assert_eq!(ids(&page.entries), ids(&all[7..12]));
    assert_eq!(page.newer, Some(cursor(7)));
    assert_eq!(page.older, Some(cursor(11)));
    t.teardown().await;
}

/// The sessions page in one statement, read by column position, says what
/// the separate reads of whole rows say, field by field: on every page of
/// history, with activity not yet written, and with every column the view
/// shows set on some row and unset on another.
async fn the_sessions_page_agrees_with_the_separate_reads(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let mut viewer = None;
    let mut others = Vec::new();
    for i in 0..23 {
        t.clock.advance(ChronoDuration::seconds(1));
        // Two devices and three places: marks, countries and none.
        let ua = if i % 3 == 0 {
            SAFARI_IPHONE
        } else {
            FIREFOX_LINUX
        };
        let place = ["81.2.69.142", "216.160.83.56", HOME][i % 3];
        let (_, s) = login(&t.store, alice, ua, place).await;
        // The account's first session is trusted: it may answer.
        if i == 0 {
            viewer = Some(s);
        } else if i % 4 == 0 {
            t.store.log_out(&s).await.unwrap();
        } else {
            others.push(s);
        }
    }
    login(&t.store, bob, FIREFOX_LINUX, "81.2.69.142").await;
    let viewer = viewer.unwrap();
    t.store
        .rename_session(&viewer, &others[0].public_id, "Work laptop")
        .await
        .unwrap();
    t.store
        .confirm_sign_in(&viewer, &others[1].public_id)
        .await
        .unwrap();
    t.store
        .terminate_session(&viewer, &others[2].public_id)
        .await
        .unwrap();
    t.store.record_activity(&viewer, ip("89.160.20.128"), true);
    let mut query = HistoryQuery {
        limit: 5,
        ..Default::default()
    };
    let mut pages = 0;
    loop {
        let page = t.store.sessions_page(&viewer, &query).await.unwrap();
        let active = t.store.list_active_sessions(alice).await.unwrap();
        let history = t.store.session_history(alice, &query).await.unwrap();
        assert_eq!(page.active, active);
        assert_eq!(page.history.entries, history.entries);
        assert_eq!(
            (&page.history.older, &page.history.newer),
            (&history.older, &history.newer)
        );
        assert!(!page.reauth_needed);
        pages += 1;
        match history.older {
            Some(c) => {
                query = HistoryQuery {
                    before: Some(c),
                    after: None,
                    limit: 5,
                }
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    // Back up from the last page, and the window between two cursors.
    let back = HistoryQuery {
        after: query.before.clone(),
        limit: 5,
        ..Default::default()
    };
    let newer = t.store.sessions_page(&viewer, &back).await.unwrap();
    let direct = t.store.session_history(alice, &back).await.unwrap();
    assert_eq!(newer.history.entries, direct.entries);
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(
        t.store
            .sessions_page(&viewer, &HistoryQuery::default())
            .await
            .unwrap()
            .reauth_needed
    );
    t.teardown().await;
}

/// What the sessions page shows of `id`'s name.
fn name_in(page: &sessions::SessionsPage, id: &str) -> Option<String> {
    page.active
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| s.name.clone())
}

async fn rename_behind_the_stores_back(t: &TestDb, id: &str, name: &str) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    session::Entity::update_many()
        .col_expr(session::Column::Name, Expr::value(name))
        .filter(session::Column::PublicId.eq(id))
        .exec(&t.db)
        .await
        .unwrap();
}

async fn open_boards_share_a_read_until_the_next_change(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, viewer) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (_, other) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    let q = HistoryQuery::default();
    // No open board: every read is the database's.
    rename_behind_the_stores_back(&t, &other.public_id, "First").await;
    let page = t.store.sessions_page(&viewer, &q).await.unwrap();
    assert_eq!(name_in(&page, &other.public_id).as_deref(), Some("First"));
    rename_behind_the_stores_back(&t, &other.public_id, "Second").await;
    let page = t.store.sessions_page(&viewer, &q).await.unwrap();
    assert_eq!(name_in(&page, &other.public_id).as_deref(), Some("Second"));

    // An open board: its account's reads are shared until the next change
    // its streams hear of (a change without one stays unseen meanwhile).
    let board = t.store.subscribe(&viewer).unwrap();
    let shared = t.store.sessions_page(&viewer, &q).await.unwrap();
    rename_behind_the_stores_back(&t, &other.public_id, "Third").await;
    let again = t.store.sessions_page(&other, &q).await.unwrap();
    assert_eq!(name_in(&again, &other.public_id).as_deref(), Some("Second"));
    assert_eq!(again.active, shared.active);
    // The viewer's part is each viewer's own, and a renewed proof is seen
    // at once (the store's clock stands still: the same second's reads).
    t.clock.advance(ChronoDuration::minutes(11));
    let lapsed = t.store.sessions_page(&other, &q).await.unwrap();
    assert!(lapsed.reauth_needed);
    t.store
        .reauthenticate(&other, PASSWORD, ip(HOME))
        .await
        .unwrap();
    let (mine, theirs) = (
        t.store.sessions_page(&viewer, &q).await.unwrap(),
        t.store.sessions_page(&other, &q).await.unwrap(),
    );
    assert!(mine.reauth_needed && !theirs.reauth_needed);
    assert!(theirs.proof_until > mine.proof_until);

    // A new sign-in is a change: the next read shows it, and everything
    // else that changed meanwhile.
    let (_, third) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    let fresh = t.store.sessions_page(&viewer, &q).await.unwrap();
    assert!(fresh.active.iter().any(|s| s.id == third.public_id));
    assert_eq!(name_in(&fresh, &other.public_id).as_deref(), Some("Third"));
    drop(board);
    t.teardown().await;
}

async fn an_open_boards_read_counts_every_page_seen(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, viewer) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let board = t.store.subscribe(&viewer).unwrap();
    let q = HistoryQuery::default();
    let pages = |page: &sessions::SessionsPage| {
        page.active
            .iter()
            .find(|s| s.id == viewer.public_id)
            .unwrap()
            .pages_visited
    };
    let (ip, start) = (ip(HOME), t.store.sessions_page(&viewer, &q).await.unwrap());
    // Page views are no event: the same second's shared read still counts
    // them (a reload shows itself), and a flush in between loses none.
    t.store.record_activity(&viewer, ip, true);
    let seen = t.store.sessions_page(&viewer, &q).await.unwrap();
    assert_eq!(pages(&seen), pages(&start) + 1);
    t.store.flush_activity().await.unwrap();
    t.store.record_activity(&viewer, ip, true);
    let flushed = t.store.sessions_page(&viewer, &q).await.unwrap();
    assert_eq!(pages(&flushed), pages(&start) + 2);
    drop(board);
    t.teardown().await;
}

async fn concurrent_reads_of_open_boards_agree(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let mut viewers = Vec::new();
    for _ in 0..20 {
        viewers.push(login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await.1);
    }
    let boards: Vec<_> = viewers
        .iter()
        .map(|v| t.store.subscribe(v).unwrap())
        .collect();
    // A change, then every board refetches at once (as after `changed`).
    let (_, newest) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    let q = HistoryQuery::default();
    let mut reads = tokio::task::JoinSet::new();
    for v in viewers.clone() {
        let (store, q) = (t.store.clone(), q.clone());
        reads.spawn(async move { store.sessions_page(&v, &q).await });
    }
    while let Some(page) = reads.join_next().await {
        let page = page.unwrap().unwrap();
        assert_eq!(page.active.len(), 21);
        assert!(page.active.iter().any(|s| s.id == newest.public_id));
    }
    drop(boards);
    t.teardown().await;
}

on_both_backends!(
    open_boards_share_a_read_until_the_next_change,
    an_open_boards_read_counts_every_page_seen,
    concurrent_reads_of_open_boards_agree,
    lists_and_pages_200_sessions,
    history_between_two_cursors,
    the_sessions_page_agrees_with_the_separate_reads,
);
