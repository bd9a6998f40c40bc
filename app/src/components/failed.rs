//! "Failed sign-ins": attempts on the account that did not get in, per
//! network and day, with the step that failed and any lock-out.
use super::local_time;
use crate::dashboard::FailedLine;
use leptos::prelude::*;

fn line(f: FailedLine, local: Signal<bool>) -> impl IntoView + use<> {
    let FailedLine {
        network,
        location,
        device,
        step,
        count,
        first_ms,
        last_ms,
        locked_until_ms,
    } = f;
    let key = network.clone();
    view! {
        <tr data-failed=key>
            <td data-label="When">{local_time(first_ms, local)} " – " {local_time(last_ms, local)}</td>
            <td data-label="Network"><span data-field="network">{network}</span></td>
            <td data-label="Location">{super::location(location)}</td>
            <td data-label="Device">{device}</td>
            <td data-label="What failed"><span data-field="step">{step}</span></td>
            <td data-label="Attempts" data-field="attempts">{count}</td>
            <td data-label="Lock-out">
                {locked_until_ms.map(|t| view! { <span data-field="locked">"Locked out until " {local_time(t, local)}</span> })}
            </td>
        </tr>
    }
}

/// The section, when there is anything to show.
pub fn failed_sign_ins(
    lines: Vec<FailedLine>,
    code_lock: Option<String>,
    local: Signal<bool>,
) -> impl IntoView + use<> {
    (!lines.is_empty()).then(|| {
        let code_warning = lines.iter().any(FailedLine::password_known).then(|| {
                view! {
                    <p class="alert alert-error" role="alert">
                        "Someone typed your password correctly but not the code. Change your password now: it is known to someone else."
                    </p>
                }
            });
        let rows = lines.into_iter().map(|l| line(l, local)).collect_view();
        view! {
            <section class="failed" aria-labelledby="failed-title">
                <h2 id="failed-title">"Failed sign-ins (last 30 days)"</h2>
                {code_warning}
                {code_lock.map(|m| view! { <p class="alert alert-info" role="status" data-field="code-lock">{m}</p> })}
                <div class="table-wrap" role="region" aria-labelledby="failed-title" tabindex="0">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Network"</th>
                                <th scope="col">"Location"</th>
                                <th scope="col">"Device"</th>
                                <th scope="col">"What failed"</th>
                                <th scope="col">"Attempts"</th>
                                <th scope="col">"Lock-out"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn failed_sign_ins_say_what_failed_and_the_lock_out() {
        let line = FailedLine {
            network: "203.0.113.9".into(),
            location: crate::display::Located {
                flag: Some("se".into()),
                name: "Sweden".into(),
                local: false,
            },
            device: "Desktop · Firefox on Linux".into(),
            step: "Right password, wrong code".into(),
            count: 4,
            first_ms: 1_000,
            last_ms: 60_000,
            locked_until_ms: Some(120_000),
        };
        let render = |lines| {
            Owner::new().with(|| failed_sign_ins(lines, None, Signal::stored(false)).to_html())
        };
        let html = render(vec![line]);
        assert!(html.contains("Failed sign-ins (last 30 days)"));
        assert!(html.contains(">Right password, wrong code<"));
        assert!(html.contains("data-field=\"attempts\">4<"));
        assert!(html.contains("Locked out until"));
        assert!(html.contains("Change your password now"));
        assert!(html.contains(">Sweden<"));
        let empty = render(Vec::new());
        assert!(!empty.contains("Failed sign-ins"));
    }
}
