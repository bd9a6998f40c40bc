//! uap-core's rules made small for Rust's regex engine.
//!
//! Two rewrites, both keeping every uap-core test case's answer:
//! - `\d`, `\w` and `\s` match every Unicode digit, word character or
//!   space in Rust's regex crate, which makes each of the ~1,300 regexes
//!   (and the lazy DFA each grows) many times larger than the ASCII classes
//!   user agents need;
//! - long bounded repetitions (`{0,100}`, `{1,200}`) are unrolled into that
//!   many copies of their item. uap-core bounds them to protect
//!   backtracking engines from catastrophic inputs; Rust's engine is linear
//!   whatever the pattern, and a user agent is at most 512 bytes, so they
//!   become unbounded (`*`, `+`, `{m,}`).
//!
//! The rules are single-quoted YAML, where a backslash is literal, so the
//! rewrite works on the `regex:` lines' text.

/// Bounds at least this long are lifted.
const LONG_BOUND: u32 = 100;

/// `yaml` with every `regex: '…'` value rewritten by [`ascii_pattern`] and
/// [`unbounded`].
pub(super) fn ascii(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + yaml.len() / 8);
    for line in yaml.split_inclusive('\n') {
        match split_regex_line(line) {
            Some((head, pattern, tail)) => {
                out.push_str(head);
                out.push_str(&unbounded(&ascii_pattern(pattern)));
                out.push_str(tail);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// `  - regex: '…'` → (`  - regex: '`, `…`, `'` and the rest).
fn split_regex_line(line: &str) -> Option<(&str, &str, &str)> {
    let start = line.find("regex: '")? + "regex: '".len();
    let end = line.rfind('\'').filter(|&e| e >= start)?;
    let head = &line[..start];
    if !head
        .trim_start()
        .trim_start_matches("- ")
        .starts_with("regex:")
    {
        return None;
    }
    Some((head, &line[start..end], &line[end..]))
}

/// The pattern with `\d`, `\w`, `\s` (and `\S` outside a class) as ASCII
/// classes; everything else as it was.
pub(super) fn ascii_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d') if in_class => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some('w') if in_class => out.push_str("0-9A-Za-z_"),
                Some('w') => out.push_str("[0-9A-Za-z_]"),
                Some('s') if in_class => out.push_str(r"\t\n\x0B\x0C\r "),
                Some('s') => out.push_str(r"[\t\n\x0B\x0C\r ]"),
                Some('S') if !in_class => out.push_str(r"[^\t\n\x0B\x0C\r ]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // `[^]…]` and `[]…]`: a leading `]` is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// `{m,n}` with `n` ≥ [`LONG_BOUND`] as `*` (m = 0), `+` (m = 1) or `{m,}`;
/// escaped braces and everything else as they were.
pub(super) fn unbounded(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find(['\\', '{']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('\\') {
            let n = tail.chars().nth(1).map_or(1, |c| 1 + c.len_utf8());
            out.push_str(&tail[..n]);
            rest = &tail[n..];
            continue;
        }
        let repeat = tail[1..].split_once('}').and_then(|(inner, after)| {
            let (m, n) = inner.split_once(',')?;
            let (m, n): (u32, u32) = (m.parse().ok()?, n.parse().ok()?);
            Some((m, n, after))
        });
        match repeat {
            Some((m, n, after)) if n >= LONG_BOUND => {
                match m {
                    0 => out.push('*'),
                    1 => out.push('+'),
                    m => out.push_str(&format!("{{{m},}}")),
                }
                rest = after;
            }
            _ => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_become_ascii_inside_and_outside_brackets() {
        assert_eq!(ascii_pattern(r"(\d+)\.(\d+)"), r"([0-9]+)\.([0-9]+)");
        assert_eq!(ascii_pattern(r"[\d.]{0,100}"), r"[0-9.]{0,100}");
        assert_eq!(ascii_pattern(r"[;\s(]+"), "[;\\t\\n\\x0B\\x0C\\r (]+");
        assert_eq!(ascii_pattern(r"\w+\S"), r"[0-9A-Za-z_]+[^\t\n\x0B\x0C\r ]");
        assert_eq!(ascii_pattern(r"[^\]]\d"), r"[^\]][0-9]");
        assert_eq!(ascii_pattern(r"\\d\b"), r"\\d\b");
        assert_eq!(
            unbounded(r"[^;]{0,100}x{1,200}y{2,50}z{0,2}"),
            r"[^;]*x+y{2,50}z{0,2}"
        );
        assert_eq!(unbounded(r"\{0,100}a{b}"), r"\{0,100}a{b}");
        let yaml = "  - regex: '(Foo)/(\\d+)'\n    family_replacement: 'x \\d'\n";
        assert_eq!(
            ascii(yaml),
            "  - regex: '(Foo)/([0-9]+)'\n    family_replacement: 'x \\d'\n"
        );
    }
}
