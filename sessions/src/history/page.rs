//! The history's types: a position in it (the keyset on login time and
//! public id), which page to read, and a page.
use crate::clock::to_ms;
use crate::model::SessionView;
use crate::{Result, StoreError};

/// A position in the history: the login time and public id of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HistoryCursor {
    pub(crate) created_at_ms: i64,
    pub(crate) public_id: String,
}

impl HistoryCursor {
    fn of(view: &SessionView) -> Self {
        Self {
            created_at_ms: to_ms(view.created_at),
            public_id: view.id.clone(),
        }
    }

    /// Text form for URLs: `<ms>.<public id>`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at_ms, self.public_id)
    }

    /// Parses [`encode`](Self::encode)'s output.
    pub fn parse(s: &str) -> Result<Self> {
        let (ms, id) = s.split_once('.').ok_or(StoreError::InvalidCursor)?;
        let created_at_ms = ms.parse().map_err(|_| StoreError::InvalidCursor)?;
        let id_ok = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(StoreError::InvalidCursor);
        }
        Ok(Self {
            created_at_ms,
            public_id: id.to_owned(),
        })
    }
}

/// Which page of history to read.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Entries older than this (the "Older" link).
    pub before: Option<HistoryCursor>,
    /// Entries newer than this (the "Newer" link). With `before` as well,
    /// the entries between the two; with neither, the newest page.
    pub after: Option<HistoryCursor>,
    /// Page size; 0 means 20. At most 200.
    pub limit: u64,
}

/// One page of history, newest login first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// The entries.
    pub entries: Vec<SessionView>,
    /// Cursor for the next older page, if there is one.
    pub older: Option<HistoryCursor>,
    /// Cursor for the next newer page, if there is one.
    pub newer: Option<HistoryCursor>,
}

impl HistoryQuery {
    /// Rows on a page: 20 unless asked, at most 200.
    pub(crate) fn page_size(&self) -> u64 {
        match self.limit {
            0 => 20,
            n => std::cmp::min(n, 200),
        }
    }

    /// The page from up to `page_size() + 1` rows read in this query's
    /// order (the extra one says whether there is more).
    pub(crate) fn page(&self, mut entries: Vec<SessionView>) -> HistoryPage {
        let limit = self.page_size();
        let upwards = self.after.is_some();
        let more = entries.len() as u64 > limit;
        entries.truncate(limit as usize);
        if upwards {
            entries.reverse();
        }
        let (first, last) = (
            entries.first().map(HistoryCursor::of),
            entries.last().map(HistoryCursor::of),
        );
        let (older, newer) = if upwards {
            // Older entries exist below `after`; newer ones if we stopped
            // early or stopped at `before`.
            let newer = (more || self.before.is_some()).then_some(first).flatten();
            (last, newer)
        } else {
            (
                if more { last } else { None },
                self.before.as_ref().and(first),
            )
        };
        HistoryPage {
            entries,
            older,
            newer,
        }
    }

    /// The keyset of this query as SQL (`created_at` and `public_id` of
    /// the table read) with its values, for hand-written statements.
    pub(crate) fn keyset(&self) -> Vec<(&'static str, i64, String)> {
        let mut out = Vec::new();
        if let Some(b) = &self.before {
            out.push(("<", b.created_at_ms, b.public_id.clone()));
        }
        if let Some(a) = &self.after {
            out.push((">", a.created_at_ms, a.public_id.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = HistoryCursor {
            created_at_ms: 1_700_000_000_123,
            public_id: "abc-_DEF".into(),
        };
        assert_eq!(HistoryCursor::parse(&c.encode()).unwrap(), c);
        for bad in ["", "123", "x.abc", "123.", "123.a b", "123.<script>"] {
            assert!(HistoryCursor::parse(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn cursors_round_trip(ms: i64, id in "[A-Za-z0-9_-]{1,32}") {
            let c = HistoryCursor { created_at_ms: ms, public_id: id };
            proptest::prop_assert_eq!(HistoryCursor::parse(&c.encode()).unwrap(), c);
        }

        #[test]
        fn any_text_parses_or_is_refused_cleanly(s in "\\PC{0,60}") {
            if let Ok(c) = HistoryCursor::parse(&s) {
                proptest::prop_assert_eq!(HistoryCursor::parse(&c.encode()).unwrap(), c);
            }
        }
    }
}
