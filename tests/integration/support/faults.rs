//! A fault-injecting HTTP/1.1 proxy between `trailguard` and the emulator, for the fail-closed
//! tests: trailguard is pointed at it (`AWS_ENDPOINT_URL`), it forwards to moto, and it answers
//! chosen requests itself.
//!
//! * Requests are named as the recorder names them ([`RecordedCall::classify`]): the service
//!   and region from the SigV4 credential scope, the operation from `X-Amz-Target`, the form's
//!   `Action` or S3's method, path and query.
//! * The account a request acts in comes from its access key. The caller's keys are registered
//!   by the test ([`FaultProxy::know_key`]). Member accounts' temporary keys are learnt from the
//!   traffic: moto's keys are random (`ASIA` + 16 characters; the account is not encoded in
//!   them, moto looks them up in its own tables), so the proxy reads every successful
//!   `sts:AssumeRole` (the `RoleArn` in the request names the account, the answer the new key)
//!   and `sts:GetCallerIdentity` (the key in the request, `<Account>` in the answer). An
//!   `sts:AssumeRole` itself counts as a request *in the role's account*, so a fault on an
//!   account also makes its role unassumable.
//! * A [`Fault`] matches by operation (`cloudtrail:DescribeTrails`, `ec2:*`, `*`), region,
//!   account and a substring of the path, and fires on every match, the first N, all after the
//!   first N, or with probability p. The probability is decided by a hash of the seed, the
//!   request (its account, not its random key) and how many times that same request was seen,
//!   so one seed faults the same requests whatever order concurrent calls arrive in.
//! * Actions: the protocol's own throttling error (which the SDK retries as throttling), its
//!   access-denied error, a delay before forwarding, a canned answer, or killing the upstream:
//!   this request and every later one gets its connection closed unanswered, and the listener
//!   is closed so that new connections are refused — the emulator died mid-scan.
//! * Every request is logged with the fault that took it ([`FaultProxy::fired`]), so a test can
//!   prove that its fault fired ([`FaultProxy::assert_every_fault_fired`]).
//!
//! Every answer says `Connection: close`, as moto's own do, so a connection carries one
//! request and there is no keep-alive to manage. Threads and std::net, on 127.0.0.1 only.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::emulator::{Emulator, RecordedCall, Seeded, form_value};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long the proxy waits for moto (a loaded CI box is slow, but moto never takes minutes).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a client may take to send its request.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// Which of the requests a fault matches it acts on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Every match.
    Every,
    /// The first N matches.
    First(u64),
    /// Every match after the first N.
    After(u64),
    /// Each match with probability `p`, decided from `seed` and the request (see module docs).
    Probability { p: f64, seed: u64 },
}

/// What the proxy does with a request a fault fires on.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The protocol's own throttling error (see [`throttling_answer`]).
    Throttle,
    /// The protocol's own access-denied error.
    Deny,
    /// Forward after this long.
    Delay(Duration),
    /// Answer this instead of forwarding.
    Answer {
        status: u16,
        content_type: String,
        body: String,
    },
    /// The upstream dies: no answer to this request or any later one; new connections refused.
    Kill,
}

/// One fault: which requests, when, and what happens to them. Built with [`Fault::throttle`],
/// [`Fault::deny`], [`Fault::delay`], [`Fault::answer`] or [`Fault::kill`], then narrowed:
///
/// ```ignore
/// Fault::throttle("cloudtrail:DescribeTrails").region("eu-west-1")
/// Fault::throttle("sts:AssumeRole").account(&member)          // that member's role
/// Fault::throttle("*").probability(0.2, seed)
/// Fault::delay("ec2:*", Duration::from_secs(10))
/// Fault::kill("*").after(120)                                 // the 121st request kills moto
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    service: String,
    operation: String,
    region: Option<String>,
    account: Option<String>,
    path_contains: Option<String>,
    trigger: Trigger,
    action: Action,
}

