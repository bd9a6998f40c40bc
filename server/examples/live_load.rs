//! The load client of `scripts/bench-live.sh`: thousands of open boards
//! (live streams) on one server.
//!
//! `setup` makes the accounts and sessions straight in the server's
//! database (a password hash per account, not per board), before the
//! server starts. `run` opens a stream per board, then measures: resident
//! memory per open stream, CPU while idle, how long a terminated session
//! takes to be told, the fan-out to 1, 10 and 50 streams of an account,
//! and how long a new login takes to appear on 1,000 boards that refetch
//! their data (as the browser does) when told something changed.
use anyhow::{Context, Result, bail, ensure};
use app::contract::{EVENTS_PATH, SESSION_COOKIE};
use app::dashboard::Dashboard;
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, header};
use hyper_util::rt::TokioIo;
use migrations::{Migrator, MigratorTrait};
use sessions::{GeoIp, RequestFacts, SessionStore, StoreConfig};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc};

const PASSWORD: &str = "live-load-password";
const AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/// The fan-out accounts' sizes.
const FANS: [usize; 3] = [1, 10, 50];

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the accounts and sessions; writes one line per session.
    Setup {
        database_url: String,
        out: PathBuf,
        /// Accounts of `boards` open boards each, one session per board
        /// (the first one also gets the sessions terminated in the kick-out
        /// runs), besides one account of `boards` boards in 50 sessions.
        #[arg(long, default_value_t = 9)]
        accounts: usize,
        #[arg(long, default_value_t = 1000)]
        boards: usize,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Opens the streams and measures; prints `key value` lines.
    Run {
        /// e.g. 127.0.0.1:3210
        addr: SocketAddr,
        sessions: PathBuf,
        /// The server's process id (for its memory and CPU).
        server_pid: u32,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        #[arg(long, default_value_t = 30)]
        idle_secs: u64,
    },
}

/// What a session is for in the run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// An open board.
    Board,
    /// An open board terminated in a kick-out run.
    Victim,
    /// No stream: terminated to make a change in a fan-out run.
    Spare,
    /// No stream: the session that terminates the others.
    Controller,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Board => "board",
            Role::Victim => "victim",
            Role::Spare => "spare",
            Role::Controller => "controller",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "board" => Role::Board,
            "victim" => Role::Victim,
            "spare" => Role::Spare,
            "controller" => Role::Controller,
            _ => bail!("unknown role {s:?}"),
        })
    }

    fn streams(self) -> bool {
        matches!(self, Role::Board | Role::Victim)
    }
}

struct Session {
    role: Role,
    account: String,
    token: String,
    id: String,
    /// Boards (tabs) open on this session.
    tabs: usize,
}

/// Sessions of one role in an account: (role, how many, tabs each).
type Group = (Role, usize, usize);

/// The account whose boards are tabs: 50 sessions.
const TABS: &str = "tabs";
const TAB_SESSIONS: usize = 50;
/// The accounts whose boards refetch their data when told of a change.
fn refetches(account: &str) -> bool {
    account == "live0" || account == TABS
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Setup {
            database_url,
            out,
            accounts,
            boards,
            runs,
        } => setup(&database_url, &out, accounts, boards, runs).await,
        Command::Run {
            addr,
            sessions,
            server_pid,
            runs,
            idle_secs,
        } => run(addr, &sessions, server_pid, runs, idle_secs).await,
    }
}

async fn setup(
    url: &str,
    out: &PathBuf,
    accounts: usize,
    boards: usize,
    runs: usize,
) -> Result<()> {
    let db = sessions::db::connect(url).await?;
    Migrator::up(&db, None).await?;
    let store = SessionStore::new(db, StoreConfig::default(), GeoIp::disabled());
    let mut plan: Vec<(String, Vec<Group>)> = (0..accounts)
        .map(|a| {
            let mut roles = vec![(Role::Controller, 1, 0), (Role::Board, boards, 1)];
            if a == 0 {
                roles.push((Role::Victim, runs, 1));
            }
            (format!("live{a}"), roles)
        })
        .collect();
    plan.push((
        TABS.to_owned(),
        vec![
            (Role::Controller, 1, 0),
            (Role::Board, TAB_SESSIONS, boards / TAB_SESSIONS),
        ],
    ));
    for n in FANS {
        plan.push((
            format!("fan{n}"),
            vec![
                (Role::Controller, 1, 0),
                (Role::Board, n, 1),
                (Role::Spare, runs, 0),
            ],
        ));
    }
    let total: usize = plan
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(_, n, _)| n))
        .sum();
    println!("    {} accounts, {total} sessions", plan.len());
    let mut lines = String::new();
    let mut made = 0;
    for (i, (name, roles)) in plan.iter().enumerate() {
        // One network per account: registrations are limited per network.
        let ip = IpAddr::V4(Ipv4Addr::new(10, 7, (i / 250) as u8, (i % 250 + 1) as u8));
        let user = store.register(name, PASSWORD, ip).await?;
        let facts = RequestFacts {
            user_agent: AGENT.to_owned(),
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            app: None,
        };
        for &(role, n, tabs) in roles {
            for _ in 0..n {
                let (token, view) = store.start_session(user.id, &facts).await?;
                lines.push_str(&format!(
                    "{}\t{name}\t{}\t{}\t{tabs}\n",
                    role.name(),
                    token.expose_secret(),
                    view.id
                ));
                made += 1;
                if made % 1000 == 0 {
                    println!("    {made} sessions");
                }
            }
        }
    }
    std::fs::write(out, lines).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

