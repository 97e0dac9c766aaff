//! Synthetic organisations: the `--demo` company and `throughline seed`
//! benchmark tenants. Deterministic for a given seed. Rows are bulk-inserted
//! in one transaction (no audit entries or events: this is a data load, not a
//! series of user actions).

// Indexes into generated tables by positions it computed itself, and
// builds month starts at most 240 months before today (the CLI bounds
// `--months`), far inside chrono's range.
#![allow(clippy::indexing_slicing, clippy::expect_used)]

use chrono::{Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, Set};
use throughline_domain::decimal::to_stored;
use throughline_domain::entity::{
    dashboard, dashboard_key_metric, metric, metric_link, metric_target, metric_value, org_unit,
    person, strategic_priority, tenant,
};
use throughline_domain::enums::{
    Aggregation, IndicatorKind, MetricDirection, MetricFrequency, PersonStatus, ValueSource,
};
use throughline_domain::target::TargetKind;
use uuid::Uuid;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Chloe", "Daniel", "Elif", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Maya", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wen", "Xavier", "Yara", "Zoe", "Amara", "Bruno", "Carmen", "Dev", "Emma", "Farah", "Gabriel",
    "Hana", "Ivan", "Julia", "Kofi", "Lena",
];
const LAST_NAMES: &[&str] = &[
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "García",
    "Hoffmann",
    "Ibrahim",
    "Jansen",
    "Kowalski",
    "Laurent",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Uddin",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Novak",
    "Silva",
    "Meyer",
    "Brennan",
];
const DEPARTMENTS: &[(&str, &str)] = &[
    ("Engineering", "Software Engineer"),
    ("Sales", "Account Executive"),
    ("Marketing", "Marketing Manager"),
    ("Customer Success", "Customer Success Manager"),
    ("Finance & People", "Analyst"),
    ("Product", "Product Manager"),
    ("Operations", "Operations Specialist"),
    ("Data", "Data Scientist"),
];
/// People per manager inside a department.
const SPAN: usize = 7;

/// What a seed run created.
#[derive(Debug, Default)]
pub struct SeedSummary {
    pub org_units: usize,
    pub people: usize,
    pub priorities: usize,
    pub metrics: usize,
    pub metric_values: usize,
    pub review_series: usize,
}

struct MetricSpec {
    name: &'static str,
    unit: &'static str,
    direction: MetricDirection,
    kind: IndicatorKind,
    aggregation: Aggregation,
    priority: usize,
    /// Index into DEPARTMENTS of the department that owns it.
    department: usize,
    /// Decimal places its values are recorded with.
    decimals: u32,
    start: f64,
    monthly_drift: f64,
    noise: f64,
}

/// Each priority's owner, as an index into DEPARTMENTS.
const PRIORITY_OWNERS: &[usize] = &[1, 3, 0, 4];

const PRIORITIES: &[(&str, &str)] = &[
    (
        "Win the mid-market",
        "Become the default choice for companies of 200 to 2,000 people in our core markets.",
    ),
    (
        "Delight our customers",
        "Every customer reaches value in their first month and stays because they want to.",
    ),
    (
        "Build a platform that scales",
        "Ship faster and more safely as we grow: small changes, often, with quality built in.",
    ),
    (
        "Grow great people",
        "Hire well, grow leaders from within, and keep the people who make us who we are.",
    ),
];

