//! A loopback HTTP/1.1 proxy for `scripts/bench` (see scripts/BENCH.md).
//!
//! It adds a round trip to every call, counted from the request's arrival (rtt/2 before the
//! request reaches the upstream, rtt/2 after the upstream answered; a replayed answer goes out
//! one rtt after its request arrived). With `--record` it keeps the upstream's answers; with
//! `--replay` it answers from such a recording instead of asking the upstream, so a second run
//! of the same scan measures trailguard without the emulator's CPU but with its exact answers.
//! It behaves as an HTTP/1.1 intermediary: moto closes every connection, but `Connection` is
//! hop-by-hop, so the client's connection stays open for its next request, as with AWS.
//!
//! Usage: bench_proxy --upstream-port N [--rtt-ms 50] [--port 0] [--log FILE]
//!                    [--record FILE | --replay FILE] [--max-seconds 3600]
//!
//! Listens on 127.0.0.1 only, prints `PORT=<n>`, and exits when stdin reaches EOF or after
//! --max-seconds (writing the recording first, with --record).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

const USAGE: &str = "usage: bench_proxy --upstream-port N [--rtt-ms 50] [--port 0] [--log FILE] \
                     [--record FILE | --replay FILE] [--max-seconds 3600]";
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;
const LOG_HEAD: usize = 4096;
const MAGIC: &[u8] = b"bench_proxy recording v1\n";

type Answer = Arc<[u8]>;
/// (request key, answer) in the order the answers arrived.
type Recording = Vec<(Vec<u8>, Answer)>;

enum Mode {
    Forward,
    Record(PathBuf),
    Replay(PathBuf),
}

struct Args {
    upstream_port: u16,
    rtt_ms: f64,
    port: u16,
    log: Option<PathBuf>,
    mode: Mode,
    max_seconds: f64,
}

/// Per request key: the recorded answers, handed out in recorded order, and the next one's index.
type Replay = HashMap<Vec<u8>, (Vec<Answer>, usize)>;

struct Shared {
    upstream_port: u16,
    half_rtt: Duration,
    log: Option<Log>,
    recording: Option<Mutex<Recording>>,
    replay: Option<Mutex<Replay>>,
    requests: AtomicU64,
    misses: AtomicU64,
}

/// The `--log` file and its lines, kept raw until the proxy stops: formatting a JSON line per
/// answer would take the proxy's one thread away from answering on time.
struct Log {
    file: File,
    entries: Mutex<Vec<LogEntry>>,
}

struct LogEntry {
    open: f64,
    first_up: f64,
    first_down: f64,
    close: f64,
    head: Vec<u8>,
    source: &'static str,
}

struct Request {
    open: f64,
    /// `open` on the monotonic clock: the round trip is counted from here.
    arrived: Instant,
    raw: Vec<u8>,
    key: Vec<u8>,
    /// A HEAD request: its answer has no body whatever its Content-Length says.
    head_only: bool,
    /// The client asked to close after this exchange (`Connection: close`, or HTTP/1.0).
    client_close: bool,
}

