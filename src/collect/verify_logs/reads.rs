//! The reads `verify-logs` makes, each under the one concurrency budget: digest listings,
//! digest objects with their metadata, the member folders of an organization trail, the public
//! keys of a source region, and log files streamed through the hash (never held whole).

use std::collections::BTreeMap;
use std::io::{self, Read};

use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::get_object::GetObjectError;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::super::buckets::{Located, locate};
use super::super::clients::Clients;
use super::super::ctx::Ctx;
use super::super::error::{collect_error, skipped};
use crate::inventory::CollectError;
use crate::verify::{Fetched, Item, LogFileEntry, LogSource, PublicKeys, verify_log};

/// The largest digest object read (compressed). CloudTrail's are a few kilobytes; anything
/// near this is not a digest and must not be read whole into memory.
const MAX_DIGEST_OBJECT: usize = 16 * 1024 * 1024;

/// Chunks in flight between the download and the hash of one log file.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The bucket's region (digests and logs are read there).
pub async fn bucket_region(ctx: &Ctx, bucket: &str) -> Result<String, CollectError> {
    match locate(ctx, bucket).await {
        Located::At(region) => Ok(region.to_string()),
        Located::Missing => Err(skipped("s3:HeadBucket", "the bucket does not exist")),
        Located::Forbidden(err) | Located::Unknown(err) => Err(err),
    }
}

/// Every key under `prefix` (all pages).
pub async fn list_keys(
    ctx: &Ctx,
    region: &str,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, CollectError> {
    Ok(list(ctx, region, bucket, prefix, None).await?.0)
}

/// The folders directly under `prefix` (`ListObjectsV2` with delimiter `/`), as names.
pub async fn list_folders(
    ctx: &Ctx,
    region: &str,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, CollectError> {
    let (_, folders) = list(ctx, region, bucket, prefix, Some("/")).await?;
    Ok(folders
        .iter()
        .filter_map(|p| p.strip_prefix(prefix))
        .map(|p| p.trim_end_matches('/').to_owned())
        .collect())
}

/// `ListObjectsV2` of `prefix`, all pages: the keys, and the common prefixes under `delimiter`.
async fn list(
    ctx: &Ctx,
    region: &str,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
) -> Result<(Vec<String>, Vec<String>), CollectError> {
    let client = ctx.clients.s3(region);
    let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
    let mut token: Option<String> = None;
    loop {
        let page = {
            let _permit = ctx.permit().await;
            client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .set_delimiter(delimiter.map(str::to_owned))
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| collect_error("s3:ListObjectsV2", &e))?
        };
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(str::to_owned),
        );
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix())
                .map(str::to_owned),
        );
        match page.next_continuation_token() {
            Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_owned()),
            _ => return Ok((keys, prefixes)),
        }
    }
}

/// One digest object and its user metadata.
pub async fn get_digest(ctx: &Ctx, region: &str, bucket: &str, key: &str) -> Fetched {
    let client = ctx.clients.s3(region);
    let _permit = ctx.permit().await;
    let mut out = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(out) => out,
        Err(e) if is_no_such_key(&e) => return Fetched::NotFound,
        Err(e) => return failed(&collect_error("s3:GetObject", &e)),
    };
    let metadata: BTreeMap<String, String> = out
        .metadata()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let mut body = Vec::new();
    while let Some(chunk) = out.body.next().await {
        match chunk {
            Ok(bytes) if body.len() + bytes.len() <= MAX_DIGEST_OBJECT => {
                body.extend_from_slice(&bytes);
            }
            Ok(_) => {
                return Fetched::Failed {
                    call: "s3:GetObject".to_owned(),
                    message: format!("larger than {MAX_DIGEST_OBJECT} bytes: not a digest file"),
                };
            }
            Err(e) => {
                return Fetched::Failed {
                    call: "s3:GetObject".to_owned(),
                    message: format!("the body could not be read: {e}"),
                };
            }
        }
    }
    Fetched::Object { body, metadata }
}

/// `ListPublicKeys` in `region` for keys valid at any time in `[start, end]` (all pages).
pub async fn public_keys(
    ctx: &Ctx,
    region: &str,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<PublicKeys, CollectError> {
    let client = ctx.clients.cloudtrail();
    let mut keys = PublicKeys::new(region);
    let mut token: Option<String> = None;
    loop {
        let page = {
            let _permit = ctx.permit().await;
            client
                .list_public_keys()
                .start_time(DateTime::from_secs(start.unix_timestamp()))
                .end_time(DateTime::from_secs(end.unix_timestamp()))
                .set_next_token(token.take())
                .customize()
                .config_override(Clients::cloudtrail_in(region))
                .send()
                .await
                .map_err(|e| collect_error("cloudtrail:ListPublicKeys", &e))?
        };
        for key in page.public_key_list() {
            if let (Some(fingerprint), Some(value)) = (key.fingerprint(), key.value()) {
                keys.insert(fingerprint, value.as_ref().to_vec());
            }
        }
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(keys),
        }
    }
}

/// Reads one log file and verifies it against its digest entry, streaming the body through
/// gunzip and SHA-256 on a blocking thread: at most [`CHUNKS_IN_FLIGHT`] chunks are held.
pub async fn verify_log_file(ctx: &Ctx, region: &str, entry: LogFileEntry) -> Item {
    let client = ctx.clients.s3(region);
    let _permit = ctx.permit().await;
    let mut out = match client
        .get_object()
        .bucket(&entry.bucket)
        .key(&entry.key)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if is_no_such_key(&e) => {
            return verify_log::<io::Empty>(&entry, LogSource::NotFound);
        }
        Err(e) => {
            let err = collect_error("s3:GetObject", &e);
            return verify_log::<io::Empty>(&entry, failed_log(&err));
        }
    };
    let (bucket, key) = (entry.bucket.clone(), entry.key.clone());
    let (send, receive) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let hashing = tokio::task::spawn_blocking(move || {
        let reader = ChunkReader {
            chunks: receive,
            current: Vec::new(),
            at: 0,
        };
        verify_log(&entry, LogSource::Body(reader))
    });
    while let Some(chunk) = out.body.next().await {
        let chunk = chunk.map(|b| b.to_vec()).map_err(io::Error::other);
        let stop = chunk.is_err();
        // The hash stops reading at the first bad byte: then there is nobody to send to.
        if send.send(chunk).await.is_err() || stop {
            break;
        }
    }
    drop(send);
    match hashing.await {
        Ok(item) => item,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Item::object(
            crate::verify::ItemKind::LogFile,
            crate::verify::Status::Error,
            &bucket,
            &key,
            format!("verification was cancelled: {e}"),
        ),
    }
}

fn is_no_such_key(e: &SdkError<GetObjectError>) -> bool {
    e.as_service_error()
        .is_some_and(GetObjectError::is_no_such_key)
        || e.raw_response().is_some_and(|r| r.status().as_u16() == 404)
}

fn failed(err: &CollectError) -> Fetched {
    Fetched::Failed {
        call: err.operation.clone(),
        message: message_of(err),
    }
}

fn failed_log(err: &CollectError) -> LogSource<io::Empty> {
    LogSource::Failed {
        call: err.operation.clone(),
        message: message_of(err),
    }
}

/// The error without its operation (the item names the call separately).
fn message_of(err: &CollectError) -> String {
    let full = err.to_string();
    full.strip_prefix(&format!("{}: ", err.operation))
        .map_or_else(|| full.clone(), str::to_owned)
}

/// A blocking `Read` over the chunks the download sends.
struct ChunkReader {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.current.len() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