fn metric_specs() -> Vec<MetricSpec> {
    use Aggregation::*;
    use IndicatorKind::*;
    use MetricDirection::*;
    vec![
        MetricSpec {
            name: "Annual recurring revenue",
            unit: "EUR",
            direction: HigherIsBetter,
            kind: Lagging,
            aggregation: Last,
            priority: 0,
            department: 1,
            decimals: 0,
            start: 8_200_000.0,
            monthly_drift: 180_000.0,
            noise: 60_000.0,
        },
        MetricSpec {
            name: "Qualified pipeline",
            unit: "EUR",
            direction: HigherIsBetter,
            kind: Leading,
            aggregation: Sum,
            priority: 0,
            department: 1,
            decimals: 0,
            start: 1_400_000.0,
            monthly_drift: 25_000.0,
            noise: 120_000.0,
        },
        MetricSpec {
            name: "Demos booked",
            unit: "demos",
            direction: HigherIsBetter,
            kind: Leading,
            aggregation: Sum,
            priority: 0,
            department: 2,
            decimals: 0,
            start: 60.0,
            monthly_drift: 1.5,
            noise: 8.0,
        },
        MetricSpec {
            name: "Net revenue retention",
            unit: "%",
            direction: HigherIsBetter,
            kind: Lagging,
            aggregation: Average,
            priority: 1,
            department: 3,
            decimals: 1,
            start: 104.0,
            monthly_drift: 0.15,
            noise: 0.8,
        },
        MetricSpec {
            name: "Logo churn",
            unit: "%",
            direction: LowerIsBetter,
            kind: Lagging,
            aggregation: Average,
            priority: 1,
            department: 3,
            decimals: 2,
            start: 1.9,
            monthly_drift: -0.03,
            noise: 0.25,
        },
        MetricSpec {
            name: "Onboarding completed in 30 days",
            unit: "%",
            direction: HigherIsBetter,
            kind: Leading,
            aggregation: Average,
            priority: 1,
            department: 3,
            decimals: 1,
            start: 62.0,
            monthly_drift: 0.9,
            noise: 3.0,
        },
        MetricSpec {
            name: "Deployments per week",
            unit: "deployments",
            direction: HigherIsBetter,
            kind: Leading,
            aggregation: Average,
            priority: 2,
            department: 0,
            decimals: 1,
            start: 11.0,
            monthly_drift: 0.4,
            noise: 1.5,
        },
        MetricSpec {
            name: "Employee engagement",
            unit: "score",
            direction: TargetRange,
            kind: Lagging,
            aggregation: Average,
            priority: 3,
            department: 4,
            decimals: 1,
            start: 71.0,
            monthly_drift: 0.2,
            noise: 1.2,
        },
    ]
}