fn read_sessions(path: &PathBuf) -> Result<Vec<Session>> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            ensure!(f.len() == 5, "bad line {l:?}");
            Ok(Session {
                role: Role::parse(f[0])?,
                account: f[1].to_owned(),
                token: f[2].to_owned(),
                id: f[3].to_owned(),
                tabs: f[4].parse()?,
            })
        })
        .collect()
}

/// What a board saw, and when.
#[derive(Debug)]
enum Seen {
    Changed,
    SignedOut,
    /// Its data, refetched after a change.
    Data(String),
}

type Sightings = mpsc::UnboundedSender<(usize, Instant, Seen)>;

struct Client {
    addr: SocketAddr,
    host: String,
}

impl Client {
    async fn send<B>(&self, req: Request<B>) -> Result<Response<Incoming>>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let tcp = TcpStream::connect(self.addr).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
        tokio::spawn(conn);
        Ok(sender.send_request(req).await?)
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> hyper::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.host)
            .header(header::USER_AGENT, AGENT);
        if let Some(t) = token {
            b = b.header(header::COOKIE, format!("{SESSION_COOKIE}={t}"));
        }
        b
    }

    async fn get(&self, path: &str, token: &str) -> Result<String> {
        let req = self
            .request("GET", path, Some(token))
            .body(Empty::<Bytes>::new())?;
        let res = self.send(req).await?;
        let status = res.status();
        let body = res.into_body().collect().await?.to_bytes();
        ensure!(status.is_success(), "GET {path}: {status}");
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// A same-origin form post; returns the response's cookie, if any.
    async fn post(&self, path: &str, token: Option<&str>, form: String) -> Result<Option<String>> {
        let req = self
            .request("POST", path, token)
            .header(header::ORIGIN, format!("http://{}", self.host))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))?;
        let res = self.send(req).await?;
        let status = res.status();
        let cookie = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{SESSION_COOKIE}=")))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        res.into_body().collect().await?;
        ensure!(
            status.is_success() || status.is_redirection(),
            "POST {path}: {status}"
        );
        Ok(cookie)
    }
}

/// Opens `token`'s stream; a task then reports what it says. Boards that
/// `refetch` load their data on each change, as the page does.
async fn open_board(
    client: Arc<Client>,
    index: usize,
    token: String,
    refetch: bool,
    seen: Sightings,
) -> Result<()> {
    let req = client
        .request("GET", EVENTS_PATH, Some(&token))
        .header(header::ACCEPT, "text/event-stream")
        .body(Empty::<Bytes>::new())?;
    let res = client.send(req).await?;
    ensure!(res.status().is_success(), "stream: {}", res.status());
    let mut body = res.into_body();
    tokio::spawn(async move {
        let mut buf = String::new();
        while let Some(Ok(frame)) = body.frame().await {
            let Some(data) = frame.data_ref() else {
                continue;
            };
            buf.push_str(&String::from_utf8_lossy(data));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let event = block.lines().find_map(|l| l.strip_prefix("event:"));
                match event.map(str::trim) {
                    Some("changed") => {
                        let _ = seen.send((index, Instant::now(), Seen::Changed));
                        if refetch {
                            let (client, token, seen) =
                                (client.clone(), token.clone(), seen.clone());
                            tokio::spawn(async move {
                                if let Ok(data) = client.get("/api/board", &token).await {
                                    let _ = seen.send((index, Instant::now(), Seen::Data(data)));
                                }
                            });
                        }
                    }
                    Some("signed_out") => {
                        let _ = seen.send((index, Instant::now(), Seen::SignedOut));
                        return;
                    }
                    _ => {}
                }
            }
        }
    });
    Ok(())
}

