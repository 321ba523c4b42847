//! Round one for one account: who it is (which proves a member's role), where it runs (its
//! enabled regions), whose buckets it owns, its organization — and trail discovery, which
//! goes out at the same time.

use std::future::Future;

use tokio::sync::{mpsc, watch};

use super::account::{self, Identity};
use super::ctx::Ctx;
use super::targets::Target;
use super::{buckets, trails};
use crate::inventory::{AccountId, CollectError, Collected, Organization, Region};

/// An account after its first round of calls.
pub struct Prepared {
    /// Its clients.
    pub ctx: Ctx,
    /// Who it is.
    pub identity: Identity,
    /// Its enabled regions (`ec2:DescribeRegions`).
    pub enabled: Collected<Vec<Region>>,
    /// Its organization.
    pub organization: Collected<Option<Organization>>,
    /// The buckets it owns (`s3:ListBuckets`).
    pub buckets_owned: Collected<Vec<String>>,
    /// Trail discovery, under way.
    pub discovery: Discovery,
}

/// Trail discovery, started with round one: its `DescribeTrails` answers as they arrive, then
/// the `ListTrails` listing it was based on.
pub struct Discovery {
    /// The `DescribeTrails` answers, as they arrive.
    pub answers: mpsc::UnboundedReceiver<trails::Described>,
    /// The `ListTrails` listing.
    pub listing: tokio::task::JoinHandle<Collected<Vec<trails::Listed>>>,
}

impl Discovery {
    fn start(ctx: &Ctx) -> Self {
        let (out, answers) = mpsc::unbounded_channel();
        let listing = tokio::spawn(trails::discover_account(ctx.clone(), out));
        Discovery { answers, listing }
    }
}

/// Round one for one account. Fails only when the account cannot be identified (its role
/// could not be assumed, or every call is denied).
pub async fn prepare(target: Target) -> Result<Prepared, (AccountId, CollectError)> {
    let Target {
        account_id,
        ctx,
        identity,
        organization: known,
        assumed,
    } = target;
    let regions = async {
        let _p = ctx.permit().await;
        ctx.clients.ec2().describe_regions().send().await
    };
    let organization = async {
        match known {
            Some(known) => known,
            None => account::organization(&ctx, &account_id).await,
        }
    };
    // Trails are discovered across the account by ListTrails, not per region, so discovery
    // goes out with round one instead of waiting for the enabled regions.
    let round = async {
        let discovery = Discovery::start(&ctx);
        // Discovery leads the account's longest chain (ListTrails → DescribeTrails in a
        // trail's home region → the bucket's region → its configuration); the rest of round
        // one has a round trip to spare. When many roles are assumed in one burst, yielding
        // here lets every spawned discovery send its calls before the accounts' other calls
        // queue ahead of them (about a third of a round trip at 20 accounts).
        tokio::task::yield_now().await;
        let (regions, owned, organization) =
            tokio::join!(regions, buckets::owned_bucket_names(&ctx), organization);
        (regions, owned, organization, discovery)
    };
    let (identity, (regions, buckets_owned, organization, discovery)) = match identity {
        Some(known) => (known, round.await),
        None => identify_member(&ctx, assumed, round)
            .await
            .map_err(|err| (account_id.clone(), err))?,
    };
    Ok(Prepared {
        enabled: account::enabled_regions(regions, &identity.partition),
        ctx,
        identity,
        organization,
        buckets_owned,
        discovery,
    })
}

/// A member's identity check, which assumes its role, and the rest of round one. The other
/// calls wait until the role is assumed, not until the check has answered: started together,
/// each would retry a refused AssumeRole; started after the answer, they would add a round
/// trip. When the check fails first, the rest is never started.
async fn identify_member<R: Future>(
    ctx: &Ctx,
    assumed: Option<watch::Receiver<bool>>,
    round: R,
) -> Result<(Identity, R::Output), CollectError> {
    let check = account::identify(ctx);
    tokio::pin!(check);
    let settled = tokio::select! {
        biased;
        answer = &mut check => Some(answer),
        () = role_assumed(assumed) => None,
    };
    let (answer, round) = match settled {
        Some(Err((err, _))) => return Err(err),
        Some(answer) => (answer, round.await),
        None => tokio::join!(check, round),
    };
    let identity = answer.map_err(|(err, _)| err)?;
    Ok((identity, round))
}

/// Resolves once the account's role has been assumed; never when there is no role to assume.
async fn role_assumed(assumed: Option<watch::Receiver<bool>>) {
    if let Some(mut rx) = assumed
        && rx.wait_for(|done| *done).await.is_ok()
    {
        return;
    }
    std::future::pending().await
}