/// A metric's target for the whole series, set against its latest value so
/// a demo shows every status: every other metric a little ahead of it
/// (on target), the rest a little behind (a warning, or off target past a
/// margin of 2 %); a `flagging` one well past it (off target).
fn demo_target(
    metric_id: Uuid,
    spec: &MetricSpec,
    position: usize,
    latest: Decimal,
    flagging: bool,
    valid_from: NaiveDate,
    now: chrono::DateTime<Utc>,
) -> metric_target::ActiveModel {
    let percent = |p: i64| (latest * Decimal::new(p, 2)).round_dp(spec.decimals);
    let ahead = position % 2 == 1 && !flagging;
    let behind = if flagging {
        120
    } else if position.is_multiple_of(4) {
        110
    } else {
        101
    };
    let (kind, target, lower, upper) = match spec.direction {
        MetricDirection::HigherIsBetter => (
            TargetKind::StayAtOrAbove,
            Some(percent(if ahead { 95 } else { behind })),
            None,
            None,
        ),
        MetricDirection::LowerIsBetter => (
            TargetKind::StayAtOrBelow,
            Some(percent(if ahead { 105 } else { 200 - behind })),
            None,
            None,
        ),
        MetricDirection::TargetRange => (
            TargetKind::WithinRange,
            None,
            Some(percent(90)),
            Some(percent(110)),
        ),
    };
    metric_target::ActiveModel {
        id: Set(Uuid::now_v7()),
        metric_id: Set(metric_id),
        org_unit_id: Set(None),
        valid_from: Set(valid_from),
        valid_to: Set(None),
        target_kind: Set(kind.as_str().into()),
        start_value: Set(None),
        target_value: Set(target.map(to_stored)),
        lower_value: Set(lower.map(to_stored)),
        upper_value: Set(upper.map(to_stored)),
        warning_margin: Set(
            target.map(|t| to_stored((t * Decimal::new(2, 2)).round_dp(spec.decimals)))
        ),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
}

/// The company dashboard's key metrics, in order.
const DASHBOARD_METRICS: &[&str] = &[
    "Annual recurring revenue",
    "Qualified pipeline",
    "Net revenue retention",
    "Logo churn",
    "Deployments per week",
    "Employee engagement",
];

/// The key metric whose last month has no value yet.
const LATE_METRIC: &str = "Deployments per week";

/// The leading metric behind its target for the last two months, beside
/// the key metric it predicts (annual recurring revenue): the demo's early
/// warning.
const FLAGGING_LEADING_METRIC: &str = "Demos booked";

/// Leading → lagging links among [`metric_specs`] by index.
const LINKS: &[(usize, usize)] = &[(1, 0), (2, 0), (5, 3), (5, 4), (6, 3)];

fn name(rng: &mut StdRng) -> (String, String) {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    (first.to_string(), last.to_string())
}

fn first_of_month(date: NaiveDate, back: i32) -> NaiveDate {
    let index = date.year() * 12 + date.month0() as i32 - back;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .expect("valid month")
}

/// Fills a tenant that has no people yet with an organisation of `people`
/// people, strategic priorities, and metrics with `months` of monthly values.
pub async fn seed_organisation(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    people: usize,
    months: u32,
    seed: u64,
) -> Result<SeedSummary, String> {
    if people < 2 {
        return Err("--people: seed at least 2 people".into());
    }
    let scope = system_scope(db, tenant);
    let existing = scope
        .select::<person::Entity>()
        .count(&scope)
        .await
        .map_err(|e| e.to_string())?;
    if existing > 0 {
        return Err(format!(
            "tenant {:?} already has {existing} people; seed a fresh tenant",
            tenant.slug
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let now = Utc::now();
    let today = now.date_naive();
    let domain = format!("{}.example", tenant.slug);
    let tx = scope.begin().await.map_err(|e| e.message())?;
    let mut summary = SeedSummary::default();

    let department_count = if people <= 60 { 5 } else { DEPARTMENTS.len() };
    let mut units: Vec<org_unit::ActiveModel> = Vec::new();
    let mut new_unit = |name: String, parent: Option<Uuid>, external: String| {
        let id = Uuid::now_v7();
        units.push(org_unit::ActiveModel {
            id: Set(id),
            name: Set(name),
            parent_id: Set(parent),
            head_person_id: Set(None),
            external_id: Set(Some(external)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        });
        id
    };
    let root_unit = new_unit(tenant.name.clone(), None, "OU-0".into());
    let department_units: Vec<Uuid> = (0..department_count)
        .map(|d| {
            new_unit(
                DEPARTMENTS[d].0.to_string(),
                Some(root_unit),
                format!("OU-{}", d + 1),
            )
        })
        .collect();

    // People: the CEO, then each department as a tree with SPAN reports per
    // manager, so depth grows with the log of the size.
    struct Planned {
        id: Uuid,
        manager: Option<Uuid>,
        unit: Uuid,
        title: String,
    }
    let mut planned: Vec<Planned> = Vec::with_capacity(people);
    let ceo = Uuid::now_v7();
    planned.push(Planned {
        id: ceo,
        manager: None,
        unit: root_unit,
        title: "Chief Executive Officer".into(),
    });
    let rest = people - 1;
    let mut heads: Vec<(Uuid, Uuid)> = Vec::new();
    // Each team unit is led by the lead it was made for.
    let mut team_heads: Vec<(Uuid, Uuid)> = Vec::new();
    for d in 0..department_count {
        let size = rest / department_count + usize::from(d < rest % department_count);
        if size == 0 {
            continue;
        }
        let unit = department_units[d];
        let (department, role) = DEPARTMENTS[d];
        let mut ids: Vec<Uuid> = Vec::with_capacity(size);
        let mut team_of: Vec<Uuid> = Vec::with_capacity(size);
        for i in 0..size {
            let id = Uuid::now_v7();
            let (manager, team, title) = if i == 0 {
                (ceo, unit, format!("VP {department}"))
            } else {
                let boss = (i - 1) / SPAN;
                let depth1 = boss == 0;
                // Big departments get a team per first-line lead.
                let team = if depth1 && size > 60 {
                    let team = new_unit(
                        format!("{department} team {i}"),
                        Some(unit),
                        format!("OU-{}-{i}", d + 1),
                    );
                    team_heads.push((team, id));
                    team
                } else if depth1 {
                    unit
                } else {
                    team_of[boss]
                };
                let has_reports = i * SPAN + 1 < size;
                let title = if has_reports {
                    format!("{department} Lead")
                } else {
                    role.to_string()
                };
                (ids[boss], team, title)
            };
            ids.push(id);
            team_of.push(team);
            planned.push(Planned {
                id,
                manager: Some(manager),
                unit: team,
                title,
            });
        }
        heads.push((unit, ids[0]));
    }
    let start_base = today - Duration::days(6 * 365);
    let people_rows: Vec<person::ActiveModel> = planned
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let (first, last) = name(&mut rng);
            person::ActiveModel {
                id: Set(p.id),
                name: Set(format!("{first} {last}")),
                email: Set(Some(format!(
                    "{}.{}.{index}@{domain}",
                    first.to_lowercase(),
                    last.to_lowercase()
                ))),
                title: Set(Some(p.title.clone())),
                org_unit_id: Set(Some(p.unit)),
                manager_id: Set(p.manager),
                status: Set(PersonStatus::Active.as_str().into()),
                start_date: Set(Some(
                    start_base + Duration::days(rng.random_range(0..6 * 365)),
                )),
                end_date: Set(None),
                external_id: Set(Some(format!("EMP-{:06}", index + 1))),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            }
        })
        .collect();
    summary.org_units = units.len();
    for chunk in units.chunks(500) {
        tx.insert_many(chunk.to_vec())
            .await
            .map_err(|e| e.message())?;
    }
    summary.people = people_rows.len();
    for chunk in people_rows.chunks(500) {
        tx.insert_many(chunk.to_vec())
            .await
            .map_err(|e| e.message())?;
    }
    tx.update::<org_unit::Entity>()
        .col_expr(org_unit::Column::HeadPersonId, ceo.into())
        .filter(org_unit::Column::Id.eq(root_unit))
        .exec()
        .await
        .map_err(|e| e.to_string())?;
    for (unit, head) in heads.iter().chain(&team_heads) {
        tx.update::<org_unit::Entity>()
            .col_expr(org_unit::Column::HeadPersonId, (*head).into())
            .filter(org_unit::Column::Id.eq(*unit))
            .exec()
            .await
            .map_err(|e| e.to_string())?;
    }

    let mut priority_ids = Vec::new();
    for (position, (title, description)) in PRIORITIES.iter().enumerate() {
        let owner = heads
            .get(PRIORITY_OWNERS[position])
            .map(|(_, head)| *head)
            .unwrap_or(ceo);
        let row = tx
            .insert(strategic_priority::ActiveModel {
                id: Set(Uuid::now_v7()),
                title: Set(title.to_string()),
                description: Set(Some(description.to_string())),
                owner_id: Set(Some(owner)),
                position: Set(position as i32 + 1),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            })
            .await
            .map_err(|e| e.message())?;
        priority_ids.push(row.id);
    }
    summary.priorities = priority_ids.len();

    let mut metric_ids = Vec::new();
    let mut values = Vec::new();
    let mut targets = Vec::new();
    for spec in metric_specs().iter() {
        let (unit, owner) = heads[spec.department.min(heads.len() - 1)];
        let id = Uuid::now_v7();
        tx.insert(metric::ActiveModel {
            id: Set(id),
            name: Set(spec.name.into()),
            description: Set(None),
            unit: Set(Some(spec.unit.into())),
            direction: Set(spec.direction.as_str().into()),
            indicator_kind: Set(spec.kind.as_str().into()),
            frequency: Set(MetricFrequency::Monthly.as_str().into()),
            aggregation: Set(spec.aggregation.as_str().into()),
            owner_id: Set(Some(owner)),
            org_unit_id: Set(Some(unit)),
            priority_id: Set(priority_ids.get(spec.priority).copied()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .await
        .map_err(|e| e.message())?;
        metric_ids.push(id);
        let mut latest = None;
        // The best of the last two months: the flagging metric's target
        // is set past it.
        let mut recent_best: Option<Decimal> = None;
        let mut level = spec.start;
        for back in (1..=months as i32).rev() {
            level += spec.monthly_drift + rng.random_range(-spec.noise..=spec.noise);
            let value = Decimal::from_f64_retain(level.max(0.0))
                .unwrap_or_default()
                .round_dp(spec.decimals);
            latest = Some(value);
            if back <= 2 {
                recent_best = recent_best.max(Some(value));
            }
            // One key metric's last month is not in yet: the demo shows
            // late data.
            if back == 1 && spec.name == LATE_METRIC {
                continue;
            }
            values.push(metric_value::ActiveModel {
                id: Set(Uuid::now_v7()),
                metric_id: Set(id),
                period_start: Set(first_of_month(today, back)),
                value: Set(to_stored(value)),
                source: Set(ValueSource::Import.as_str().into()),
                recorded_by: Set(None),
                recorded_at: Set(now),
                ..Default::default()
            });
        }
        let flagging = spec.name == FLAGGING_LEADING_METRIC;
        if let Some(latest) = if flagging { recent_best } else { latest } {
            targets.push(demo_target(
                id,
                spec,
                metric_ids.len(),
                latest,
                flagging,
                first_of_month(today, months as i32),
                now,
            ));
        }
    }
    summary.metrics = metric_ids.len();
    tx.insert_many(targets).await.map_err(|e| e.message())?;
    summary.metric_values = values.len();
    for chunk in values.chunks(500) {
        tx.insert_many(chunk.to_vec())
            .await
            .map_err(|e| e.message())?;
    }
    for (leading, lagging) in LINKS {
        tx.insert(metric_link::ActiveModel {
            leading_metric_id: Set(metric_ids[*leading]),
            lagging_metric_id: Set(metric_ids[*lagging]),
            created_at: Set(now),
            ..Default::default()
        })
        .await
        .map_err(|e| e.message())?;
    }
    // The company dashboard: six key metrics serving every priority, a
    // leading one beside its lagging ones.
    let dashboard_id = Uuid::now_v7();
    tx.insert(dashboard::ActiveModel {
        id: Set(dashboard_id),
        title: Set("Company".into()),
        org_unit_id: Set(None),
        owner_id: Set(Some(ceo)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    })
    .await
    .map_err(|e| e.message())?;
    let specs = metric_specs();
    let key_metrics = DASHBOARD_METRICS.iter().filter_map(|name| {
        specs
            .iter()
            .position(|spec| spec.name == *name)
            .and_then(|index| metric_ids.get(index))
    });
    tx.insert_many(key_metrics.enumerate().map(|(position, metric_id)| {
        dashboard_key_metric::ActiveModel {
            id: Set(Uuid::now_v7()),
            dashboard_id: Set(dashboard_id),
            metric_id: Set(*metric_id),
            priority_id: Set(None),
            position: Set(position as i32),
            ..Default::default()
        }
    }))
    .await
    .map_err(|e| e.message())?;
    tx.commit().await.map_err(|e| e.message())?;
    let heads: Vec<Uuid> = heads.iter().map(|(_, head)| *head).collect();
    seed_reviews(&scope, ceo, &heads, dashboard_id)
        .await
        .map_err(|e| e.message())?;
    summary.review_series = 2;
    Ok(summary)
}

/// A monthly business review of the company dashboard and a weekly
/// operational review, each with two held meetings (decisions, action
/// items, one done and one open, overdue) and the next one upcoming: made
/// through the review service, as a team would.
async fn seed_reviews(
    scope: &throughline_domain::TenantScope,
    ceo: Uuid,
    heads: &[Uuid],
    dashboard_id: Uuid,
) -> throughline_domain::DomainResult<()> {
    use throughline_domain::service::reviews::{
        self, NewActionItem, NewSeries, ReviewCadence, Subject,
    };
    let today = scope.today();
    let participants: Vec<Uuid> = std::iter::once(ceo).chain(heads.iter().copied()).collect();
    let owner_of = |i: usize| {
        participants
            .get(i % participants.len())
            .copied()
            .unwrap_or(ceo)
    };
    let plans = [
        (
            "Monthly business review",
            ReviewCadence::Monthly,
            Some(dashboard_id),
            first_of_month(today, 3),
            [
                (
                    "Shift two sales hires to enterprise accounts",
                    "Prepare the enterprise pitch deck",
                ),
                (
                    "Freeze new tooling spend until churn is back under 2 %",
                    "Interview the five largest churned customers",
                ),
            ],
        ),
        (
            "Weekly operational review",
            ReviewCadence::Weekly,
            None,
            today - chrono::Duration::days(21),
            [
                (
                    "Release on Tuesdays and Thursdays only",
                    "Automate the release checklist",
                ),
                (
                    "Page the on-call lead for every sev-2",
                    "Write the incident review for last week's outage",
                ),
            ],
        ),
    ];
    for (title, cadence, dashboard, first_period, meetings) in plans {
        let (_, mut meeting) = reviews::create_series(
            scope,
            NewSeries {
                title: title.into(),
                cadence,
                org_unit_id: None,
                owner_id: Some(ceo),
                dashboard_id: dashboard,
                participant_ids: participants.clone(),
                first_period: Some(first_period),
            },
        )
        .await?;
        for (index, (decision, action)) in meetings.iter().enumerate() {
            let opened = reviews::open_meeting(scope, &[], meeting.id, meeting.version).await?;
            reviews::record_decision(
                scope,
                opened.id,
                decision,
                Some(owner_of(index)),
                Subject::default(),
            )
            .await?;
            let item = reviews::create_action_item(
                scope,
                NewActionItem {
                    meeting_id: opened.id,
                    title: (*action).into(),
                    owner_id: owner_of(index + 1),
                    due_on: Some(opened.scheduled_on + chrono::Duration::days(7)),
                    subject: Subject::default(),
                },
            )
            .await?;
            // The first meeting's action was done; the second's is open.
            if index == 0 {
                reviews::update_action_item(
                    scope,
                    item.id,
                    reviews::ActionItemChanges {
                        version: item.version,
                        done: Some(true),
                        ..Default::default()
                    },
                )
                .await?;
            }
            let (_, next) =
                reviews::hold_meeting(scope, opened.id, opened.version, &participants).await?;
            meeting = next;
        }
    }
    Ok(())
}

/// The tenant as the system sees it: seeding writes through the same door
/// as every other write.
fn system_scope(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
) -> throughline_domain::TenantScope {
    throughline_domain::TenantScope::new(
        db.clone(),
        tenant.clone(),
        throughline_domain::Actor::system(),
        throughline_domain::events::EventBus::new(),
    )
}

/// Lets every framework enabled for the tenant grow its own data on top of
/// the organisation (OKRs for the people, and so on).
pub async fn seed_frameworks(
    db: &DatabaseConnection,
    registry: &throughline_domain::FrameworkRegistry,
    tenant: &tenant::Model,
    seed: u64,
) -> Result<Vec<&'static str>, String> {
    let scope = system_scope(db, tenant);
    let enabled = throughline_domain::service::frameworks::enabled_keys(&scope)
        .await
        .map_err(|e| e.message())?;
    let mut seeded = Vec::new();
    for framework in registry
        .iter()
        .filter(|f| enabled.iter().any(|k| k == f.key()))
    {
        framework
            .seed(&scope, seed)
            .await
            .map_err(|e| format!("seeding {}: {}", framework.key(), e.message()))?;
        seeded.push(framework.key());
    }
    Ok(seeded)
}