impl Fault {
    /// `call` is `service:Operation`, `service:*` or `*`.
    fn new(call: &str, action: Action) -> Fault {
        let (service, operation) = call.split_once(':').unwrap_or((call, "*"));
        Fault {
            service: service.to_owned(),
            operation: operation.to_owned(),
            region: None,
            account: None,
            path_contains: None,
            trigger: Trigger::Every,
            action,
        }
    }

    /// Answers with the protocol's throttling error.
    pub fn throttle(call: &str) -> Fault {
        Fault::new(call, Action::Throttle)
    }

    /// Answers with the protocol's access-denied error.
    pub fn deny(call: &str) -> Fault {
        Fault::new(call, Action::Deny)
    }

    /// Forwards after `delay`.
    pub fn delay(call: &str, delay: Duration) -> Fault {
        Fault::new(call, Action::Delay(delay))
    }

    /// Answers `status` with `body` instead of forwarding.
    pub fn answer(call: &str, status: u16, content_type: &str, body: &str) -> Fault {
        Fault::new(
            call,
            Action::Answer {
                status,
                content_type: content_type.to_owned(),
                body: body.to_owned(),
            },
        )
    }

    /// Kills the upstream at the first request it fires on.
    pub fn kill(call: &str) -> Fault {
        Fault::new(call, Action::Kill)
    }

    /// Only requests signed for `region`.
    pub fn region(mut self, region: &str) -> Fault {
        self.region = Some(region.to_owned());
        self
    }

    /// Only requests in `account` (for `sts:AssumeRole`: the role's account).
    pub fn account(mut self, account: &str) -> Fault {
        self.account = Some(account.to_owned());
        self
    }

    /// Only requests whose path and query contain `text` (e.g. a bucket name).
    pub fn path_contains(mut self, text: &str) -> Fault {
        self.path_contains = Some(text.to_owned());
        self
    }

    /// Only the first `n` matches.
    pub fn first(mut self, n: u64) -> Fault {
        self.trigger = Trigger::First(n);
        self
    }

    /// Every match after the first `n`.
    pub fn after(mut self, n: u64) -> Fault {
        self.trigger = Trigger::After(n);
        self
    }

    /// Each match with probability `p`, reproducibly for `seed`.
    pub fn probability(mut self, p: f64, seed: u64) -> Fault {
        assert!((0.0..=1.0).contains(&p), "probability {p} is not in 0..=1");
        self.trigger = Trigger::Probability { p, seed };
        self
    }

    fn matches(&self, call: &Call) -> bool {
        let pattern = |want: &str, got: &str| want == "*" || want == got;
        pattern(&self.service, &call.service)
            && pattern(&self.operation, &call.operation)
            && self
                .region
                .as_ref()
                .is_none_or(|r| call.region.as_ref() == Some(r))
            && self
                .account
                .as_ref()
                .is_none_or(|a| call.account.as_ref() == Some(a))
            && self
                .path_contains
                .as_ref()
                .is_none_or(|p| call.path.contains(p.as_str()))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match &self.action {
            Action::Throttle => "throttle".to_owned(),
            Action::Deny => "deny".to_owned(),
            Action::Delay(d) => format!("delay {d:?}"),
            Action::Answer { status, .. } => format!("answer {status}"),
            Action::Kill => "kill the upstream at".to_owned(),
        };
        write!(f, "{action} {}:{}", self.service, self.operation)?;
        if let Some(r) = &self.region {
            write!(f, " in {r}")?;
        }
        if let Some(a) = &self.account {
            write!(f, " of account {a}")?;
        }
        if let Some(p) = &self.path_contains {
            write!(f, " on paths with {p:?}")?;
        }
        match self.trigger {
            Trigger::Every => write!(f, " (every match)"),
            Trigger::First(n) => write!(f, " (first {n} matches)"),
            Trigger::After(n) => write!(f, " (every match after {n})"),
            Trigger::Probability { p, seed } => write!(f, " (p = {p}, seed {seed})"),
        }
    }
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// SigV4 signing name: `cloudtrail`, `s3`, `ec2`, `sts`, `organizations`, `kms`.
    pub service: String,
    /// `DescribeTrails`, `GetBucketPolicy`, ...
    pub operation: String,
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The signing region.
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    /// The account the request acts in, when known (see the module docs).
    pub account: Option<String>,
}