enum ReadError {
    Io,
    Reject(u16, &'static str),
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("bench_proxy: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // One thread: the proxy only sleeps and copies, and a second thread would cost a futex
    // wake-up per connection; the cores belong to trailguard and moto.
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
        .and_then(|rt| rt.block_on(run(args)));
    if let Err(e) = result {
        eprintln!("bench_proxy: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn parse_args() -> Result<Args, String> {
    fn num<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
        value
            .parse()
            .map_err(|_| format!("{flag}: not a valid number: {value}"))
    }
    let (mut upstream, mut record, mut replay) = (None, None, None);
    let mut args = Args {
        upstream_port: 0,
        rtt_ms: 50.0,
        port: 0,
        log: None,
        mode: Mode::Forward,
        max_seconds: 3600.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--upstream-port" => upstream = Some(num(&flag, &value)?),
            "--rtt-ms" => args.rtt_ms = num(&flag, &value)?,
            "--port" => args.port = num(&flag, &value)?,
            "--max-seconds" => args.max_seconds = num(&flag, &value)?,
            "--log" => args.log = Some(PathBuf::from(value)),
            "--record" => record = Some(PathBuf::from(value)),
            "--replay" => replay = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    args.upstream_port = upstream.ok_or("--upstream-port is required")?;
    args.mode = match (record, replay) {
        (Some(_), Some(_)) => return Err("--record and --replay exclude each other".into()),
        (Some(path), None) => Mode::Record(path),
        (None, Some(path)) => Mode::Replay(path),
        (None, None) => Mode::Forward,
    };
    if !(0.0..=600_000.0).contains(&args.rtt_ms) || !(0.001..=1e9).contains(&args.max_seconds) {
        return Err("--rtt-ms must be 0..600000 and --max-seconds 0.001..1e9".into());
    }
    Ok(args)
}

async fn run(args: Args) -> Result<(), String> {
    let replay = match &args.mode {
        Mode::Replay(path) => Some(Mutex::new(load(path)?)),
        _ => None,
    };
    let log = args.log.as_ref().map(|path| {
        let file = File::options().create(true).append(true).open(path);
        let file = file.map(|file| Log {
            file,
            entries: Mutex::new(Vec::new()),
        });
        file.map_err(|e| format!("--log {}: {e}", path.display()))
    });
    let shared = Arc::new(Shared {
        upstream_port: args.upstream_port,
        half_rtt: Duration::from_secs_f64(args.rtt_ms / 2000.0),
        log: log.transpose()?,
        recording: matches!(args.mode, Mode::Record(_)).then(|| Mutex::new(Vec::new())),
        replay,
        requests: AtomicU64::new(0),
        misses: AtomicU64::new(0),
    });
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("listen on 127.0.0.1:{}: {e}", args.port))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let mut out = io::stdout().lock();
    writeln!(out, "PORT={port}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("stdout: {e}"))?;
    drop(out);

    // The bench holds our stdin: its EOF (the bench closing it, or dying) is the signal to stop.
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        let _ = stop_tx.send(());
    });
    let deadline = tokio::time::sleep(Duration::from_secs_f64(args.max_seconds));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut stop_rx => break,
            () = &mut deadline => {
                eprintln!("bench_proxy: --max-seconds reached, stopping");
                break;
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve(Arc::clone(&shared), stream));
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off rather than spin.
                    eprintln!("bench_proxy: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    if let Some(log) = &shared.log {
        write_log(log).map_err(|e| format!("--log: {e}"))?;
    }
    if let (Mode::Record(path), Some(recording)) = (&args.mode, &shared.recording) {
        save(path, &lock(recording)).map_err(|e| format!("--record {e}"))?;
    }
    eprintln!(
        "bench_proxy: {} requests, {} replay misses",
        shared.requests.load(Ordering::Relaxed),
        shared.misses.load(Ordering::Relaxed)
    );
    Ok(())
}

async fn serve(shared: Arc<Shared>, mut client: TcpStream) {
    let _ = client.set_nodelay(true);
    let mut buf = Vec::with_capacity(8192);
    loop {
        let request = match read_request(&mut client, &mut buf).await {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Io) => break,
            Err(ReadError::Reject(code, message)) => {
                let _ = client.write_all(&reject(code, message)).await;
                break;
            }
        };
        // Deadlines count from the request's arrival, so the time the proxy spends reading,
        // looking up and copying is inside the round trip, not added to it. A replayed answer
        // is at hand at once, so its call waits on one timer: tokio's timers fire on the
        // millisecond tick after their deadline, and each one adds up to a millisecond more.
        // `up`: when the request reaches the upstream; `down`: what is left of the round trip.
        let (up, down) = if shared.replay.is_some() {
            (request.arrived, shared.half_rtt * 2)
        } else {
            let due = request.arrived + shared.half_rtt;
            tokio::time::sleep_until(due).await;
            (due, shared.half_rtt)
        };
        let (first_up, asked) = stamp();
        let (answer, source) = shared.answer(&request).await;
        let (first_down, answered) = stamp();
        let (answer, keep_open) = for_client(&answer, &request);
        // The upstream's own time (moto's, or a miss forwarded from a replay) is added.
        let due = up + (answered - asked) + down;
        tokio::time::sleep_until(due).await;
        let written = client.write_all(&answer).await.is_ok();
        shared.log(&request, first_up, first_down, now(), source);
        if !written || !keep_open {
            break;
        }
    }
    // FIN rather than a bare drop, so the client reads the whole answer before the close.
    let _ = client.shutdown().await;
}

/// Reads one request (head, then Content-Length bytes of body) from `client`; bytes read past
/// it stay in `buf` for the next one. `Ok(None)`: the client closed between requests.
async fn read_request(
    client: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Result<Option<Request>, ReadError> {
    let mut open = (!buf.is_empty()).then(stamp);
    let head_len = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Reject(431, "request head too large"));
        }
        if read_more(client, buf).await? == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io)
            };
        }
        open.get_or_insert_with(stamp);
    };
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut head = httparse::Request::new(&mut headers);
    if !matches!(
        head.parse(&buf[..head_len]),
        Ok(httparse::Status::Complete(_))
    ) {
        return Err(ReadError::Reject(400, "malformed request head"));
    }
    let header = |name: &str| {
        head.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    if header("transfer-encoding").is_some_and(|v| !v.eq_ignore_ascii_case(b"identity")) {
        return Err(ReadError::Reject(
            501,
            "bench_proxy: chunked request bodies are not supported; send Content-Length",
        ));
    }
    let body_len = match header("content-length") {
        None => 0,
        Some(v) => std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .ok_or(ReadError::Reject(400, "invalid Content-Length"))?,
    };
    if body_len > MAX_BODY {
        return Err(ReadError::Reject(413, "request body too large"));
    }
    // The key names the request, not the run: Host (the port), dates, signatures and SDK ids
    // change between the recorded run and the replay, so they are left out.
    let auth = std::str::from_utf8(header("authorization").unwrap_or(b"")).unwrap_or("");
    let scope = auth.split_once("Credential=").map_or("", |(_, rest)| rest);
    let scope: Vec<&str> = scope
        .split([',', ' '])
        .next()
        .unwrap_or("")
        .split('/')
        .collect();
    let scope_part = |i: usize| scope.get(i).copied().unwrap_or("").as_bytes();
    let mut key = Vec::new();
    for part in [
        head.method.unwrap_or("").as_bytes(),
        head.path.unwrap_or("").as_bytes(),
        header("x-amz-target").unwrap_or(b""),
        scope_part(0), // access key id
        scope_part(2), // region
        scope_part(3), // service
    ] {
        key.extend_from_slice(part);
        key.push(0);
    }
    let head_only = head.method == Some("HEAD");
    let client_close = head.version != Some(1)
        || header("connection").is_some_and(|v| String::from_utf8_lossy(v).contains("close"));
    let total = head_len + body_len;
    while buf.len() < total {
        if read_more(client, buf).await? == 0 {
            return Err(ReadError::Io);
        }
    }
    let raw: Vec<u8> = buf.drain(..total).collect();
    key.extend_from_slice(&raw[head_len..]);
    let (open, arrived) = open.unwrap_or_else(stamp);
    Ok(Some(Request {
        open,
        arrived,
        raw,
        key,
        head_only,
        client_close,
    }))
}