fn status_kb(pid: u32, key: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

/// User plus system CPU ticks of `pid`.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command's closing parenthesis; utime and stime
    // are the 14th and 15th of the whole line.
    let rest = &stat[stat.rfind(')').context("stat")? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Ok(f[11].parse::<u64>()? + f[12].parse::<u64>()?)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Waits until `want` says done with what `rx` reports, or `limit`.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<(usize, Instant, Seen)>,
    limit: Duration,
    mut want: impl FnMut(usize, Instant, Seen) -> bool,
) -> Result<()> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let next = tokio::time::timeout_at(deadline, rx.recv()).await;
        match next {
            Ok(Some((i, at, seen))) => {
                if want(i, at, seen) {
                    return Ok(());
                }
            }
            Ok(None) => bail!("every stream closed"),
            Err(_) => bail!("not done within {limit:?}"),
        }
    }
}

/// Drops whatever is reported for `quiet`.
async fn settle(rx: &mut mpsc::UnboundedReceiver<(usize, Instant, Seen)>, quiet: Duration) {
    while tokio::time::timeout(quiet, rx.recv())
        .await
        .is_ok_and(|m| m.is_some())
    {}
}

async fn run(
    addr: SocketAddr,
    path: &PathBuf,
    pid: u32,
    runs: usize,
    idle_secs: u64,
) -> Result<()> {
    let all = read_sessions(path)?;
    let client = Arc::new(Client {
        addr,
        host: format!("localhost:{}", addr.port()),
    });
    // One channel per account, so that each measurement hears only its own.
    let mut channels: HashMap<String, (Sightings, mpsc::UnboundedReceiver<_>)> = HashMap::new();
    for s in &all {
        channels
            .entry(s.account.clone())
            .or_insert_with(mpsc::unbounded_channel);
    }
    client.get("/livez", "none").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = status_kb(pid, "VmRSS:")?;

    // One stream per open board: (session, stream number).
    let streams: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role.streams())
        .flat_map(|(i, s)| std::iter::repeat_n(i, s.tabs))
        .collect();
    println!("    opening {} streams", streams.len());
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(200));
    let mut opening = tokio::task::JoinSet::new();
    for (n, &i) in streams.iter().enumerate() {
        let s = &all[i];
        let (client, gate) = (client.clone(), gate.clone());
        let seen = channels[&s.account].0.clone();
        let (token, refetch) = (s.token.clone(), refetches(&s.account));
        opening.spawn(async move {
            let _permit = gate.acquire_owned().await?;
            open_board(client, n, token, refetch, seen).await
        });
    }
    let mut open = 0;
    while let Some(done) = opening.join_next().await {
        done??;
        open += 1;
        if open % 2000 == 0 {
            println!("    {open} open");
        }
    }
    println!("open_streams {open}");
    println!("open_secs {:.1}", started.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = status_kb(pid, "VmRSS:")?;
    println!("rss_before_mb {:.1}", rss_before as f64 / 1024.0);
    println!("rss_after_mb {:.1}", rss_after as f64 / 1024.0);
    println!(
        "rss_per_stream_kib {:.1}",
        (rss_after.saturating_sub(rss_before)) as f64 / open as f64
    );

    println!("    idle for {idle_secs} s with every stream open");
    let t0 = cpu_ticks(pid)?;
    tokio::time::sleep(Duration::from_secs(idle_secs)).await;
    let ticks = cpu_ticks(pid)? - t0;
    // Linux counts 100 ticks per second.
    println!(
        "idle_cpu_percent {:.2}",
        ticks as f64 / (idle_secs as f64 * 100.0) * 100.0
    );

    let of = |account: &str, role: Role| -> Vec<&Session> {
        all.iter()
            .filter(|s| s.account == account && s.role == role)
            .collect()
    };
    // The streams of the sessions of `account` in `role`.
    let streams_of = |account: &str, role: Role| -> Vec<usize> {
        streams
            .iter()
            .enumerate()
            .filter(|(_, i)| all[**i].account == account && all[**i].role == role)
            .map(|(n, _)| n)
            .collect()
    };
    let post_terminate = |controller: &Session, id: &str| {
        let (client, token, form) = (client.clone(), controller.token.clone(), format!("id={id}"));
        async move {
            client
                .post("/api/terminate_session", Some(&token), form)
                .await
        }
    };

    // Kick-out: a board's session is terminated by another of its account
    // (whose 1,000 boards then refetch).
    println!("    {runs} kick-outs among the open boards");
    let controller = of("live0", Role::Controller)[0];
    let victims = streams_of("live0", Role::Victim);
    let mut kicks = Vec::new();
    for (victim, stream) in of("live0", Role::Victim).into_iter().zip(victims) {
        let rx = &mut channels.get_mut("live0").context("live0")?.1;
        settle(rx, Duration::from_millis(300)).await;
        let sent = Instant::now();
        post_terminate(controller, &victim.id).await?;
        collect(rx, Duration::from_secs(10), |i, at, seen| {
            let done = i == stream && matches!(seen, Seen::SignedOut);
            if done {
                kicks.push(ms(at - sent));
            }
            done
        })
        .await
        .context("kick-out")?;
    }
    println!("kick_p50_ms {:.1}", percentile(kicks.clone(), 0.5));
    println!("kick_p95_ms {:.1}", percentile(kicks.clone(), 0.95));
    println!("kick_max_ms {:.1}", percentile(kicks, 1.0));
    // The last kick-out's refetches finish before the next measurement.
    let rx = &mut channels.get_mut("live0").context("live0")?.1;
    settle(rx, Duration::from_millis(1000)).await;

    // Fan-out: a change in an account with N open boards reaches all N.
    for n in FANS {
        let account = format!("fan{n}");
        let controller = of(&account, Role::Controller)[0];
        let mut times = Vec::new();
        for spare in of(&account, Role::Spare) {
            let rx = &mut channels.get_mut(&account).context("fan")?.1;
            settle(rx, Duration::from_millis(50)).await;
            let sent = Instant::now();
            post_terminate(controller, &spare.id).await?;
            let mut told = std::collections::HashSet::new();
            let mut last = sent;
            collect(rx, Duration::from_secs(10), |i, at, seen| {
                if matches!(seen, Seen::Changed) && told.insert(i) {
                    last = at;
                }
                told.len() == n
            })
            .await
            .context("fan-out")?;
            times.push(ms(last - sent));
        }
        println!("fanout_{n}_p50_ms {:.1}", percentile(times.clone(), 0.5));
        println!("fanout_{n}_p95_ms {:.1}", percentile(times, 0.95));
    }

    // A new login appears on the open boards of its account: each is told,
    // refetches its data, and finds the new session in it. Once with a
    // session per board, once with 20 boards (tabs) per session.
    for account in ["live0", TABS] {
        let boards = streams_of(account, Role::Board);
        println!(
            "    a new login of {account}, watched by {} open boards",
            boards.len()
        );
        let rx = &mut channels.get_mut(account).context("account")?.1;
        settle(rx, Duration::from_millis(500)).await;
        let sent = Instant::now();
        let token = client
            .post(
                "/api/login",
                None,
                format!("username={account}&password={PASSWORD}"),
            )
            .await?
            .context("the login set no cookie")?;
        let logged_in = Instant::now();
        let mine: Dashboard =
            leptos::serde_json::from_str(&client.get("/api/board", &token).await?)?;
        let cards = mine.cards.len();
        let id = mine
            .cards
            .iter()
            .find(|c| c.current)
            .map(|c| c.id.clone())
            .context("no current card")?;
        let mut shown: HashMap<usize, Instant> = HashMap::new();
        collect(rx, Duration::from_secs(60), |i, at, seen| {
            if let Seen::Data(body) = seen
                && body.contains(&id)
            {
                shown.entry(i).or_insert(at);
            }
            boards.iter().all(|b| shown.contains_key(b))
        })
        .await
        .with_context(|| {
            format!(
                "the new login reached {} of {} boards",
                shown.len(),
                boards.len()
            )
        })?;
        let times: Vec<f64> = shown.values().map(|at| ms(*at - sent)).collect();
        println!("{account}_login_ms {:.1}", ms(logged_in - sent));
        println!("{account}_boards {}", boards.len());
        println!("{account}_cards {cards}");
        println!(
            "{account}_shown_p50_ms {:.1}",
            percentile(times.clone(), 0.5)
        );
        println!("{account}_shown_all_ms {:.1}", percentile(times, 1.0));
    }
    println!(
        "rss_end_mb {:.1}",
        status_kb(pid, "VmRSS:")? as f64 / 1024.0
    );
    Ok(())
}