impl Call {
    /// `service:Operation`.
    pub fn name(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }
}

/// A request and the fault (index into the proxy's faults) that took it, if any.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub call: Call,
    pub fault: Option<usize>,
}

/// A running proxy; stops listening when dropped.
pub struct FaultProxy {
    port: u16,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

struct State {
    upstream: u16,
    port: u16,
    faults: Vec<Fault>,
    counters: Mutex<Counters>,
    /// Access key id → account id.
    keys: Mutex<HashMap<String, String>>,
    /// Account id → a stable name, for `identity`.
    aliases: Mutex<Vec<(String, String)>>,
    log: Mutex<Vec<Exchange>>,
    dead: AtomicBool,
    stopping: AtomicBool,
}

#[derive(Default)]
struct Counters {
    /// Per fault: how many requests it matched.
    matched: Vec<u64>,
    /// Per request identity (see `identity`): how many times it was seen.
    seen: HashMap<u64, u64>,
}

impl FaultProxy {
    /// A proxy in front of moto on `upstream_port`, applying `faults` (the first that fires
    /// on a request takes it).
    pub fn start(upstream_port: u16, faults: Vec<Fault>) -> FaultProxy {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .unwrap_or_else(|e| panic!("fault proxy: cannot listen on 127.0.0.1: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fault proxy: no local address: {e}"))
            .port();
        let state = Arc::new(State {
            upstream: upstream_port,
            port,
            counters: Mutex::new(Counters {
                matched: vec![0; faults.len()],
                seen: HashMap::new(),
            }),
            faults,
            keys: Mutex::default(),
            aliases: Mutex::default(),
            log: Mutex::default(),
            dead: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        });
        let shared = Arc::clone(&state);
        let acceptor = std::thread::Builder::new()
            .name(format!("fault-proxy-{port}"))
            .spawn(move || accept_loop(listener, shared))
            .unwrap_or_else(|e| panic!("fault proxy: cannot start its thread: {e}"));
        FaultProxy {
            port,
            state,
            acceptor: Some(acceptor),
        }
    }

    /// A proxy in front of `emulator` that knows `seeded`'s account by its key.
    pub fn for_account(emulator: &Emulator, seeded: &Seeded, faults: Vec<Fault>) -> FaultProxy {
        let proxy = FaultProxy::start(emulator.port(), faults);
        proxy.know_key(&seeded.credentials.access_key_id, &seeded.account_id);
        proxy
    }

    /// Requests signed with `access_key_id` act in `account`.
    pub fn know_key(&self, access_key_id: &str, account: &str) {
        lock(&self.state.keys).insert(access_key_id.to_owned(), account.to_owned());
    }