async fn read_more(client: &mut TcpStream, buf: &mut Vec<u8>) -> Result<usize, ReadError> {
    let mut chunk = [0u8; 16 * 1024];
    let n = client.read(&mut chunk).await.map_err(|_| ReadError::Io)?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

impl Shared {
    async fn answer(&self, request: &Request) -> (Answer, &'static str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(replay) = &self.replay {
            let hit = lock(replay)
                .get_mut(&request.key)
                .and_then(|(answers, next)| {
                    let answer = answers.get((*next).min(answers.len().saturating_sub(1)))?;
                    *next += 1;
                    Some(Arc::clone(answer))
                });
            if let Some(answer) = hit {
                return (answer, "replay");
            }
            self.misses.fetch_add(1, Ordering::Relaxed);
            return (self.forward(&request.raw).await, "miss");
        }
        let answer = self.forward(&request.raw).await;
        if let Some(recording) = &self.recording {
            lock(recording).push((request.key.clone(), Arc::clone(&answer)));
        }
        (answer, "upstream")
    }

    /// One connection per request, as moto closes after every answer. The answer ends at its
    /// Content-Length (moto closes only ~10 ms after answering, a delay no client waits for),
    /// or at EOF when it has none. A failure becomes a 502 for the client.
    async fn forward(&self, raw: &[u8]) -> Answer {
        let exchange = async {
            let mut upstream = TcpStream::connect(("127.0.0.1", self.upstream_port)).await?;
            upstream.set_nodelay(true)?;
            upstream.write_all(raw).await?;
            let head_request = raw.starts_with(b"HEAD ");
            let mut answer = Vec::new();
            let mut chunk = [0u8; 16 * 1024];
            loop {
                let n = upstream.read(&mut chunk).await?;
                answer.extend_from_slice(&chunk[..n]);
                let length = answer_head(&answer, head_request).flatten();
                if n == 0 || length.is_some_and(|len| answer.len() >= len) {
                    break;
                }
            }
            if answer.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "empty answer"));
            }
            Ok::<_, io::Error>(answer)
        };
        match exchange.await {
            Ok(answer) => answer.into(),
            Err(e) => {
                eprintln!(
                    "bench_proxy: upstream 127.0.0.1:{}: {e}",
                    self.upstream_port
                );
                reject(502, "bench_proxy: upstream failed").into()
            }
        }
    }

    fn log(
        &self,
        request: &Request,
        first_up: f64,
        first_down: f64,
        close: f64,
        source: &'static str,
    ) {
        let Some(log) = &self.log else { return };
        let end = request.raw.len().min(LOG_HEAD);
        lock(&log.entries).push(LogEntry {
            open: request.open,
            first_up,
            first_down,
            close,
            head: request.raw[..end].to_vec(),
            source,
        });
    }
}

