//! AWS configuration and per-region clients.
//!
//! One `SdkConfig` (credentials, retries, timeouts, endpoint) per account; service clients for a
//! region are derived from it on demand and cached, so nothing is built twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_config::provider_config::ProviderConfig;
use aws_config::{BehaviorVersion, Region as SdkRegion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

use super::profile;

/// The region used for calls that are not tied to a region (STS, Organizations, listing
/// regions) when neither the environment, the profile nor `--region` names one.
pub const BOOTSTRAP_REGION: &str = "us-east-1";

/// How to build the AWS configuration.
#[derive(Debug, Clone)]
pub struct ConfigOptions {
    /// `--profile`.
    pub profile: Option<String>,
    /// A region to fall back to when none is configured.
    pub fallback_region: Option<String>,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

/// Loads the standard credential chain and settings (environment, profiles, SSO, web identity,
/// container and instance metadata, `AWS_ENDPOINT_URL*`), with our timeouts. `--profile` wins
/// over environment credentials, as in the AWS CLI; a profile the files do not define, named by
/// `--profile` or `AWS_PROFILE`, is an error before any AWS call (see `profile.rs`).
pub async fn load_config(opts: &ConfigOptions) -> Result<SdkConfig, String> {
    let selected = profile::select(opts.profile.as_deref()).await?;
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(opts.timeout)
        .connect_timeout(opts.timeout.min(Duration::from_secs(5)))
        .build();
    // One HTTPS client for every service client of every account: without it each client
    // builds its own connection pool and TLS root store (~100 kB each, hundreds in an
    // organization scan).
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_https();
    let http = SharedHttpClient::new(ValidatedOnce {
        inner: http,
        validated: OnceLock::new(),
    });
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts.clone())
        .http_client(http.clone());
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    let config = loader.load().await;
    // The SDK fails at send time without a region; pick one up front instead.
    let region = config.region().cloned().unwrap_or_else(|| {
        SdkRegion::new(
            opts.fallback_region
                .clone()
                .unwrap_or_else(|| BOOTSTRAP_REGION.to_owned()),
        )
    });
    let credentials = match (&opts.profile, config.credentials_provider()) {
        (Some(name), _) => Some(profile::explicit_profile_provider(
            name,
            &ProviderConfig::without_region()
                .with_http_client(http)
                .with_timeout_config(timeouts)
                .with_region(Some(region.clone())),
        )),
        (None, chain) => chain,
    };
    let mut builder = config.into_builder().region(region);
    if let Some(inner) = credentials {
        builder = builder.credentials_provider(SharedCredentialsProvider::new(
            profile::Explained::new(inner, selected),
        ));
    }
    Ok(builder.build())
}

/// The shared HTTPS client, validated once rather than once per service client.
///
/// The SDK validates a client's HTTP client each time a service client is built, and the hyper
/// client's validation builds a whole throw-away connector to warm it up: a TLS configuration
/// with every native root certificate read from disk and parsed. An organization scan builds
/// a hundred or more service clients (several per account and region), so that warm-up was a
/// sizeable share of the scan's CPU. Connectors used for calls are cached by the inner client
/// and are unaffected.
#[derive(Debug)]
struct ValidatedOnce {
    inner: SharedHttpClient,
    /// The first validation's outcome (errors kept as text: `BoxError` is not `Clone`).
    validated: OnceLock<Result<(), String>>,
}

impl HttpClient for ValidatedOnce {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.validated
            .get_or_init(|| {
                self.inner
                    .validate_base_client_config(runtime_components, cfg)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(BoxError::from)
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(runtime_components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

/// Service clients for one account, per region, built once each.
#[derive(Clone)]
pub struct Clients {
    sdk: SdkConfig,
    force_path_style: bool,
    cloudtrail: Arc<Mutex<HashMap<String, aws_sdk_cloudtrail::Client>>>,
    s3: Arc<Mutex<HashMap<String, aws_sdk_s3::Client>>>,
    kms: Arc<Mutex<HashMap<String, aws_sdk_kms::Client>>>,
    logs: Arc<Mutex<HashMap<String, aws_sdk_cloudwatchlogs::Client>>>,
    cloudwatch: Arc<Mutex<HashMap<String, aws_sdk_cloudwatch::Client>>>,
    sns: Arc<Mutex<HashMap<String, aws_sdk_sns::Client>>>,
}

impl Clients {
    /// Wraps an account's configuration.
    pub fn new(sdk: SdkConfig) -> Self {
        // With a custom endpoint (an emulator, MinIO, a VPC endpoint) bucket names must not be
        // put into the host name: `bucket.127.0.0.1` does not resolve.
        let force_path_style = sdk.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty());
        Clients {
            sdk,
            force_path_style,
            cloudtrail: Arc::default(),
            s3: Arc::default(),
            kms: Arc::default(),
            logs: Arc::default(),
            cloudwatch: Arc::default(),
            sns: Arc::default(),
        }
    }

    /// The configured (or bootstrap) region.
    pub fn home_region(&self) -> String {
        self.sdk
            .region()
            .map_or_else(|| BOOTSTRAP_REGION.to_owned(), |r| r.to_string())
    }

    /// The account's CloudTrail client. CloudTrail is asked in every enabled region, so rather
    /// than one client per region (hundreds in an organization scan) each call names its region
    /// with [`Clients::cloudtrail_in`].
    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        cached(&self.cloudtrail, "", || {
            aws_sdk_cloudtrail::Client::new(&self.sdk)
        })
    }

    /// The per-call override that sends a CloudTrail call to `region`.
    pub fn cloudtrail_in(region: &str) -> aws_sdk_cloudtrail::config::Builder {
        aws_sdk_cloudtrail::config::Builder::default().region(SdkRegion::new(region.to_owned()))
    }

    /// An S3 client for `region`.
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        cached(&self.s3, region, || {
            let conf = aws_sdk_s3::config::Builder::from(&self.sdk)
                .region(SdkRegion::new(region.to_owned()))
                .force_path_style(self.force_path_style)
                .build();
            aws_sdk_s3::Client::from_conf(conf)
        })
    }

    /// A KMS client for `region`.
    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        cached(&self.kms, region, || {
            let conf = aws_sdk_kms::config::Builder::from(&self.sdk)
                .region(SdkRegion::new(region.to_owned()))
                .build();
            aws_sdk_kms::Client::from_conf(conf)
        })
    }

    /// A CloudWatch Logs client for `region`.
    pub fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        cached(&self.logs, region, || {
            let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.sdk)
                .region(SdkRegion::new(region.to_owned()))
                .build();
            aws_sdk_cloudwatchlogs::Client::from_conf(conf)
        })
    }

    /// A CloudWatch client for `region`.
    pub fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        cached(&self.cloudwatch, region, || {
            let conf = aws_sdk_cloudwatch::config::Builder::from(&self.sdk)
                .region(SdkRegion::new(region.to_owned()))
                .build();
            aws_sdk_cloudwatch::Client::from_conf(conf)
        })
    }

    /// An SNS client for `region`.
    pub fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        cached(&self.sns, region, || {
            let conf = aws_sdk_sns::config::Builder::from(&self.sdk)
                .region(SdkRegion::new(region.to_owned()))
                .build();
            aws_sdk_sns::Client::from_conf(conf)
        })
    }

    /// An STS client in the configured region.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk)
    }

    /// An Organizations client in the configured region.
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.sdk)
    }

    /// An EC2 client in the configured region (for `DescribeRegions`).
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.sdk)
    }
}

