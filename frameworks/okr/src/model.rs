//! The OKR framework's enumerations, stored as text.

use throughline_domain::kit::stored_enum;

stored_enum!(
    /// Where a cycle is in its life.
    CycleStatus as "OkrCycleStatus" {
        /// Objectives are being drafted.
        Planning => "PLANNING",
        /// The cycle is running: check-ins happen.
        Active => "ACTIVE",
        /// Graded and locked.
        Closed => "CLOSED",
        /// Closed and put away: out of the default cycle list, still locked.
        Archived => "ARCHIVED",
    }
);

stored_enum!(
    /// Whose objective it is.
    Level as "OkrLevel" {
        /// The company's: usually one per strategic priority.
        Company => "COMPANY",
        /// A team's (an org unit's).
        Team => "TEAM",
        /// One person's.
        Individual => "INDIVIDUAL",
    }
);

stored_enum!(
    /// Where an objective is in its life.
    ObjectiveStatus as "OkrObjectiveStatus" {
        /// Being written; may be deleted.
        Draft => "DRAFT",
        /// Committed to and tracked.
        Active => "ACTIVE",
        /// Finished (achieved or not).
        Closed => "CLOSED",
        /// Put away; kept for history.
        Archived => "ARCHIVED",
    }
);

stored_enum!(
    /// Where a key result is in its life.
    KeyResultStatus as "OkrKeyResultStatus" {
        /// Tracked: takes check-ins.
        Active => "ACTIVE",
        /// Finished: its last value stands and still counts; no more check-ins.
        Closed => "CLOSED",
        /// Put away: kept with its history, no longer counted in its objective.
        Archived => "ARCHIVED",
    }
);

stored_enum!(
    /// What a key result's progress comes from.
    KeyResultProgressSource as "OkrKeyResultProgressSource" {
        /// Its current value against its target (check-ins, or a metric).
        Target => "TARGET",
        /// The weighted mean of the objectives aligned to it, which then
        /// count towards its objective through it; it takes no check-ins.
        AlignedObjectives => "ALIGNED_OBJECTIVES",
    }
);

stored_enum!(
    /// Where a check-in came from.
    CheckInSource as "OkrCheckInSource" {
        /// Entered by a person.
        Manual => "MANUAL",
        /// Recorded from a value of the linked metric.
        Metric => "METRIC",
    }
);