/// From an answer whose head has arrived: its length when the head says it (else it ends at
/// EOF).
fn answer_head(answer: &[u8], head_request: bool) -> Option<Option<usize>> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut response = httparse::Response::new(&mut headers);
    let Ok(httparse::Status::Complete(head_len)) = response.parse(answer) else {
        return None;
    };
    let header = |name: &str| {
        let mut found = response.headers.iter();
        let value = found.find(|h| h.name.eq_ignore_ascii_case(name))?.value;
        Some(String::from_utf8_lossy(value).trim().to_ascii_lowercase())
    };
    let length = match response.code {
        Some(100..=199) => None,
        Some(204 | 304) => Some(head_len),
        _ if head_request => Some(head_len),
        _ if header("transfer-encoding").is_some() => None,
        _ => header("content-length")?
            .parse::<usize>()
            .ok()
            .map(|n| head_len + n),
    };
    Some(length)
}

/// The answer as an HTTP/1.1 intermediary passes it on, and whether the client's connection
/// stays open after it. `Connection` and the fields it names are hop-by-hop (RFC 9110 §7.6.1):
/// moto's `Connection: close` ends the proxy's connection to moto, not the client's, which
/// stays open — as AWS endpoints keep theirs — whenever the answer's end is known without a
/// close (Content-Length, or no body) and the client did not ask to close. Otherwise the
/// answer goes out unchanged and the connection closes after it.
fn for_client<'a>(answer: &'a [u8], request: &Request) -> (Cow<'a, [u8]>, bool) {
    let delimited = answer_head(answer, request.head_only)
        .flatten()
        .is_some_and(|len| len == answer.len());
    let Some(head_len) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (Cow::Borrowed(answer), false);
    };
    if request.client_close || !delimited {
        return (Cow::Borrowed(answer), false);
    }
    // The status line and the fields, each with its CRLF.
    let head = &answer[..head_len + 2];
    let name = |line: &[u8]| {
        let end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
        String::from_utf8_lossy(&line[..end])
            .trim()
            .to_ascii_lowercase()
    };
    let mut hop_by_hop = vec!["connection".to_owned(), "keep-alive".to_owned()];
    for line in head.split(|&b| b == b'\n').skip(1) {
        if name(line) == "connection" {
            let value = line.splitn(2, |&b| b == b':').nth(1).unwrap_or(b"");
            let value = String::from_utf8_lossy(value).to_ascii_lowercase();
            hop_by_hop.extend(value.split(',').map(|v| v.trim().to_owned()));
        }
    }
    let mut out = Vec::with_capacity(answer.len());
    for (i, line) in head.split_inclusive(|&b| b == b'\n').enumerate() {
        if i > 0 && hop_by_hop.contains(&name(line)) {
            continue;
        }
        out.extend_from_slice(line);
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&answer[head_len + 4..]);
    (Cow::Owned(out), true)
}

