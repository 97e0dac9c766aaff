//! The core's subscriptions, fed by the event dispatcher after commit.

use async_graphql::{Context, ID, Result, Subscription};
use futures_util::Stream;
use futures_util::StreamExt;

use crate::entity::metric_value;

use super::context::request;
use super::ids::decode_optional;
use super::types::MetricValue;

#[derive(Default)]
pub struct CoreSubscription;

#[Subscription]
impl CoreSubscription {
    /// Every metric value recorded or replaced in this tenant, optionally of one metric.
    async fn metric_value_recorded(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only values of this metric.")] metric_id: Option<ID>,
    ) -> Result<impl Stream<Item = MetricValue>> {
        let request = request(ctx)?;
        let metric_id = decode_optional(metric_id.as_ref(), "Metric", "metricId")?;
        Ok(request
            .scope
            .subscribe()
            .filter_map(move |event| async move {
                if event.entity_type != "MetricValue" {
                    return None;
                }
                let value: metric_value::Model =
                    serde_json::from_value(event.after()?.clone()).ok()?;
                if metric_id.is_some_and(|id| id != value.metric_id) {
                    return None;
                }
                Some(MetricValue(value))
            }))
    }

    /// A review meeting was held, in a series the viewer reads (optionally one series).
    async fn review_meeting_held(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only meetings of this series.")] series_id: Option<ID>,
    ) -> Result<impl Stream<Item = super::reviews::ReviewMeeting>> {
        super::reviews::meetings_held(ctx, series_id).await
    }

    /// An open action item reached its due date (in its tenant's time zone),
    /// in a series the viewer reads (optionally one series). Each due date
    /// is announced once; moving the date announces the new one when it comes.
    async fn review_action_item_due(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only action items of this series.")] series_id: Option<ID>,
    ) -> Result<impl Stream<Item = super::reviews::ReviewActionItem>> {
        super::reviews::action_items_due(ctx, series_id).await
    }
}