    /// Calls `account` `name` when deciding random faults: account ids differ in every test
    /// process (moto makes member ids up), names do not, so a seed faults the same requests in
    /// every process. Ids inside paths and bodies (bucket names, ARNs) are replaced too.
    pub fn alias(&self, account: &str, name: &str) {
        lock(&self.state.aliases).push((account.to_owned(), name.to_owned()));
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far, in the order the proxy decided about them.
    pub fn exchanges(&self) -> Vec<Exchange> {
        lock(&self.state.log).clone()
    }

    /// The requests fault number `fault` took.
    pub fn fired(&self, fault: usize) -> Vec<Call> {
        lock(&self.state.log)
            .iter()
            .filter(|e| e.fault == Some(fault))
            .map(|e| e.call.clone())
            .collect()
    }

    /// Panics naming every fault that never fired: a fault that did not fire tested nothing.
    pub fn assert_every_fault_fired(&self) {
        let idle: Vec<String> = (0..self.state.faults.len())
            .filter(|&i| self.fired(i).is_empty())
            .map(|i| self.state.faults[i].to_string())
            .collect();
        assert!(
            idle.is_empty(),
            "faults that never fired (the test proved nothing about them): {idle:?}\n\
             requests seen: {:?}",
            self.exchanges()
                .iter()
                .map(|e| format!("{} {:?} {:?}", e.call.name(), e.call.region, e.call.account))
                .collect::<Vec<_>>()
        );
    }

    /// Whether a [`Fault::kill`] fired.
    pub fn is_dead(&self) -> bool {
        self.state.dead.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        self.state.wake_acceptor();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: TcpListener, state: Arc<State>) {
    for conn in listener.incoming() {
        if state.stopping.load(Ordering::SeqCst) || state.dead.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = conn else {
            // E.g. out of file descriptors: back off rather than spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let shared = Arc::clone(&state);
        // A connection that cannot get a thread is dropped: the client sees a reset.
        let _ = std::thread::Builder::new().spawn(move || serve(&shared, stream));
    }
    // The listener is dropped here: from now on connections are refused.
}

/// A request read off the client connection.
struct Request {
    raw: Vec<u8>,
    head_len: usize,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    fn body(&self) -> &[u8] {
        &self.raw[self.head_len..]
    }

    fn head_only(&self) -> bool {
        self.method == "HEAD"
    }
}

fn serve(state: &State, mut client: TcpStream) {
    let _ = client.set_read_timeout(Some(CLIENT_TIMEOUT));
    let request = match read_request(&mut client) {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(rejection) => {
            let _ = client.write_all(&rejection);
            return;
        }
    };
    let call = state.classify(&request);
    if state.dead.load(Ordering::SeqCst) {
        lock(&state.log).push(Exchange { call, fault: None });
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let fault = state.choose(&call, &request);
    lock(&state.log).push(Exchange {
        call: call.clone(),
        fault,
    });
    let answer = match fault.map(|i| &state.faults[i].action) {
        None => Some(state.forward(&request)),
        Some(Action::Delay(delay)) => {
            std::thread::sleep(*delay);
            Some(state.forward(&request))
        }
        Some(Action::Throttle) => Some(throttling_answer(&call.service, request.head_only())),
        Some(Action::Deny) => Some(denied_answer(&call, request.head_only())),
        Some(Action::Answer {
            status,
            content_type,
            body,
        }) => Some(answer(*status, content_type, body, request.head_only())),
        Some(Action::Kill) => {
            state.dead.store(true, Ordering::SeqCst);
            state.wake_acceptor();
            None
        }
    };
    // Once the upstream is dead nothing more is answered, not even what was in flight.
    match answer.filter(|_| !state.dead.load(Ordering::SeqCst)) {
        Some(answer) => {
            state.learn(&call, &answer);
            let _ = client.write_all(&answer);
            let _ = client.shutdown(Shutdown::Write);
        }
        None => {
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

/// Reads one request: head, then Content-Length bytes of body. `Ok(None)`: closed before a
/// request; `Err`: an answer refusing it.
fn read_request(client: &mut TcpStream) -> Result<Option<Request>, Vec<u8>> {
    let refuse = |status: u16, why: &str| answer(status, "text/plain", why, false);
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 16 * 1024];
    let head_len = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(refuse(431, "fault proxy: request head too large"));
        }
        match client.read(&mut chunk) {
            Ok(0) | Err(_) if buf.is_empty() => return Ok(None),
            Ok(0) | Err(_) => return Err(refuse(400, "fault proxy: incomplete request")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut head = httparse::Request::new(&mut headers);
    if !matches!(
        head.parse(&buf[..head_len]),
        Ok(httparse::Status::Complete(_))
    ) {
        return Err(refuse(400, "fault proxy: malformed request head"));
    }
    let headers: Vec<(String, String)> = head
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).trim().to_owned();
            (h.name.to_owned(), value)
        })
        .collect();
    let find = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
    if find("transfer-encoding").is_some_and(|(_, v)| !v.eq_ignore_ascii_case("identity")) {
        return Err(refuse(
            501,
            "fault proxy: chunked request bodies are not supported",
        ));
    }
    let body_len = match find("content-length") {
        None => 0,
        Some((_, v)) => v
            .parse::<usize>()
            .map_err(|_| refuse(400, "fault proxy: invalid Content-Length"))?,
    };
    if body_len > MAX_BODY {
        return Err(refuse(413, "fault proxy: request body too large"));
    }
    let (method, path) = (
        head.method.unwrap_or("").to_owned(),
        head.path.unwrap_or("").to_owned(),
    );
    while buf.len() < head_len + body_len {
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(refuse(400, "fault proxy: incomplete request body")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    buf.truncate(head_len + body_len);
    Ok(Some(Request {
        raw: buf,
        head_len,
        method,
        path,
        headers,
    }))
}

impl State {
    fn classify(&self, request: &Request) -> Call {
        let header = |name: &str| request.header(name);
        let recorded =
            RecordedCall::classify(&request.method, &request.path, &header, request.body());
        let account = if recorded.service == "sts" && recorded.operation == "AssumeRole" {
            form_value(request.body(), "RoleArn").and_then(|arn| arn_account(&arn))
        } else {
            recorded
                .access_key_id
                .as_ref()
                .and_then(|key| lock(&self.keys).get(key).cloned())
        };
        Call {
            service: recorded.service,
            operation: recorded.operation,
            method: recorded.method,
            path: request.path.clone(),
            region: recorded.region,
            access_key_id: recorded.access_key_id,
            account,
        }
    }

    /// The fault that takes this request, if any.
    fn choose(&self, call: &Call, request: &Request) -> Option<usize> {
        let mut counters = lock(&self.counters);
        let identity = identity(call, request, &lock(&self.aliases));
        let occurrence = {
            let seen = counters.seen.entry(identity).or_insert(0);
            *seen += 1;
            *seen
        };
        for (i, fault) in self.faults.iter().enumerate() {
            if !fault.matches(call) {
                continue;
            }
            counters.matched[i] += 1;
            let n = counters.matched[i];
            let fires = match fault.trigger {
                Trigger::Every => true,
                Trigger::First(first) => n <= first,
                Trigger::After(after) => n > after,
                Trigger::Probability { p, seed } => {
                    unit_interval(mix(seed ^ mix(identity ^ mix(occurrence)))) < p
                }
            };
            if fires {
                return Some(i);
            }
        }
        None
    }

    /// One connection per request, as moto closes after every answer. A failure becomes a 502.
    fn forward(&self, request: &Request) -> Vec<u8> {
        match exchange(self.upstream, &request.raw, request.head_only()) {
            Ok(answer) => with_connection_close(answer),
            Err(e) => answer(
                502,
                "text/plain",
                &format!("fault proxy: upstream 127.0.0.1:{}: {e}", self.upstream),
                request.head_only(),
            ),
        }
    }

    /// Learns member keys from successful STS answers (see the module docs).
    fn learn(&self, call: &Call, answer: &[u8]) {
        if call.service != "sts" || !answer.starts_with(b"HTTP/1.1 200") {
            return;
        }
        let text = String::from_utf8_lossy(answer);
        let learnt = match call.operation.as_str() {
            "AssumeRole" => xml_text(&text, "AccessKeyId").zip(call.account.clone()),
            "GetCallerIdentity" => call.access_key_id.clone().zip(xml_text(&text, "Account")),
            _ => None,
        };
        if let Some((key, account)) = learnt {
            lock(&self.keys).insert(key, account);
        }
    }

    /// Unblocks `accept` so the acceptor sees `stopping` or `dead` and closes the listener.
    fn wake_acceptor(&self) {
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Sends `raw` to moto and reads its answer: to its Content-Length (moto closes only a little
/// after answering), or to EOF when it has none.
fn exchange(port: u16, raw: &[u8], head_only: bool) -> io::Result<Vec<u8>> {
    let mut upstream = TcpStream::connect(("127.0.0.1", port))?;
    upstream.set_read_timeout(Some(UPSTREAM_TIMEOUT))?;
    upstream.set_nodelay(true)?;
    upstream.write_all(raw)?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = upstream.read(&mut chunk)?;
        answer.extend_from_slice(&chunk[..n]);
        if n == 0 {
            break;
        }
        if let Some(Some(len)) = answer_length(&answer, head_only)
            && answer.len() >= len
        {
            answer.truncate(len);
            break;
        }
    }
    if answer.is_empty() {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "empty answer"));
    }
    Ok(answer)
}

/// Once the answer's head is in: its whole length when the head says it (`Some(None)`: it ends
/// at EOF). `None`: the head is not complete yet.
fn answer_length(answer: &[u8], head_only: bool) -> Option<Option<usize>> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut response = httparse::Response::new(&mut headers);
    let Ok(httparse::Status::Complete(head_len)) = response.parse(answer) else {
        return None;
    };
    let header = |name: &str| {
        let found = response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))?;
        Some(String::from_utf8_lossy(found.value).trim().to_owned())
    };
    Some(match response.code {
        Some(204 | 304) => Some(head_len),
        _ if head_only => Some(head_len),
        _ if header("transfer-encoding").is_some() => None,
        _ => header("content-length")
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| head_len + n),
    })
}

/// moto says `Connection: close`; make sure every forwarded answer does, since the proxy closes
/// the connection after it.
fn with_connection_close(answer: Vec<u8>) -> Vec<u8> {
    let Some(head_end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return answer;
    };
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    if head.contains("\r\nconnection: close") {
        return answer;
    }
    let Some(line_end) = answer.windows(2).position(|w| w == b"\r\n") else {
        return answer;
    };
    let mut out = answer[..line_end + 2].to_vec();
    out.extend_from_slice(b"Connection: close\r\n");
    out.extend_from_slice(&answer[line_end + 2..]);
    out
}

/// How a service's errors are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// awsJson1_1: CloudTrail, KMS, Organizations.
    Json,
    /// awsQuery: STS.
    Query,
    /// ec2Query.
    Ec2,
    /// restXml: S3.
    S3,
    /// Smithy RPC v2 CBOR: CloudWatch (signing name `monitoring`).
    Cbor,
}

fn protocol(service: &str) -> Protocol {
    match service {
        "ec2" => Protocol::Ec2,
        "s3" => Protocol::S3,
        "sts" | "iam" | "sns" => Protocol::Query,
        "monitoring" => Protocol::Cbor,
        _ => Protocol::Json,
    }
}

const REQUEST_ID: &str = "fa017a11-0000-4000-8000-000000000000";

/// Each protocol's own throttling error, as AWS sends it and as the SDK's error parsers read it
/// (json_errors / rest_xml_wrapped_errors / ec2_query_errors / rest_xml_unwrapped_errors):
/// JSON 400 `ThrottlingException` (`__type`), STS 400 `Throttling` (`<ErrorResponse><Error>`),
/// EC2 503 `RequestLimitExceeded` (`<Response><Errors><Error>`), S3 503 `SlowDown` (`<Error>`).
/// Every one of these codes is in the SDK's `THROTTLING_ERRORS`, so it is retried as throttling.
pub fn throttling_answer(service: &str, head_only: bool) -> Vec<u8> {
    match protocol(service) {
        Protocol::Json => answer(
            400,
            "application/x-amz-json-1.1",
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            head_only,
        ),
        Protocol::Query => answer(
            400,
            "text/xml",
            &query_error("Throttling", "Rate exceeded"),
            head_only,
        ),
        Protocol::Ec2 => answer(
            503,
            "text/xml;charset=UTF-8",
            &ec2_error("RequestLimitExceeded", "Request limit exceeded."),
            head_only,
        ),
        Protocol::S3 => answer(
            503,
            "application/xml",
            &s3_error("SlowDown", "Please reduce your request rate."),
            head_only,
        ),
        Protocol::Cbor => cbor_answer(400, "ThrottlingException", "Rate exceeded", head_only),
    }
}

/// Each protocol's own access-denied error.
pub fn denied_answer(call: &Call, head_only: bool) -> Vec<u8> {
    let message = format!(
        "User: arn:aws:iam::{}:user/scanner is not authorized to perform: {}",
        call.account.as_deref().unwrap_or("123456789012"),
        call.name()
    );
    match protocol(&call.service) {
        Protocol::Json => answer(
            400,
            "application/x-amz-json-1.1",
            &serde_json::json!({"__type": "AccessDeniedException", "message": message}).to_string(),
            head_only,
        ),
        Protocol::Query => answer(
            403,
            "text/xml",
            &query_error("AccessDenied", &message),
            head_only,
        ),
        Protocol::Ec2 => answer(
            403,
            "text/xml;charset=UTF-8",
            &ec2_error(
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
            head_only,
        ),
        Protocol::S3 => answer(
            403,
            "application/xml",
            &s3_error("AccessDenied", "Access Denied"),
            head_only,
        ),
        Protocol::Cbor => cbor_answer(403, "AccessDenied", &message, head_only),
    }
}

/// A Smithy RPC v2 CBOR error: a map `{"__type": code, "message": message}`, as the SDK's
/// CBOR error parser reads it (<https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html>).
fn cbor_answer(status: u16, code: &str, message: &str, head_only: bool) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        // Major type 3 (text string); lengths here stay below 65536.
        match s.len() {
            n @ 0..24 => out.push(0x60 | n as u8),
            n @ 24..256 => out.extend([0x78, n as u8]),
            n => out.extend([0x79, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(s.as_bytes());
    }
    let mut body = vec![0xa2]; // a map of two pairs
    for (k, v) in [("__type", code), ("message", message)] {
        text(&mut body, k);
        text(&mut body, v);
    }
    let headers = "Content-Type: application/cbor\r\nsmithy-protocol: rpc-v2-cbor\r\n";
    answer_bytes(status, headers, &body, head_only)
}

fn query_error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
         <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>{REQUEST_ID}</RequestId></ErrorResponse>"
    )
}

fn ec2_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
         <Message>{message}</Message></Error></Errors><RequestID>{REQUEST_ID}</RequestID></Response>"
    )
}