fn reject(code: u16, message: &str) -> Vec<u8> {
    let reason = match code {
        400 => "Bad Request",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        _ => "Bad Gateway",
    };
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{message}\n",
        message.len() + 1
    )
    .into_bytes()
}

/// The recording: MAGIC, then (key, answer) pairs, each part a u64 little-endian length and
/// its bytes, in the order the answers arrived. Written through trailguard's safe writer: a
/// failed or interrupted save keeps the previous recording.
fn save(
    path: &std::path::Path,
    entries: &Recording,
) -> Result<(), trailguard::files::write::WriteError> {
    trailguard::files::write::write_with(path, |out| {
        out.write_all(MAGIC)?;
        for (key, answer) in entries {
            for part in [key.as_slice(), answer] {
                out.write_all(&(part.len() as u64).to_le_bytes())?;
                out.write_all(part)?;
            }
        }
        Ok(())
    })
}

fn load(path: &PathBuf) -> Result<Replay, String> {
    fn take<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
        let (len, tail) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        let part = tail.get(..len)?;
        *rest = &tail[len..];
        Some(part)
    }
    let data = std::fs::read(path).map_err(|e| format!("--replay {}: {e}", path.display()))?;
    let mut rest = data
        .strip_prefix(MAGIC)
        .ok_or("--replay: not a bench_proxy recording")?;
    let mut map = Replay::new();
    while !rest.is_empty() {
        let (Some(key), Some(answer)) = (take(&mut rest), take(&mut rest)) else {
            return Err(format!("--replay {}: truncated recording", path.display()));
        };
        map.entry(key.to_vec()).or_default().0.push(answer.into());
    }
    Ok(map)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these plain collections half-updated in a harmful way.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One JSON line per request, in the order they were answered.
fn write_log(log: &Log) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, &log.file);
    for e in lock(&log.entries).iter() {
        let head: String = e.head.iter().map(|&b| char::from(b)).collect();
        let entry = serde_json::json!({
            "open": e.open, "first_up": e.first_up, "first_down": e.first_down, "close": e.close,
            "head": head, "source": e.source,
        });
        writeln!(out, "{entry}")?;
    }
    out.flush()
}

/// Now, on both clocks: seconds since the epoch (for the log), and the monotonic instant.
fn stamp() -> (f64, Instant) {
    (now(), Instant::now())
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(head_only: bool, client_close: bool) -> Request {
        Request {
            open: 0.0,
            arrived: Instant::now(),
            raw: Vec::new(),
            key: Vec::new(),
            head_only,
            client_close,
        }
    }

    const MOTO: &[u8] = b"HTTP/1.1 200 OK\r\nServer: Werkzeug/3.1.9\r\nContent-Length: 5\r\n\
                          Connection: close, x-hop\r\nx-hop: 1\r\nx-amzn-requestid: r1\r\n\r\nhello";

    #[test]
    fn moto_close_is_hop_by_hop_and_the_client_connection_stays_open() {
        let (out, keep_open) = for_client(MOTO, &request(false, false));
        assert!(keep_open);
        assert_eq!(
            &out[..],
            &b"HTTP/1.1 200 OK\r\nServer: Werkzeug/3.1.9\r\nContent-Length: 5\r\n\
               x-amzn-requestid: r1\r\n\r\nhello"[..]
        );
    }

    #[test]
    fn a_client_that_asks_to_close_gets_the_answer_unchanged() {
        let (out, keep_open) = for_client(MOTO, &request(false, true));
        assert!(!keep_open);
        assert_eq!(&out[..], MOTO);
    }

    #[test]
    fn an_answer_that_ends_at_the_close_closes_the_client_connection() {
        let eof_delimited = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until EOF";
        let (out, keep_open) = for_client(eof_delimited, &request(false, false));
        assert!(!keep_open);
        assert_eq!(&out[..], &eof_delimited[..]);
    }

    #[test]
    fn a_head_answer_has_no_body_whatever_its_length_says() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\nConnection: close\r\n\r\n";
        let (out, keep_open) = for_client(head, &request(true, false));
        assert!(keep_open);
        assert_eq!(
            &out[..],
            &b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n"[..]
        );
    }
}