fn cached<C: Clone>(map: &Mutex<HashMap<String, C>>, region: &str, build: impl FnOnce() -> C) -> C {
    // A poisoned lock only means another task panicked mid-insert; the map is still usable.
    let mut guard = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    guard.entry(region.to_owned()).or_insert_with(build).clone()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorFuture};
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::client::result::ConnectorError;

    use super::*;

    #[derive(Debug)]
    struct NeverConnects;

    impl HttpConnector for NeverConnects {
        fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
            HttpConnectorFuture::ready(Err(ConnectorError::other("test".into(), None)))
        }
    }

    /// Counts validations; fails them when `fail` is set.
    #[derive(Debug)]
    struct Counting {
        validations: Arc<AtomicUsize>,
        fail: bool,
    }

    impl HttpClient for Counting {
        fn http_connector(
            &self,
            _: &HttpConnectorSettings,
            _: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(NeverConnects)
        }

        fn validate_base_client_config(
            &self,
            _: &RuntimeComponentsBuilder,
            _: &ConfigBag,
        ) -> Result<(), BoxError> {
            self.validations.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                Err("no root certificates".into())
            } else {
                Ok(())
            }
        }
    }

    fn validated_once(fail: bool) -> (ValidatedOnce, Arc<AtomicUsize>) {
        let validations = Arc::new(AtomicUsize::new(0));
        let inner = SharedHttpClient::new(Counting {
            validations: Arc::clone(&validations),
            fail,
        });
        let client = ValidatedOnce {
            inner,
            validated: OnceLock::new(),
        };
        (client, validations)
    }

    #[test]
    fn the_inner_client_is_validated_once_for_many_service_clients() {
        let (client, validations) = validated_once(false);
        let (components, cfg) = (RuntimeComponentsBuilder::new("test"), ConfigBag::base());
        for _ in 0..5 {
            assert!(
                client
                    .validate_base_client_config(&components, &cfg)
                    .is_ok()
            );
        }
        assert_eq!(validations.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failed_validation_fails_every_later_client_too() {
        let (client, validations) = validated_once(true);
        let (components, cfg) = (RuntimeComponentsBuilder::new("test"), ConfigBag::base());
        for _ in 0..3 {
            let err = client.validate_base_client_config(&components, &cfg);
            assert_eq!(
                err.map_err(|e| e.to_string()),
                Err("no root certificates".to_owned())
            );
        }
        assert_eq!(validations.load(Ordering::SeqCst), 1);
    }
}