fn s3_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message><RequestId>{REQUEST_ID}</RequestId>\
         <HostId>fault-proxy</HostId></Error>"
    )
}

/// A complete answer that closes the connection. A HEAD answer has no body (its
/// Content-Length still says what a GET would carry).
fn answer(status: u16, content_type: &str, body: &str, head_only: bool) -> Vec<u8> {
    let headers = format!("Content-Type: {content_type}\r\n");
    answer_bytes(status, &headers, body.as_bytes(), head_only)
}

/// [`answer`] with any body and these header lines (each ending in CRLF).
fn answer_bytes(status: u16, headers: &str, body: &[u8], head_only: bool) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\n{headers}Content-Length: {}\r\n\
         x-amzn-RequestId: {REQUEST_ID}\r\nx-amz-request-id: {REQUEST_ID}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    out
}

/// The text of the first `<tag>…</tag>`.
fn xml_text(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&format!("</{tag}>"))?;
    Some(text[start..end].trim().to_owned())
}

/// `arn:aws:iam::123456789012:role/x` → `123456789012`.
fn arn_account(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
}

/// What makes a request the same request again (a retry, or the same read in another run):
/// what it asks and of which account — by alias, not by key or id, which change between runs.
/// (moto's KMS key ids are random too, so a DescribeKey is not the same request twice.)
fn identity(call: &Call, request: &Request, aliases: &[(String, String)]) -> u64 {
    let mut text = [
        call.account.as_deref().unwrap_or(""),
        &call.service,
        &call.operation,
        call.region.as_deref().unwrap_or(""),
        &call.method,
        &call.path,
        &String::from_utf8_lossy(request.body()),
    ]
    .join("\n");
    for (id, name) in aliases {
        text = text.replace(id.as_str(), name);
    }
    let mut hash = 0xcbf2_9ce4_8422_2325_u64; // FNV-1a
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// splitmix64's finaliser: spreads nearby inputs over the whole range.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The top 53 bits as a number in [0, 1).
fn unit_interval(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking connection thread cannot leave these plain collections half-updated.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
